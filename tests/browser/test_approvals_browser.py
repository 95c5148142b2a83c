"""The approval loop in a real browser.

The coordinator asks; the client's final approver comments and requests changes; version 2 is approved and
logged; revising approved work becomes a change request that Home puts under "Needs decision".
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from agencyops.demo import demo_seed
from approvals.forms import SCOPE_NOTES_EXAMPLE
from approvals.models import ApprovalRequest, ApprovalStatus, ChangeRequest, Comment
from projects import services as project_services
from projects.calendars import agency_calendar, agency_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COORDINATOR = "coordinator@brightside.test"
ANNA = "anna@acmedental.test"
PROJECT_NAME = "Whitening offer landing page"
TITLE = "Landing page copy"
COPY_V1 = (
    "Autumn smiles, half price.\n"
    "Book a whitening session at any of our three practices before 30 November and pay half."
)
PASSAGE = "at any of our three practices"
COMMENT = "We only offer whitening at the Riverside practice: please name it."
COPY_V2 = (
    "Autumn smiles, half price.\n"
    "Book a whitening session at our Riverside practice before 30 November and pay half."
)
REVISION = "Please move the offer end date to 14 December."


def select_passage(page, passage: str) -> None:
    """Select a passage of the copy under review, as a reader does by dragging over it."""
    selected = page.locator("[data-copy-text]").evaluate(
        """(copy, passage) => {
            const walker = document.createTreeWalker(copy, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(passage);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + passage.length);
                document.getSelection().removeAllRanges();
                document.getSelection().addRange(range);
                return true;
            }
            return false;
        }""",
        passage,
    )
    assert selected, f"“{passage}” is not in the copy on the page"


def open_from_portal_home(page) -> None:
    awaiting = page.get_by_role("region", name="Awaiting your approval")
    expect(awaiting.get_by_role("link", name=TITLE)).to_be_visible()
    awaiting.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()


def open_from_approval_list(page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Approvals").click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()


def send_to_anna(page) -> None:
    page.get_by_role("link", name="Send to Anna Reyes").first.click()
    expect(page.get_by_role("heading", level=1, name=f"Send “{TITLE}” to Anna Reyes")).to_be_visible()
    page.get_by_role("button", name="Send to Anna Reyes").click()
    sent = page.get_by_role("status").filter(has_text="Sent to Anna Reyes: a decision is due")
    expect(sent).to_be_visible()


def test_a_client_requests_changes_approves_version_two_and_revising_it_needs_a_decision_at_the_agency(
    page, live_server, log_in_as, fast_password_hashing
):
    demo = demo_seed()
    agency = demo.agency
    acme = next(c for c in demo.clients if c.name == "Acme Dental")
    anna = next(c for c in demo.contacts if c.email == ANNA)
    with scope(agency=agency.pk):
        today = agency_today(agency)
        launch = agency_calendar(agency).roll_forward(today + timedelta(days=60))
        project_services.project_create_from_template(
            actor=demo.coordinator,
            client=acme,
            name=PROJECT_NAME,
            template_ref="builtin:website-launch",
            launch_date=launch,
        )
    due_day = today + timedelta(days=2)

    # (a) The coordinator prepares the request with the four things it states, then sends it.
    log_in_as(COORDINATOR)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Approvals").click()
    page.get_by_role("link", name="New approval request").click()
    expect(page.get_by_role("heading", level=1, name="New approval request")).to_be_visible()
    page.get_by_label("Project").select_option(label=f"Acme Dental · {PROJECT_NAME}")
    # Choosing the project reloads the approver picker with the client's default approver chosen.
    expect(page.get_by_label("Final approver")).to_have_value(str(anna.pk))
    page.get_by_label("Title").fill(TITLE)
    page.get_by_role("checkbox", name="Copy", exact=True).check()
    page.get_by_label("What is in and what is out").fill(SCOPE_NOTES_EXAMPLE)
    page.get_by_label("Feedback due (date)").fill(due_day.isoformat())
    page.get_by_label("Feedback due (time)").fill("15:00")
    page.get_by_label("Paste the copy").fill(COPY_V1)
    page.get_by_role("button", name="Prepare the request").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.get_by_text(SCOPE_NOTES_EXAMPLE)).to_be_visible()
    send_to_anna(page)
    with scope(agency=agency.pk):
        approval = ApprovalRequest.objects.get(title=TITLE)
        assert approval.status == ApprovalStatus.AWAITING_CLIENT
        assert approval.final_approver == anna
        assert approval.scopes == ["copy"]

    # (b) Anna comments on a passage of the copy and requests changes.
    log_in_as(ANNA)
    expect(page).to_have_url(re.compile(r"/portal/"))
    open_from_portal_home(page)
    expect(page.get_by_text(SCOPE_NOTES_EXAMPLE)).to_be_visible()
    select_passage(page, PASSAGE)
    expect(page.get_by_text("On the passage:")).to_contain_text(PASSAGE)
    page.get_by_label("Your comment").fill(COMMENT)
    page.get_by_role("button", name="Add comment").click()
    comments = page.get_by_role("region", name=re.compile(r"^Comments on version 1"))
    expect(comments.get_by_text(COMMENT)).to_be_visible()
    expect(comments.get_by_role("blockquote")).to_have_text(PASSAGE)
    with scope(agency=agency.pk):
        assert Comment.objects.get(request=approval).quote == PASSAGE
    page.get_by_role("radio", name=re.compile(r"^Request changes")).check()
    page.get_by_role("button", name="Record my decision").click()
    expect(page.get_by_role("status").filter(has_text="Changes requested.")).to_be_visible()

    # (c) The coordinator pastes version 2 and sends it.
    log_in_as(COORDINATOR)
    open_from_approval_list(page)
    page.get_by_label("Paste the new copy").fill(COPY_V2)
    page.get_by_label("What changed").fill("Names the Riverside practice, as Anna asked.")
    page.get_by_role("button", name="Add version 2").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Version 2"))).to_be_visible()
    send_to_anna(page)

    # (d) Anna approves version 2.
    log_in_as(ANNA)
    open_from_portal_home(page)
    expect(page.get_by_text("Book a whitening session at our Riverside practice")).to_be_visible()
    page.get_by_role("radio", name=re.compile(r"^Approve\b(?! with)")).check()
    page.get_by_role("button", name="Record my decision").click()
    expect(page.get_by_role("status").filter(has_text="Approved.")).to_be_visible()
    with scope(agency=agency.pk):
        approval.refresh_from_db()
        assert approval.status == ApprovalStatus.APPROVED

    # (e) The coordinator finds the approval in Acme Dental's decision log, with Anna as approver.
    log_in_as(COORDINATOR)
    open_from_approval_list(page)
    page.get_by_role("link", name="Decision log").click()
    expect(page.get_by_role("heading", level=1, name="Decision log · Acme Dental")).to_be_visible()
    approved_row = page.get_by_role("row").filter(has_text=f"Approve: {TITLE} (version 2")
    expect(approved_row.get_by_role("cell", name="Anna Reyes", exact=True)).to_be_visible()
    expect(approved_row).to_contain_text(f"{today:%a} {today.day} {today:%b} {today.year}")

    # (f) Anna asks to revise the approved work: a change request that cites the approval.
    log_in_as(ANNA)
    decisions = page.get_by_role("region", name="Your decisions")
    decisions.get_by_role("listitem").filter(has_text="version 2").get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    page.get_by_label("What would you like to change?").fill(REVISION)
    page.get_by_role("button", name="Ask for a revision").click()
    expect(page.get_by_role("heading", level=1, name="Change request")).to_be_visible()
    expect(page.get_by_text(f"{TITLE} was approved on {today.day} {today:%B} by Anna Reyes.")).to_be_visible()
    expect(page.get_by_text(REVISION)).to_be_visible()
    with scope(agency=agency.pk):
        assert ChangeRequest.objects.get(approval_request=approval).description == REVISION

    # (g) At the agency, the change request waits under "Needs decision" on Home.
    log_in_as(COORDINATOR)
    expect(page.get_by_role("heading", level=1, name=agency.name)).to_be_visible()
    needs_decision = page.get_by_role("region", name=re.compile(r"^Needs decision"))
    expect(needs_decision.get_by_role("link", name=f"Change request: {REVISION}")).to_be_visible()
    expect(needs_decision).to_contain_text("Decides: An owner or the coordinator")
