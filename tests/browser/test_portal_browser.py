"""A client on the agency-branded portal, in a real browser.

Anna (the demo's Acme Dental approver) lands on a portal in Brightside's colour, sees her projects and
what waits on her, zooms into a mockup and pins a comment by clicking it, sees only the text box that
fits the verdict she picks, decides, finds the countdown gone, and downloads her decision log as a PDF.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_scopes import scope
from playwright.sync_api import expect

from agencyops.brand_colour import normalise_hex_colour
from agencyops.demo import DEMO_BRAND_COLOUR, demo_seed
from agencyops.models import ClientContact
from approvals.models import ApprovalRequest, ApprovalStatus, Comment
from projects.models import Project
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANNA = "anna@acmedental.test"
TITLE = "Spring hero banner"
PIN_COMMENT = "Move the logo a little to the left, please."
CHANGES = "Use the teal from our guidelines for the button."


def rgb(hex_colour: str) -> str:
    colour = normalise_hex_colour(hex_colour)
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_a_client_on_the_branded_portal_pins_by_clicking_decides_and_downloads_their_decision_log(
    page, live_server, log_in_as, fast_password_hashing
):
    demo = demo_seed()
    agency = demo.agency
    with scope(agency=agency.pk):
        anna = ClientContact.objects.get(email=ANNA)
        project = Project.objects.filter(client=anna.client).order_by("pk").first()
    approval = factories.approval_create(
        actor=demo.coordinator,
        project=project,
        contact=anna,
        title=TITLE,
        kind="image",
        upload=factories.png_upload("hero.png", size=(1200, 800)),
    )

    # The portal wears the agency's colour: the header and the buttons.
    log_in_as(ANNA)
    expect(page).to_have_url(re.compile(r"/portal/brightside/$"))
    brand = rgb(DEMO_BRAND_COLOUR)
    expect(page.locator("header.portal-header")).to_have_css("background-color", brand)
    # Her projects, with what waits on her: this approval among it.
    projects = page.get_by_role("region", name="Your projects")
    expect(projects.get_by_role("heading", name=project.name)).to_be_visible()
    projects.get_by_role("link", name=f"Approve “{TITLE}”").click()

    # The review page: the title once, the countdown while it is open, the brand colour on its buttons.
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.get_by_text(TITLE, exact=True)).to_have_count(1)
    expect(page.locator(".portal-countdown")).to_be_visible()
    expect(page.get_by_role("button", name="Record my decision")).to_have_css("background-color", brand)

    # Zoom with the buttons and the keyboard; the image grows inside its stage.
    zoom = page.get_by_role("group", name="Zoom")
    expect(zoom).to_be_visible()
    stage = page.locator("[data-zoom-stage]")
    image = stage.locator("img")
    fitted = image.bounding_box()["width"]
    expect(zoom.get_by_role("button", name="Zoom out")).to_be_disabled()
    zoom.get_by_role("button", name="Zoom in").click()
    expect(zoom.locator("[data-zoom-level]")).to_have_text("150%")
    stage.focus()
    page.keyboard.press("+")
    expect(zoom.locator("[data-zoom-level]")).to_have_text("200%")
    assert image.bounding_box()["width"] == pytest.approx(fitted * 2, rel=0.05)

    # Click-to-pin at 200%: the spot is a fraction of the image, whatever its size on screen.
    shown = image.bounding_box()
    image.click(position={"x": shown["width"] * 0.25, "y": shown["height"] * 0.40})
    status = page.locator("[data-pin-status]")
    expect(status).to_be_visible()
    expect(status).to_contain_text("25% across, 40% down")
    page.get_by_label("Your comment").fill(PIN_COMMENT)
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_role("status").filter(has_text="Your comment is added")).to_be_visible()
    # The zoom level survives the panel's swap, and the pin is drawn on the image.
    expect(page.locator("[data-zoom-level]")).to_have_text("200%")
    expect(page.locator(".pin-layer .pin")).to_have_count(1)
    with scope(agency=agency.pk):
        pinned = Comment.objects.get(request=approval, body=PIN_COMMENT)
    assert pinned.pin_x == pytest.approx(0.25, abs=0.02) and pinned.pin_y == pytest.approx(0.40, abs=0.02)

    # Only the text box that fits the verdict she picks.
    decision = page.get_by_role("region", name="Decision")
    changes = decision.get_by_label("The changes you approve with")
    what_should_change = decision.locator("[data-verdict-field=request_changes] textarea")
    expect(changes).to_be_hidden()
    expect(what_should_change).to_be_hidden()
    decision.get_by_role("radio", name=re.compile(r"^Request changes")).check()
    expect(what_should_change).to_be_visible()
    expect(changes).to_be_hidden()
    decision.get_by_role("radio", name=re.compile(r"^Approve with changes")).check()
    expect(changes).to_be_visible()
    expect(what_should_change).to_be_hidden()
    changes.fill(CHANGES)
    decision.get_by_role("button", name="Record my decision").click()

    # Decided: the countdown is gone, the decision stands in its place.
    expect(page.get_by_role("status").filter(has_text="Approved with your changes")).to_be_visible()
    expect(page.locator(".portal-countdown")).to_have_count(0)
    expect(page.get_by_text("When feedback is due")).to_have_count(0)
    expect(page.locator("dl.portal-four")).to_contain_text("Approved with changes")
    with scope(agency=agency.pk):
        assert ApprovalRequest.objects.get(pk=approval.pk).status == ApprovalStatus.APPROVED_WITH_CHANGES

    # Her decision log, as a PDF.
    page.goto(live_server.url + reverse("portal_decision_log", kwargs={"agency_slug": agency.slug}))
    expect(page.get_by_text(TITLE).first).to_be_visible()
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download as PDF").click()
    download = downloading.value
    assert download.suggested_filename.endswith("decision-log.pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
