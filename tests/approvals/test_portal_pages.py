"""The client portal's approval pages: what awaits a contact, the request as they see it, comments with pins
and passages, decisions and advice, revisions of approved work as change requests, and the decision log."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from approvals import services
from approvals.models import (
    ApprovalStatus,
    ChangeRequest,
    ChangeRequestDecision,
    Comment,
    DecisionLogEntry,
    ReviewerDecision,
)
from approvals.portal_selectors import countdown, day_label, local_date
from tests import factories

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def reviewer(team, approver):
    """A second contact at the same client: may comment and advise, never decides."""
    return factories.contact_create(actor=team["owner"], client=approver.client, full_name="Rita Reviewer")


def _url(name: str, agency, **kwargs) -> str:
    return reverse(name, kwargs={"agency_slug": agency.slug, **kwargs})


def _approval_url(request, **params) -> str:
    url = _url("portal_approval", request.agency, request_id=request.pk)
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def _image_request(team, project, **kwargs):
    return factories.approval_create(
        actor=team["coordinator"], project=project, kind="image", upload=factories.png_upload(), **kwargs
    )


def _send_new_image_version(team, request):
    with scope(agency=team["agency"].pk):
        services.version_add(
            actor=team["coordinator"], request=request, kind="image", upload=factories.png_upload()
        )
        return services.approval_request_send(actor=team["coordinator"], request=request)


def _comment(contact, request, body, **kwargs):
    with scope(agency=request.agency_id):
        version = request.versions.filter(sent_at__isnull=False).order_by("-number").first()
        return services.comment_add(
            author=contact.user, request=request, version=version, body=body, contact=contact, **kwargs
        )


def _counts(agency) -> tuple[int, int, int]:
    with scope(agency=agency.pk):
        return Comment.objects.count(), ReviewerDecision.objects.count(), DecisionLogEntry.objects.count()


class _CopyText(HTMLParser):
    """Collects the text inside the element marked data-copy-text, as a browser's textContent would."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.text = ""

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif any(name == "data-copy-text" for name, _ in attrs):
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text += data


def _copy_text(page: str) -> str:
    parser = _CopyText()
    parser.feed(page)
    return parser.text


# --------------------------------------------------------------------------- portal home


def test_home_lists_what_awaits_the_contact_with_scope_due_time_countdown_round_and_role(
    team, project, approver, reviewer, logged_in
):
    factories.approval_create(
        actor=team["coordinator"], project=project, title="Landing page copy", scopes=["copy", "design"]
    )
    with scope(agency=team["agency"].pk):
        due_at = project.approval_requests.get().due_at

    for contact, role in ((approver, "You are the final approver"), (reviewer, "You are a reviewer")):
        page = logged_in(contact.user).get(_url("portal_home", team["agency"])).content.decode()
        assert "Landing page copy" in page
        assert "To approve: Copy, Design" in page
        assert "Due in 2 days" in page
        assert services.format_moment(due_at, team["agency"]) in page
        assert "Version 1 · first round" in page
        assert role in page
        assert "Nothing awaits your approval" not in page


def test_home_says_overdue_by_how_long_and_lists_decisions_with_verdict_and_date(
    team, project, approver, logged_in
):
    overdue = factories.approval_create(actor=team["coordinator"], project=project, title="Hero banner")
    decided = factories.approval_create(actor=team["coordinator"], project=project, title="Pricing page")
    with scope(agency=team["agency"].pk):
        type(overdue).objects.filter(pk=overdue.pk).update(
            due_at=timezone.now() - timedelta(hours=5, minutes=10)
        )
        services.approval_decide(contact=approver, request=decided, verdict="approve")

    page = logged_in(approver.user).get(_url("portal_home", team["agency"])).content.decode()

    assert "Overdue by 5 hours" in page
    decisions = page.split("Your decisions")[1]
    assert "Pricing page" in decisions and "Approve" in decisions
    assert day_label(local_date(timezone.now(), team["agency"])) in decisions
    assert "Hero banner" not in decisions
    assert _url("portal_decision_log", team["agency"]) in page


