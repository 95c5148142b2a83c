"""The brand governance loop in a real browser.

A coordinator fills Acme Dental's brand layer, writes a landing page that repeats an avoided offer, cites a
number no claim supports and uses another client's tagline; the pre-review checklist shows all three with
their spans and reasons; she accepts two suggestions, overrides the third with a reason and sends the piece
for approval; Anna approves it in the portal, and the piece reads as approved.
"""

from __future__ import annotations

import re

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from agencyops.demo import demo_seed
from brandkit import services as brand_services
from brandkit.models import BrandLayerVersion, ContentPiece, ContentTransition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COORDINATOR = "coordinator@brightside.test"
ANNA = "anna@acmedental.test"
TITLE = "Calm care landing page"
COPY = (
    "Nervous about the dentist? Calm care starts here.\n\n"
    "Book a free consultation this week.\n\n"
    "Loved by locals: 4.9 stars by 2,000 patients.\n\n"
    "Baked before the city wakes, ready when you are. Book your first visit."
)
OVERRIDE = "Birch Bakery signed off the shared breakfast campaign line for Acme in writing."


def finding(page, question: int, check: str):
    return page.locator(f'li[data-question="{question}"] li[data-check="{check}"]')


def test_a_coordinator_checks_a_landing_page_fixes_two_findings_overrides_one_and_the_client_approves(
    page, live_server, log_in_as, fast_password_hashing
):
    demo = demo_seed()
    agency = demo.agency
    acme = next(c for c in demo.clients if c.name == "Acme Dental")
    birch = next(c for c in demo.clients if c.name == "Birch Bakery")
    with scope(agency=agency.pk):
        # Another client of the agency, with a tagline of its own.
        brand_services.brand_layer_save(
            actor=demo.coordinator, client=birch, content={"tagline": "Baked before the city wakes"}
        )

    # (a) The coordinator fills Acme Dental's brand layer.
    log_in_as(COORDINATOR)
    page.goto(f"{live_server.url}/{agency.slug}/clients/{acme.pk}/brand/")
    page.get_by_role("link", name="Edit brand layer").click()
    expect(page.get_by_role("heading", level=1, name="Edit Acme Dental brand layer")).to_be_visible()
    page.get_by_label("Tagline").fill("Calm care, bright smiles")
    page.get_by_label("Positioning").fill("The calm dental practice for people who put off the dentist.")
    page.get_by_label("Pillars").fill("Calm care | Dentistry without the dread | calm care, at your pace")
    page.get_by_label("Avoid list").fill(
        "free consultation | Discounting undermines the premium positioning. | complimentary first visit | offer"
    )
    page.get_by_label("Approved claims").fill(
        "Rated 4.8 stars by 1,200 patients | Google reviews, March 2026 | |"
    )
    page.get_by_label("CTAs for lead generation").fill("Book your first visit")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_role("status").filter(has_text="Saved as version 1.")).to_be_visible()
    with scope(agency=agency.pk):
        layer = BrandLayerVersion.objects.get(client=acme).content
    assert layer["avoid"][0]["replacement"] == "complimentary first visit"

    # (b) She writes the landing page; the checklist answers the eight questions with spans and reasons.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Content").click()
    page.get_by_role("link", name="Write content").first.click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Client").select_option(label="Acme Dental")
    page.get_by_label("Project").select_option(label="Acme Dental: Spring smile campaign")
    page.get_by_label("Channel").select_option(label="Landing page")
    page.get_by_label("Campaign goal").select_option(label="Lead generation")
    page.get_by_label("Copy").fill(COPY)
    page.get_by_role("button", name="Save and check").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    checklist = page.get_by_role("region", name="Pre-review checklist")
    expect(
        checklist.get_by_role("heading", name="Are claims, stats, and proof points approved for use?")
    ).to_be_visible()

    offer = finding(page, 5, "avoid")
    expect(offer.locator("mark")).to_have_text("free consultation")
    expect(offer).to_contain_text("Discounting undermines the premium positioning.")
    claim = finding(page, 3, "claim")
    expect(claim.locator("mark")).to_have_text("4.9 stars by 2,000 patients")
    expect(claim).to_contain_text("no approved proof")
    bleed = finding(page, 8, "bleed")
    expect(bleed.locator("mark")).to_have_text("Baked before the city wakes")
    expect(bleed).to_contain_text("belongs to Birch Bakery")
    copy = page.get_by_role("region", name="The copy")
    for span in ("free consultation", "4.9 stars by 2,000 patients", "Baked before the city wakes"):
        expect(copy.locator("mark", has_text=span)).to_be_visible()

    # (c) She accepts two suggestions: each is a new version with the words changed.
    offer.get_by_role("button", name="Accept suggestion").click()
    expect(page.get_by_role("status").filter(has_text="Suggestion applied")).to_be_visible()
    expect(copy).to_contain_text("Book a complimentary first visit this week.")
    finding(page, 3, "claim").get_by_role("button", name="Accept suggestion").click()
    expect(copy).to_contain_text("Loved by locals: Rated 4.8 stars by 1,200 patients.")
    expect(finding(page, 5, "avoid")).to_have_count(0)
    expect(finding(page, 3, "claim")).to_have_count(0)

    # (d) The tagline stays on purpose: she overrides the open error with a reason.
    page.get_by_role("button", name="Move to internal review").click()
    page.get_by_label("Override reason (kept as history)").fill(OVERRIDE)
    page.get_by_role("button", name="Override and mark ready for client").click()
    expect(page.locator("#piece-state")).to_have_text("Ready for client")
    expect(page.get_by_role("region", name="History")).to_contain_text(OVERRIDE)

    # (e) She sends it for approval.
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_role("status").filter(has_text="Sent to Anna Reyes for approval.")).to_be_visible()
    expect(page.locator("#piece-state")).to_have_text("Sent for approval")

    # (f) Anna approves it in the portal; she never sees another client's name.
    log_in_as(ANNA)
    expect(page).to_have_url(re.compile(r"/portal/"))
    awaiting = page.get_by_role("region", name="Awaiting your approval")
    awaiting.get_by_role("link", name=TITLE).click()
    expect(page.get_by_text("Book a complimentary first visit this week.")).to_be_visible()
    expect(page.get_by_text("Birch Bakery")).to_have_count(0)
    page.get_by_role("radio", name=re.compile(r"^Approve\b(?! with)")).check()
    page.get_by_role("button", name="Record my decision").click()
    expect(page.get_by_role("status").filter(has_text="Approved.")).to_be_visible()

    # (g) Back at the agency, the piece reads as approved.
    log_in_as(COORDINATOR)
    with scope(agency=agency.pk):
        piece = ContentPiece.objects.get(title=TITLE)
        assert ContentTransition.objects.get(piece=piece, override_reason=OVERRIDE).open_errors
        assert piece.versions.count() == 3
    page.goto(f"{live_server.url}/{agency.slug}/content/{piece.pk}/")
    expect(page.locator("#piece-state")).to_have_text("Approved")