def test_the_countdown_names_the_nearest_amount_of_the_largest_unit():
    now = timezone.now()
    assert countdown(now + timedelta(days=2, hours=3), now) == "due in 2 days"
    assert countdown(now + timedelta(hours=47, minutes=59), now) == "due in 2 days"
    assert countdown(now + timedelta(hours=1), now) == "due in 1 hour"
    assert countdown(now + timedelta(minutes=20), now) == "due in 20 minutes"
    assert countdown(now + timedelta(seconds=10), now) == "due in 1 minute"
    assert countdown(now - timedelta(hours=5, minutes=10), now) == "overdue by 5 hours"
    assert countdown(now - timedelta(days=1, hours=1), now) == "overdue by 1 day"


# ------------------------------------------------------------------ the request as the client sees it


def test_the_approval_page_answers_the_four_questions(team, project, approver, reviewer, logged_in):
    request = factories.approval_create(actor=team["coordinator"], project=project, scopes=["copy"])

    page = logged_in(reviewer.user).get(_approval_url(request)).content.decode()

    assert "Final approver" in page and approver.full_name in page
    assert f"Only {approver.full_name} decides" in page
    assert "What exactly is being approved" in page and "Headline, page copy, CTA and offer accuracy" in page
    assert "When feedback is due" in page and services.format_moment(request.due_at, team["agency"]) in page
    assert "What happens after approval" in page and html.escape(team["agency"].approval_terms) in page


def test_the_copy_element_holds_exactly_the_versions_text_with_commented_passages_highlighted(
    team, project, approver, logged_in
):
    text = "Headline: Smile & <grin>.\r\nBook today — 20% off 😀 now."
    request = factories.approval_create(actor=team["coordinator"], project=project, text=text)
    start = text.index("Book today")
    _comment(approver, request, "Is the offer right?", quote_start=start, quote_end=start + len("Book today"))

    page = logged_in(approver.user).get(_approval_url(request)).content.decode()

    with scope(agency=team["agency"].pk):
        stored = request.versions.get().text
    assert _copy_text(page) == stored
    # A raw CR would become LF in the browser's parser and shift every later offset: it is a reference.
    assert "Smile &amp; &lt;grin&gt;.&#13;\n<mark" in page
    assert re.search(r'<mark class="portal-passage" title="Comment 1">Book today</mark>', page)


def test_a_passage_comment_stores_the_selected_quote(team, project, approver, as_contact):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with scope(agency=team["agency"].pk):
        text = request.versions.get().text
    start = text.index("Book your consultation")

    as_contact.post(
        _url("portal_comment_create", team["agency"], request_id=request.pk),
        {"body": "Say 'free consultation'.", "quote_start": start, "quote_end": start + 22},
    )

    with scope(agency=team["agency"].pk):
        comment = Comment.objects.get()
    assert comment.quote == "Book your consultation" and comment.author_contact == approver
    assert comment.source == "portal"


def test_a_pin_placed_by_click_or_by_percentages_is_stored_as_fractions(team, project, approver, as_contact):
    request = _image_request(team, project)
    url = _url("portal_comment_create", team["agency"], request_id=request.pk)

    clicked = as_contact.post(url, {"body": "Logo too small", "page": 1, "pin_x": "0.25", "pin_y": "0.5"})
    typed = as_contact.post(url, {"body": "Button colour", "page": 1, "pin_across": "80", "pin_down": "10"})

    assert clicked.status_code == typed.status_code == 302
    with scope(agency=team["agency"].pk):
        pins = list(Comment.objects.order_by("pk").values_list("body", "pin_x", "pin_y"))
    assert pins == [("Logo too small", 0.25, 0.5), ("Button colour", 0.8, 0.1)]
    page = as_contact.get(_approval_url(request)).content.decode()
    # 400x300 image: the pins sit at (100, 150) and (320, 30) in the overlay's own coordinates.
    assert '<circle cx="100" cy="150"' in page and '<circle cx="320" cy="30"' in page


def test_a_pin_outside_the_page_is_refused_with_a_field_message_and_nothing_is_stored(
    team, project, approver, as_contact
):
    request = _image_request(team, project)
    url = _url("portal_comment_create", team["agency"], request_id=request.pk)
    before = _counts(team["agency"])

    outside = as_contact.post(url, {"body": "Here", "page": 1, "pin_x": "1.4", "pin_y": "0.5"})
    typed = as_contact.post(url, {"body": "Here", "page": 1, "pin_across": "-5", "pin_down": "50"})

    outside_page = outside.content.decode()
    assert re.search(
        r'<p class="field-error" id="id_pin_across_error">A pin must sit on the page', outside_page
    )
    assert "Here</textarea>" in outside_page  # what they wrote is kept
    assert re.search(
        r'<p class="field-error" id="id_pin_across_error">A pin must sit on the page', typed.content.decode()
    )
    assert _counts(team["agency"]) == before


def test_an_empty_comment_is_refused_with_a_field_message(team, project, approver, as_contact):
    request = factories.approval_create(actor=team["coordinator"], project=project)

    response = as_contact.post(
        _url("portal_comment_create", team["agency"], request_id=request.pk), {"body": "  "}
    )

    assert "Write your comment." in response.content.decode()
    assert _counts(team["agency"]) == (0, 0, 0)


def test_an_htmx_comment_returns_the_updated_review_panel_only(team, project, approver, as_contact):
    request = _image_request(team, project)

    response = as_contact.post(
        _url("portal_comment_create", team["agency"], request_id=request.pk),
        {"body": "Move the logo up", "page": 1, "pin_x": "0.5", "pin_y": "0.25"},
        HTTP_HX_REQUEST="true",
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="review"') and "<html" not in body
    assert "Move the logo up" in body and '<circle cx="200" cy="75"' in body
    assert "Your comment is added." in body


def test_pins_render_on_their_own_version(team, project, approver, as_contact):
    request = _image_request(team, project)
    _comment(approver, request, "Pin on the first version", page=1, pin_x=0.3, pin_y=0.4)
    request = _send_new_image_version(team, request)
    _comment(approver, request, "Pin on the second version", page=1, pin_x=0.75, pin_y=0.5)

    latest = as_contact.get(_approval_url(request)).content.decode()
    first = as_contact.get(_approval_url(request, version=1)).content.decode()

    assert '<circle cx="300" cy="150"' in latest and "Pin on the second version" in latest
    assert '<circle cx="120" cy="120"' not in latest and "Pin on the first version" not in latest
    assert '<circle cx="120" cy="120"' in first and "Pin on the first version" in first
    assert '<circle cx="300" cy="150"' not in first
    # The earlier version is read-only: no comment form, no decision form.
    assert "Version 1 is an earlier round, shown read-only." in first
    assert 'id="comment-form"' not in first and 'id="comment-form"' in latest
    assert 'name="verdict"' not in first


def test_pdf_pages_each_show_their_own_pins(team, project, approver, as_contact):
    request = factories.approval_create(
        actor=team["coordinator"], project=project, kind="pdf", upload=factories.pdf_upload(pages=2)
    )
    _comment(approver, request, "Second page pin", page=2, pin_x=0.5, pin_y=0.5)

    page = as_contact.get(_approval_url(request)).content.decode()

    with scope(agency=team["agency"].pk):
        version = request.versions.get()
    assert _url("portal_version_page", team["agency"], version_id=version.pk, page=2) in page
    figures = page.split('class="portal-page"')[1:]
    assert len(figures) == 2
    assert "<circle" not in figures[0].split("</figure>")[0]
    assert "<circle" in figures[1].split("</figure>")[0] and "Page 2 of 2 · 1 pin" in figures[1]


def test_captured_feedback_says_where_and_when_the_agency_captured_it(team, project, approver, as_contact):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    said_at = timezone.now() - timedelta(days=3)
    with scope(agency=team["agency"].pk):
        services.feedback_capture(
            actor=team["coordinator"],
            request=request,
            body="CEO wants a warmer headline.",
            source="email",
            said_by="Anna Li",
            said_at=said_at,
        )

    page = as_contact.get(_approval_url(request)).content.decode()

    assert "CEO wants a warmer headline." in page and "Anna Li" in page
    assert f"captured by the agency from email on {day_label(local_date(said_at, team['agency']))}" in page


# --------------------------------------------------------------------------- decisions and advice


def test_the_final_approver_approves_and_one_decision_and_one_log_entry_are_recorded(
    team, project, approver, as_contact
):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    form_page = as_contact.get(_approval_url(request)).content.decode()
    assert "You are the final approver" in form_page and "Approve with changes" in form_page
    assert "After you approve" in form_page

    response = as_contact.post(
        _url("portal_decide", team["agency"], request_id=request.pk), {"verdict": "approve"}, follow=True
    )

    page = response.content.decode()
    assert "Approved. Northwind Creative has been told" in page
    with scope(agency=team["agency"].pk):
        decision = ReviewerDecision.objects.get()
        entry = DecisionLogEntry.objects.get()
        request.refresh_from_db()
    assert decision.verdict == "approve" and decision.is_final and decision.contact == approver
    assert entry.reviewer_decision == decision
    assert request.status == ApprovalStatus.APPROVED
    assert "Ask for a revision" in page


def test_approve_with_changes_needs_the_list_of_changes(team, project, approver, as_contact):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    url = _url("portal_decide", team["agency"], request_id=request.pk)

    refused = as_contact.post(url, {"verdict": "approve_with_changes", "changes": " "})
    assert "List the changes you approve with." in refused.content.decode()
    assert _counts(team["agency"]) == (0, 0, 0)

    as_contact.post(url, {"verdict": "approve_with_changes", "changes": "Use the brand green on the button."})
    with scope(agency=team["agency"].pk):
        decision = ReviewerDecision.objects.get()
        assert DecisionLogEntry.objects.get().reviewer_decision == decision
    assert decision.changes == "Use the brand green on the button."


def test_request_changes_needs_a_comment_unless_one_was_made_on_the_round(
    team, project, approver, as_contact
):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    url = _url("portal_decide", team["agency"], request_id=request.pk)

    refused = as_contact.post(url, {"verdict": "request_changes"})
    assert "Add at least one comment saying what should change." in refused.content.decode()
    assert _counts(team["agency"]) == (0, 0, 0)

    as_contact.post(url, {"verdict": "request_changes", "comment": "The offer is 20% off, not 25%."})
    with scope(agency=team["agency"].pk):
        assert ReviewerDecision.objects.get().verdict == "request_changes"
        assert DecisionLogEntry.objects.count() == 1
        assert Comment.objects.get().body == "The offer is 20% off, not 25%."
        request.refresh_from_db()
    assert request.status == ApprovalStatus.CHANGES_REQUESTED


def test_request_changes_after_commenting_on_the_round_needs_no_further_comment(
    team, project, approver, as_contact
):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    _comment(approver, request, "The CTA should say 'Book now'.")

    page = as_contact.get(_approval_url(request)).content.decode()
    assert "Optional when you request changes" in page
    as_contact.post(
        _url("portal_decide", team["agency"], request_id=request.pk), {"verdict": "request_changes"}
    )

    with scope(agency=team["agency"].pk):
        assert ReviewerDecision.objects.get().verdict == "request_changes"


def test_a_decision_without_a_verdict_is_refused_with_a_field_message(team, project, approver, as_contact):
    request = factories.approval_create(actor=team["coordinator"], project=project)

    response = as_contact.post(
        _url("portal_decide", team["agency"], request_id=request.pk), {"verdict": "maybe"}
    )

    assert "Choose approve, approve with changes, or request changes." in response.content.decode()
    assert _counts(team["agency"]) == (0, 0, 0)


def test_a_contact_who_is_not_the_final_approver_cannot_decide_but_can_advise(
    team, project, approver, reviewer, logged_in
):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    as_reviewer = logged_in(reviewer.user)
    page = as_reviewer.get(_approval_url(request)).content.decode()
    assert "Record my advice" in page and "Record my decision" not in page

    refused = as_reviewer.post(
        _url("portal_decide", team["agency"], request_id=request.pk), {"verdict": "approve"}, follow=True
    )
    assert f"Only {approver.full_name}, the final approver, can decide." in refused.content.decode()
    assert _counts(team["agency"]) == (0, 0, 0)

    advised = as_reviewer.post(
        _url("portal_advise", team["agency"], request_id=request.pk),
        {"verdict": "request_changes"},
        follow=True,
    )

    assert "Your advice is recorded." in advised.content.decode()
    assert "You advised “Request changes”" in advised.content.decode()
    with scope(agency=team["agency"].pk):
        advice = ReviewerDecision.objects.get()
        request.refresh_from_db()
        assert DecisionLogEntry.objects.count() == 0
    assert advice.contact == reviewer and advice.is_final is False and advice.verdict == "request_changes"
    assert request.status == ApprovalStatus.AWAITING_CLIENT


def test_a_second_decision_on_a_closed_round_is_refused(team, project, approver, as_contact):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    url = _url("portal_decide", team["agency"], request_id=request.pk)
    as_contact.post(url, {"verdict": "approve"})

    again = as_contact.post(url, {"verdict": "request_changes", "comment": "Actually, no."}, follow=True)

    assert "This round is closed; there is nothing to decide right now." in again.content.decode()
    with scope(agency=team["agency"].pk):
        assert ReviewerDecision.objects.count() == 1 and DecisionLogEntry.objects.count() == 1
        assert Comment.objects.count() == 0
        request.refresh_from_db()
    assert request.status == ApprovalStatus.APPROVED


def test_the_final_approver_cannot_use_the_advice_form(team, project, approver, as_contact):
    request = factories.approval_create(actor=team["coordinator"], project=project)

    response = as_contact.post(
        _url("portal_advise", team["agency"], request_id=request.pk), {"verdict": "approve"}, follow=True
    )

    assert "As the final approver, your verdict decides: use the decision form." in response.content.decode()
    assert _counts(team["agency"]) == (0, 0, 0)


# --------------------------------------------------------------------------- revising approved work


def test_asking_to_revise_approved_work_creates_a_change_request_citing_the_approval(
    team, project, approver, as_contact
):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    as_contact.post(_url("portal_decide", team["agency"], request_id=request.pk), {"verdict": "approve"})
    page = as_contact.get(_approval_url(request)).content.decode()
    assert "Approved work is revised as a <strong>change request</strong>" in page

    response = as_contact.post(
        _url("portal_request_revision", team["agency"], request_id=request.pk),
        {"description": "Swap the headline for the spring offer."},
        follow=True,
    )

    with scope(agency=team["agency"].pk):
        change_request = ChangeRequest.objects.get()
        entry = DecisionLogEntry.objects.get()
    approved_on = entry.decided_on
    citation = (
        f"Homepage messaging was approved on {approved_on.day} {approved_on:%B} by {approver.full_name}."
    )
    assert change_request.citation == citation and change_request.requested_by_contact == approver
    assert change_request.cites == entry
    assert response.redirect_chain[-1][0] == _url(
        "portal_change_request", team["agency"], change_request_id=change_request.pk
    )
    page = response.content.decode()
    assert citation in page and "Swap the headline for the spring offer." in page
    assert "Timeline" in page and "Budget" in page
    assert "Approve the change request" in page


def test_a_revision_request_without_a_description_is_refused_and_creates_nothing(
    team, project, approver, as_contact
):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    as_contact.post(_url("portal_decide", team["agency"], request_id=request.pk), {"verdict": "approve"})

    response = as_contact.post(
        _url("portal_request_revision", team["agency"], request_id=request.pk), {"description": ""}
    )

    assert "Describe the change." in response.content.decode()
    with scope(agency=team["agency"].pk):
        assert ChangeRequest.objects.count() == 0


def test_the_final_approver_approves_a_change_request_and_others_only_see_it(
    team, project, approver, reviewer, as_contact, logged_in
):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with scope(agency=team["agency"].pk):
        services.approval_decide(contact=approver, request=request, verdict="approve")
        change_request = services.approval_request_revision(
            request=request, description="New hero photo.", contact=reviewer
        )
    url = _url("portal_change_request", team["agency"], change_request_id=change_request.pk)

    as_reviewer = logged_in(reviewer.user)
    assert (
        f"Waiting for {approver.full_name}, the final approver, to decide."
        in as_reviewer.get(url).content.decode()
    )
    refused = as_reviewer.post(url, {"verdict": "approved"}, follow=True)
    assert "Only the final approver can decide this change request." in refused.content.decode()

    approved = as_contact.post(url, {"verdict": "approved"}, follow=True)

    with scope(agency=team["agency"].pk):
        decision = ChangeRequestDecision.objects.get()
    assert decision.verdict == "approved" and decision.decided_by_contact == approver
    assert "Change request approved." in approved.content.decode()


# --------------------------------------------------------------------------- files and the decision log


def test_a_sent_image_is_streamed_with_its_real_type_and_nosniff(team, project, approver, as_contact):
    request = _image_request(team, project)
    with scope(agency=team["agency"].pk):
        version = request.versions.get()

    response = as_contact.get(_url("portal_version_file", team["agency"], version_id=version.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_a_pdf_page_is_streamed_as_png(team, project, approver, as_contact):
    request = factories.approval_create(
        actor=team["coordinator"], project=project, kind="pdf", upload=factories.pdf_upload(pages=2)
    )
    with scope(agency=team["agency"].pk):
        version = request.versions.get()

    page = as_contact.get(_url("portal_version_page", team["agency"], version_id=version.pk, page=2))
    missing = as_contact.get(_url("portal_version_page", team["agency"], version_id=version.pk, page=3))

    assert page["Content-Type"] == "image/png" and page["X-Content-Type-Options"] == "nosniff"
    assert b"".join(page.streaming_content).startswith(b"\x89PNG")
    assert missing.status_code == 404


def test_the_decision_log_lists_the_clients_decisions_newest_first_without_internal_fields(
    team, project, approver, as_contact
):
    first = factories.approval_create(actor=team["coordinator"], project=project, title="Brand colours")
    with scope(agency=team["agency"].pk):
        services.approval_decide(contact=approver, request=first, verdict="approve")
        services.decision_log_add(
            actor=team["coordinator"],
            client=approver.client,
            decision="Launch moves to June.",
            approver_name="Anna Li",
            asset="Spring campaign",
            decided_on=timezone.localdate() + timedelta(days=1),
            source_kind="call",
            impact_timeline="Launch two weeks later.",
        )

    page = as_contact.get(_url("portal_decision_log", team["agency"])).content.decode()

    assert page.index("Launch moves to June.") < page.index("Approve: Brand colours")
    assert "Anna Li" in page and "Launch two weeks later." in page and "Call" in page
    assert team["coordinator"].user.full_name not in page  # who recorded it is internal
    assert _approval_url(first) in page


def test_an_empty_decision_log_says_what_will_appear(team, as_contact):
    page = as_contact.get(_url("portal_decision_log", team["agency"])).content.decode()

    assert "No decisions yet" in page and "is recorded here with its date and impact" in page


# --------------------------------------------------------------------------- query counts


def _many_requests(team, project, count: int) -> None:
    for n in range(count):
        factories.approval_create(actor=team["coordinator"], project=project, title=f"Deliverable {n}")


def test_the_portal_home_runs_the_same_queries_for_2_or_30_requests(
    team, project, approver, as_contact, django_assert_num_queries
):
    _many_requests(team, project, 2)
    url = _url("portal_home", team["agency"])
    with django_assert_num_queries(HOME_QUERIES):
        small = as_contact.get(url).content.decode()
    _many_requests(team, project, 28)
    with scope(agency=team["agency"].pk):
        for request in project.approval_requests.all()[:10]:
            services.approval_decide(contact=approver, request=request, verdict="approve")

    with django_assert_num_queries(HOME_QUERIES):
        large = as_contact.get(url).content.decode()

    assert small.count('class="portal-request"') == 2
    assert large.count('class="portal-request"') == 20 and large.count('class="portal-decision"') == 10


def test_the_approval_page_runs_the_same_queries_for_2_or_30_comments(
    team, project, approver, reviewer, as_contact, django_assert_num_queries
):
    request = _image_request(team, project)
    url = _approval_url(request)

    def add(n: int) -> None:
        for i in range(n):
            author = approver if i % 2 else reviewer
            parent = _comment(author, request, f"Comment {i}", page=1, pin_x=0.1, pin_y=0.1)
            with scope(agency=team["agency"].pk):
                services.comment_add(
                    author=team["coordinator"].user,
                    request=request,
                    version=parent.version,
                    body=f"Reply {i}",
                    membership=team["coordinator"],
                    parent=parent,
                )

    add(1)
    with django_assert_num_queries(APPROVAL_QUERIES):
        small = as_contact.get(url).content.decode()
    add(14)
    with scope(agency=team["agency"].pk):
        services.feedback_capture(
            actor=team["coordinator"],
            request=request,
            body="Captured",
            source="call",
            said_by="Anna Li",
            said_at=timezone.now() - timedelta(hours=1),
        )
        services.approval_advise(contact=reviewer, request=request, verdict="approve")

    with django_assert_num_queries(APPROVAL_QUERIES):
        large = as_contact.get(url).content.decode()

    assert small.count('class="portal-comment"') == 2
    assert large.count('class="portal-comment"') == 31


# Session, user, contact; the agency's data version (the sections are kept under it: a repeat view stops
# there, tests/approvals/test_portal_home_kept.py); then the page's own reads (see
# approvals.portal_selectors), and the projects section's four (projects with health and open inputs,
# approvals per project, brand files, reports).
HOME_QUERIES = 11
APPROVAL_QUERIES = 9


def test_the_decision_log_runs_the_same_queries_for_5_or_60_entries(
    team, project, approver, as_contact, django_assert_num_queries
):
    request = factories.approval_create(actor=team["coordinator"], project=project)

    def add(n: int) -> None:
        with scope(agency=team["agency"].pk):
            for i in range(n):
                services.decision_log_add(
                    actor=team["coordinator"],
                    client=approver.client,
                    decision=f"Decision {i}",
                    approver_name="Anna Li",
                    asset="Spring campaign",
                    decided_on=timezone.localdate(),
                    source_kind="meeting",
                )

    with scope(agency=team["agency"].pk):
        services.approval_decide(contact=approver, request=request, verdict="approve")
    add(4)
    url = _url("portal_decision_log", team["agency"])
    with django_assert_num_queries(LOG_QUERIES):
        small = as_contact.get(url).content.decode()
    add(55)
    with django_assert_num_queries(LOG_QUERIES):
        large = as_contact.get(url + "?page=2").content.decode()

    assert small.count("<tr>") == 1 + 5
    assert large.count("<tr>") == 1 + 10 and "Page 2 of 2" in large
    assert "Open the approval" in large  # the oldest entry, the approval, is on the last page


LOG_QUERIES = 6


def test_approved_work_takes_no_new_comments_and_points_to_a_revision(team, project, approver, as_contact):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with scope(agency=team["agency"].pk):
        services.approval_decide(contact=approver, request=request, verdict="approve")

    response = as_contact.post(
        _url("portal_comment_create", team["agency"], request_id=request.pk),
        {"body": "One more thing"},
        follow=True,
    )

    page = response.content.decode()
    assert "This work is closed to comments. To change approved work, ask for a revision." in page
    assert 'id="comment-form"' not in page and "Ask for a revision" in page
    assert _counts(team["agency"])[0] == 0


def test_pinning_is_by_click_and_the_typed_position_waits_behind_a_toggle(team, project, as_contact):
    request = _image_request(team, project)
    page = as_contact.get(_url("portal_approval", team["agency"], request_id=request.pk)).content.decode()
    form = page.split('id="comment-form"')[1].split("</form>")[0]
    toggle = form.split('<details class="portal-position">')[1].split("</details>")[0]
    assert "<summary>Enter the position instead</summary>" in toggle
    assert 'name="pin_across"' in toggle and 'name="pin_down"' in toggle
    outside = form.replace(toggle, "")
    assert 'name="pin_across"' not in outside and 'name="body"' in outside
    refused = as_contact.post(
        _url("portal_comment_create", team["agency"], request_id=request.pk),
        {"body": "Here", "page": 1, "pin_across": "-5", "pin_down": "50"},
    ).content.decode()
    # A refused position opens the toggle, so the message is seen where the value was typed.
    assert '<details class="portal-position" open>' in refused


def test_the_final_approver_is_told_which_round_their_decision_closes_in_the_portals_words(
    team, project, as_contact
):
    request = factories.approval_create(actor=team["coordinator"], project=project, title="Hero copy")
    page = as_contact.get(_url("portal_approval", team["agency"], request_id=request.pk)).content.decode()
    assert "your decision closes the first round." in page
    assert "closes round 1" not in page


# ------------------------------------------------------------------ one title, one text box, no stale countdown


def _main(page: str) -> str:
    """What the page shows in its main region (the browser tab's <title> is not on the page)."""
    return page.split('<main id="main"', 1)[1]


def _box(page: str, verdict: str) -> str:
    """The opening tag of the text box tied to a verdict."""
    match = re.search(rf'<div class="field[^"]*" data-verdict-field="{verdict}"[^>]*>', page)
    assert match, verdict
    return match.group(0)


def test_the_review_page_shows_the_title_once(team, project, as_contact):
    request = factories.approval_create(actor=team["coordinator"], project=project, title="Hero copy")

    page = as_contact.get(_approval_url(request)).content.decode()

    assert _main(page).count("Hero copy") == 1
    assert re.search(r"<h1>Hero copy</h1>", page)


def test_each_text_box_is_tied_to_the_verdict_it_fits_and_the_wrong_one_stays_hidden_after_a_refusal(
    team, project, as_contact
):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    fresh = as_contact.get(_approval_url(request)).content.decode()

    refused = as_contact.post(
        _url("portal_decide", team["agency"], request_id=request.pk), {"verdict": "request_changes"}
    ).content.decode()

    # Before a choice both boxes are in the page (without JavaScript the client still needs them).
    assert " hidden" not in _box(fresh, "approve_with_changes")
    assert " hidden" not in _box(fresh, "request_changes")
    # "Request changes" without saying what: its box comes back with the message, the other one hidden.
    assert _box(refused, "approve_with_changes").endswith(" hidden>")
    assert "has-error" in _box(refused, "request_changes") and " hidden" not in _box(
        refused, "request_changes"
    )
    assert _counts(team["agency"])[1] == 0


def test_the_countdown_disappears_once_the_decision_is_made(team, project, approver, as_contact):
    request = factories.approval_create(actor=team["coordinator"], project=project, due_in_hours=48)
    before = as_contact.get(_approval_url(request)).content.decode()

    as_contact.post(
        _url("portal_decide", team["agency"], request_id=request.pk),
        {"verdict": "approve_with_changes", "changes": "Swap the photo."},
    )
    after = as_contact.get(_approval_url(request)).content.decode()

    assert "portal-countdown" in before and "Due in 2 days" in before
    assert "portal-countdown" not in after and "Due in" not in after and "Overdue by" not in after
    assert "When feedback is due" not in after
    assert "<dt>Decided</dt>" in after and "Approved with changes" in after and approver.full_name in after


def test_a_reviewer_who_has_advised_no_longer_sees_the_countdown(team, project, reviewer, logged_in):
    request = factories.approval_create(actor=team["coordinator"], project=project, due_in_hours=48)
    as_reviewer = logged_in(reviewer.user)

    as_reviewer.post(_url("portal_advise", team["agency"], request_id=request.pk), {"verdict": "approve"})
    page = as_reviewer.get(_approval_url(request)).content.decode()

    assert "You advised" in page
    assert "portal-countdown" not in page and "Due in 2 days" not in page


# ------------------------------------------------------------------ the work shown large: zoom and page thumbnails


def test_a_pdf_gets_a_thumbnail_strip_linking_to_each_page_and_every_page_a_full_size_link(
    team, project, as_contact
):
    request = factories.approval_create(
        actor=team["coordinator"], project=project, kind="pdf", upload=factories.pdf_upload(pages=3)
    )
    with scope(agency=team["agency"].pk):
        version = request.versions.get()

    page = as_contact.get(_approval_url(request)).content.decode()

    strip = page.split('<nav class="portal-thumbs" aria-label="Pages">', 1)[1].split("</nav>", 1)[0]
    for number in (1, 2, 3):
        page_url = _url("portal_version_page", team["agency"], version_id=version.pk, page=number)
        assert f'<a href="#page-{number}" aria-label="Page {number}"><img src="{page_url}"' in strip
        assert f'<figure class="portal-page" id="page-{number}">' in page
        assert f'<a href="{page_url}" target="_blank" rel="noopener">Open this page full size</a>' in page


def test_an_image_is_zoomable_with_keyboard_operable_controls_and_links_to_its_full_size(
    team, project, as_contact
):
    request = _image_request(team, project)
    with scope(agency=team["agency"].pk):
        version = request.versions.get()

    page = as_contact.get(_approval_url(request)).content.decode()

    # The controls wait for the script (they do nothing without it); the full-size link never does.
    controls = re.search(
        r'<div class="portal-zoom" data-zoom-controls role="group" aria-label="Zoom" hidden>(.*?)</div>',
        page,
        re.S,
    )
    assert controls and 'aria-label="Zoom in" aria-keyshortcuts="+"' in controls.group(1)
    assert 'aria-label="Zoom out" aria-keyshortcuts="-"' in controls.group(
        1
    ) and "Fit to width" in controls.group(1)
    assert re.search(
        r'<div class="portal-stage portal-stage-pinnable" data-pin-stage data-zoom-stage data-page="1" data-pinnable tabindex="0"',
        page,
    )
    file_url = _url("portal_version_file", team["agency"], version_id=version.pk)
    assert f'<a href="{file_url}" target="_blank" rel="noopener">Open the image full size</a>' in page
    assert "/static/js/zoom.js" in page
    # A single image has no page strip.
    assert "portal-thumbs" not in page
