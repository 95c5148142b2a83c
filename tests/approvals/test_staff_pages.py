"""The agency's approval pages: the list, a new request, a request's page and its actions, compare,
the stored files, change requests and notifications."""

from __future__ import annotations

import re
import zoneinfo
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from agencyops.models import Notification
from approvals import services
from approvals.models import (
    ApprovalRequest,
    ApprovalStatus,
    AssetVersion,
    ChangeRequest,
    Comment,
)
from projects.models import DeadlineChange, Task
from tests import factories
from tests.reads import STAFF_PAGE_READS

pytestmark = pytest.mark.django_db


def url(name: str, agency, *args) -> str:
    return reverse(name, args=[agency.slug, *args])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _decide(approver, request, verdict, **kwargs):
    with scope(agency=request.agency_id):
        return services.approval_decide(contact=approver, request=request, verdict=verdict, **kwargs)


def _next_round(team, approver, request, text):
    """The client asks for changes on the sent round; the coordinator uploads the next version."""
    _decide(approver, request, "request_changes", comment=f"Not yet ({text})")
    with scope(agency=request.agency_id):
        return services.version_add(actor=team["coordinator"], request=request, kind="text", text=text)


def _local_input(agency, moment):
    local = moment.astimezone(zoneinfo.ZoneInfo(agency.time_zone))
    return local.date().isoformat(), local.strftime("%H:%M")


# --------------------------------------------------------------------------- the list


def test_the_list_shows_who_decides_by_when_which_round_and_highlights_overdue(
    team, project, approver, as_member
):
    agency = team["agency"]
    late = factories.approval_create(actor=team["coordinator"], project=project, title="Hero banner copy")
    with scope(agency=agency.pk):
        ApprovalRequest.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=3))
    on_time = factories.approval_create(actor=team["coordinator"], project=project, title="Email sequence")
    _next_round(team, approver, on_time, "Email v2")
    with scope(agency=agency.pk):
        services.approval_request_send(actor=team["coordinator"], request=on_time)
        on_time.refresh_from_db()

    page = as_member.get(url("approval_list", agency)).content.decode()
    assert "Hero banner copy" in page and "Email sequence" in page
    assert approver.full_name in page and "Acme Dental" in page and "Spring launch" in page
    assert "v2 · revision round 1 of 2 included" in page and "v1 · first round" in page
    assert services.format_moment(on_time.due_at, agency) in page
    overdue_row = re.search(r'<tr class="ap-row-overdue">(.*?)</tr>', page, re.S).group(1)
    assert "Hero banner copy" in overdue_row and "Overdue" in overdue_row
    assert page.count("ap-row-overdue") == 1
    assert "Awaiting client decision" in page


def test_the_list_filters_by_status_client_and_project_and_htmx_gets_the_table_alone(
    team, project, approver, as_coordinator
):
    agency = team["agency"]
    bakery = factories.project_create(actor=team["coordinator"], client=team["clients"][1], name="Bakery ads")
    factories.approval_create(actor=team["coordinator"], project=project, title="Dental copy")
    factories.approval_create(actor=team["coordinator"], project=bakery, title="Bakery copy", send=False)

    by_client = as_coordinator.get(
        url("approval_list", agency), {"client": team["clients"][1].pk}
    ).content.decode()
    assert "Bakery copy" in by_client and "Dental copy" not in by_client
    by_project = as_coordinator.get(url("approval_list", agency), {"project": project.pk}).content.decode()
    assert "Dental copy" in by_project and "Bakery copy" not in by_project
    drafts = as_coordinator.get(url("approval_list", agency), {"status": "draft"}).content.decode()
    assert "Bakery copy" in drafts and "Dental copy" not in drafts

    partial = as_coordinator.get(
        url("approval_list", agency), {"status": "awaiting_client"}, HTTP_HX_REQUEST="true"
    )
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="approval-table">')
    assert "Dental copy" in body and "<html" not in body

    nothing = as_coordinator.get(url("approval_list", agency), {"status": "cancelled"}).content.decode()
    assert "No requests match" in nothing


def test_the_empty_list_explains_approvals_and_links_to_create_one(team, as_coordinator, as_member):
    agency = team["agency"]
    page = as_coordinator.get(url("approval_list", agency)).content.decode()
    assert "No approval requests yet" in page and "names the one person who decides" in page
    assert f'href="{url("approval_create", agency)}"' in page
    member_page = as_member.get(url("approval_list", agency)).content.decode()
    assert "No approval requests yet" in member_page and url("approval_create", agency) not in member_page


def _many_requests(team, count):
    projects = [
        factories.project_create(actor=team["coordinator"], client=client, name=f"Project for {client.name}")
        for client in team["clients"]
    ]
    for contact in team["contacts"]:
        with scope(agency=team["agency"].pk):
            contact.is_default_approver = True
            contact.save(update_fields=["is_default_approver"])
    for n in range(count):
        factories.approval_create(
            actor=team["coordinator"], project=projects[n % 2], title=f"Deliverable {n}", send=n % 3 == 0
        )


@pytest.mark.parametrize("count", [5, 40])
def test_the_list_runs_the_same_queries_for_5_or_40_requests(
    count, team, as_coordinator, django_assert_num_queries
):
    _many_requests(team, count)
    # the first reads; clients and projects for the filters; the requests with their latest version
    with django_assert_num_queries(STAFF_PAGE_READS + 3):
        response = as_coordinator.get(url("approval_list", team["agency"]))
    assert response.content.decode().count("ap-status-") == count


# --------------------------------------------------------------------------- a new request


def test_the_create_page_preselects_the_project_its_default_approver_and_review_milestone(
    team, project, as_coordinator
):
    agency = team["agency"]
    with scope(agency=agency.pk):
        other = factories.contact_create(actor=team["owner"], client=project.client, full_name="Omar Other")
        review = project.tasks.filter(is_review_milestone=True).order_by("start_date", "order").first()
    page = as_coordinator.get(url("approval_create", agency), {"project": project.pk}).content.decode()
    default = team["contacts"][0]
    assert re.search(rf'<option value="{project.pk}" selected>', page)
    assert re.search(rf'<option value="{default.pk}" selected>{re.escape(default.full_name)}', page)
    assert f'<option value="{other.pk}">Omar Other' in page
    assert re.search(rf'<option value="{review.pk}" selected>', page)
    # Review milestones come first in the gated-task picker.
    task_select = re.search(r'<select name="task".*?</select>', page, re.S).group(0)
    assert task_select.index("(review)") < task_select.index("Sitemap")
    assert "Headline, page copy, CTA and offer accuracy. Design polish comes after copy approval." in page
    assert agency.approval_terms in page
    # Another client's contacts are not offered.
    assert team["contacts"][1].full_name not in page


def test_changing_the_project_reloads_the_approver_list_with_htmx(team, project, as_coordinator):
    agency = team["agency"]
    bakery = factories.project_create(actor=team["coordinator"], client=team["clients"][1], name="Bakery ads")
    response = as_coordinator.get(
        url("approval_create", agency), {"project": bakery.pk}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<fieldset class="ap-fieldset" id="project-fields"')
    assert team["contacts"][1].full_name in body and team["contacts"][0].full_name not in body
    assert "<html" not in body


def test_a_coordinator_prepares_a_copy_request_and_lands_on_its_page_with_a_send_button(
    team, project, as_coordinator
):
    agency, approver = team["agency"], team["contacts"][0]
    due_date, due_time = _local_input(agency, timezone.now() + timedelta(days=3))
    with scope(agency=agency.pk):
        task = project.tasks.get(key="copy-approval")
    response = as_coordinator.post(
        url("approval_create", agency),
        {
            "project": project.pk,
            "title": "Landing page copy",
            "deliverable": "Homepage messaging",
            "final_approver": approver.pk,
            "scopes": ["copy", "timing"],
            "scope_notes": "Headline and CTA only.",
            "due_date": due_date,
            "due_time": due_time,
            "after_approval": "",
            "task": task.pk,
            "text": "Smile with confidence.\nBook today.",
        },
        follow=True,
    )
    with scope(agency=agency.pk):
        request = ApprovalRequest.objects.get()
        assert request.scopes == ["copy", "timing"] and request.final_approver == approver
        assert request.after_approval == agency.approval_terms and request.task == task
        assert request.status == ApprovalStatus.DRAFT
        assert request.versions.get().text == "Smile with confidence.\nBook today."
        local_due = request.due_at.astimezone(zoneinfo.ZoneInfo(agency.time_zone))
        assert (local_due.date().isoformat(), local_due.strftime("%H:%M")) == (due_date, due_time)
    assert response.redirect_chain[-1][0] == url("approval_detail", agency, request.pk)
    page = response.content.decode()
    assert f"Send to {approver.full_name}" in page
    assert "Headline and CTA only." in page and "Copy" in page and "Timing" in page
    assert services.format_moment(request.due_at, agency) in page
    assert agency.approval_terms in page


def test_a_request_can_start_with_an_uploaded_image(team, project, as_coordinator):
    agency = team["agency"]
    due_date, due_time = _local_input(agency, timezone.now() + timedelta(days=3))
    response = as_coordinator.post(
        url("approval_create", agency),
        {
            "project": project.pk,
            "title": "Hero image",
            "final_approver": team["contacts"][0].pk,
            "scopes": ["design"],
            "due_date": due_date,
            "due_time": due_time,
            "file": factories.png_upload(size=(640, 480)),
        },
    )
    with scope(agency=agency.pk):
        version = AssetVersion.objects.get()
    assert response.status_code == 302
    assert (version.kind, version.width, version.height) == ("image", 640, 480)
    page = as_coordinator.get(url("approval_detail", agency, version.request_id)).content.decode()
    assert f'src="{url("version_file", agency, version.pk)}"' in page
    assert 'viewBox="0 0 640 480"' in page


def test_the_create_page_refuses_no_scope_a_past_due_time_and_another_clients_approver(
    team, project, as_coordinator
):
    agency = team["agency"]
    due_date, due_time = _local_input(agency, timezone.now() - timedelta(hours=2))
    response = as_coordinator.post(
        url("approval_create", agency),
        {
            "project": project.pk,
            "title": "Landing page copy",
            "final_approver": team["contacts"][1].pk,  # Birch Bakery's contact, not Acme Dental's
            "due_date": due_date,
            "due_time": due_time,
            "text": "Some copy",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "Choose a contact at Acme Dental" in form.errors["final_approver"][0]
    assert "copy, design, strategy, budget or timing" in form.errors["scopes"][0]
    assert "cannot be due in the past" in form.errors["due_date"][0]
    page = response.content.decode()
    assert 'id="id_final_approver_error"' in page and 'id="id_due_date_error"' in page
    with scope(agency=agency.pk):
        assert ApprovalRequest.objects.count() == 0 and AssetVersion.objects.count() == 0


def test_a_member_cannot_prepare_a_request(team, project, as_member):
    response = as_member.post(url("approval_create", team["agency"]), {"project": project.pk, "title": "X"})
    assert response.status_code == 403
    with scope(agency=team["agency"].pk):
        assert ApprovalRequest.objects.count() == 0


# --------------------------------------------------------------------------- sending


def test_sending_a_round_beyond_budget_needs_the_change_request_accepted(
    team, project, approver, as_coordinator
):
    agency = team["agency"]
    request = factories.approval_create(actor=team["coordinator"], project=project)
    for n in (2, 3):
        _next_round(team, approver, request, f"Copy v{n}")
        with scope(agency=agency.pk):
            services.approval_request_send(actor=team["coordinator"], request=request)
    _next_round(team, approver, request, "Copy v4")

    confirm = as_coordinator.get(url("approval_send", agency, request.pk)).content.decode()
    assert "Revision round 3 of 2 included — sending it creates a change request" in confirm
    assert 'name="accept_change_request"' in confirm and 'name="extra_cost"' in confirm

    refused = as_coordinator.post(url("approval_send", agency, request.pk), {"extra_cost": "250"})
    assert "revision round 3" in refused.context["form"].errors["accept_change_request"][0]
    with scope(agency=agency.pk):
        assert ChangeRequest.objects.count() == 0
        assert request.versions.get(number=4).sent_at is None

    sent = as_coordinator.post(
        url("approval_send", agency, request.pk), {"accept_change_request": "on", "extra_cost": "250"}
    )
    assert sent.status_code == 302
    with scope(agency=agency.pk):
        change = ChangeRequest.objects.get()
        assert change.reason == "extra_round" and change.impact_budget == Decimal("250.00")
        request.refresh_from_db()
        assert request.status == ApprovalStatus.AWAITING_CLIENT
        assert request.versions.get(number=4).sent_at is not None
    detail = as_coordinator.get(url("approval_detail", agency, request.pk)).content.decode()
    assert f'href="{url("change_request_detail", agency, change.pk)}"' in detail


def test_a_first_round_is_sent_without_a_checkbox_and_tells_the_approver(
    team, project, approver, as_coordinator
):
    agency = team["agency"]
    request = factories.approval_create(actor=team["coordinator"], project=project, send=False)
    confirm = as_coordinator.get(url("approval_send", agency, request.pk)).content.decode()
    assert "First round" in confirm and 'name="accept_change_request"' not in confirm
    response = as_coordinator.post(url("approval_send", agency, request.pk), {}, follow=True)
    assert f"Sent to {approver.full_name}" in response.content.decode()
    with scope(agency=agency.pk):
        request.refresh_from_db()
        assert request.status == ApprovalStatus.AWAITING_CLIENT
        assert Notification.objects.filter(
            target_type="approvals.approvalrequest", target_id=request.pk, recipient_email=approver.email
        ).exists()


def test_an_internal_approver_signs_off_before_the_client_sees_it(team, project, approver, logged_in):
    agency, designer = team["agency"], team["members"][1]
    request = factories.approval_create(
        actor=team["coordinator"], project=project, send=False, internal_approver=designer
    )
    coordinator = logged_in(team["coordinator"].user)
    response = coordinator.post(url("approval_send", agency, request.pk), {}, follow=True)
    assert "for internal sign-off first" in response.content.decode()
    with scope(agency=agency.pk):
        request.refresh_from_db()
        assert request.status == ApprovalStatus.AWAITING_INTERNAL

    someone_else = logged_in(team["members"][0].user)
    assert someone_else.post(url("approval_signoff", agency, request.pk)).status_code == 403
    as_designer = logged_in(designer.user)
    page = as_designer.get(url("approval_detail", agency, request.pk)).content.decode()
    assert f"Sign off and send to {approver.full_name}" in page
    as_designer.post(url("approval_signoff", agency, request.pk))
    with scope(agency=agency.pk):
        request.refresh_from_db()
        assert request.status == ApprovalStatus.AWAITING_CLIENT and request.internal_signed_off_at is not None


# --------------------------------------------------------------------------- comments and feedback


def test_comments_and_captured_feedback_appear_with_their_labels(team, project, approver, as_coordinator):
    agency = team["agency"]
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with scope(agency=agency.pk):
        services.comment_add(
            author=approver.user,
            request=request,
            version=request.versions.get(),
            body="Offer is 20% off",
            contact=approver,
        )
    as_coordinator.post(url("comment_create", agency, request.pk), {"body": "Fixing the offer now."})
    said_at = timezone.now() - timedelta(days=1)
    said_on, said_time = _local_input(agency, said_at)
    as_coordinator.post(
        url("feedback_capture", agency, request.pk),
        {
            "source": "call",
            "said_by": "Dr Anna Li",
            "said_on": said_on,
            "said_time": said_time,
            "body": "Please mention Saturday openings.",
        },
    )
    page = as_coordinator.get(url("approval_detail", agency, request.pk)).content.decode()
    assert "Offer is 20% off" in page and "Client contact" in page and approver.full_name in page
    assert "Fixing the offer now." in page and "Team member" in page
    assert "Please mention Saturday openings." in page
    local = said_at.astimezone(zoneinfo.ZoneInfo(agency.time_zone))
    assert f"Captured from call on {local:%a} {local.day} {local:%b %Y}" in page
    assert "said by Dr Anna Li" in page
    with scope(agency=agency.pk):
        captured = Comment.objects.get(source="call")
        assert captured.said_by == "Dr Anna Li" and captured.author_membership == team["coordinator"]
        assert Comment.objects.count() == 3


def test_captured_feedback_needs_who_and_cannot_come_from_the_future(team, project, as_coordinator):
    agency = team["agency"]
    request = factories.approval_create(actor=team["coordinator"], project=project)
    said_on, said_time = _local_input(agency, timezone.now() + timedelta(days=2))
    response = as_coordinator.post(
        url("feedback_capture", agency, request.pk),
        {"source": "email", "said_by": "", "said_on": said_on, "said_time": said_time, "body": "Looks good"},
    )
    errors = response.context["form"].errors
    assert "who gave the feedback" in errors["said_by"][0] and "future" in errors["said_on"][0]
    with scope(agency=agency.pk):
        assert Comment.objects.count() == 0


def test_internal_comments_are_marked_internal_and_replies_are_indented(team, project, as_member):
    agency = team["agency"]
    request = factories.approval_create(actor=team["coordinator"], project=project)
    as_member.post(
        url("comment_create", agency, request.pk), {"body": "Margin is thin here", "is_internal": "on"}
    )
    with scope(agency=agency.pk):
        internal = Comment.objects.get()
        assert internal.is_internal
    reply_page = as_member.get(
        url("comment_create", agency, request.pk), {"parent": internal.pk}
    ).content.decode()
    assert "Margin is thin here" in reply_page and "your reply is internal too" in reply_page
    as_member.post(
        url("comment_create", agency, request.pk), {"body": "Agreed, keep it short", "parent": internal.pk}
    )
    page = as_member.get(url("approval_detail", agency, request.pk)).content.decode()
    internal_item = re.search(rf'<li id="comment-{internal.pk}" class="([^"]+)"', page).group(1)
    assert "ap-comment-internal" in internal_item and "ap-depth-0" in internal_item
    with scope(agency=agency.pk):
        reply = Comment.objects.get(parent=internal)
        assert reply.is_internal  # a reply in an internal thread stays internal
    reply_item = re.search(rf'<li id="comment-{reply.pk}" class="([^"]+)"', page).group(1)
    assert "ap-depth-1" in reply_item
    assert page.count('<span class="badge ap-internal">Internal</span>') == 2


def test_an_empty_comment_is_refused_on_the_field(team, project, as_member):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    response = as_member.post(url("comment_create", team["agency"], request.pk), {"body": "  "})
    assert "Write your comment" in response.context["form"].errors["body"][0]
    with scope(agency=team["agency"].pk):
        assert Comment.objects.count() == 0


def test_resolving_and_reopening_a_comment(team, project, approver, as_member):
    agency = team["agency"]
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with scope(agency=agency.pk):
        comment = services.comment_add(
            author=approver.user,
            request=request,
            version=request.versions.get(),
            body="CTA too long",
            contact=approver,
        )
    as_member.post(url("comment_resolve", agency, request.pk, comment.pk), {"resolved": "1"})
    with scope(agency=agency.pk):
        comment.refresh_from_db()
        assert comment.resolved_at is not None and comment.resolved_by == team["members"][0]
    page = as_member.get(url("approval_detail", agency, request.pk)).content.decode()
    assert "Reopen" in page and "ap-comment-resolved" in page
    as_member.post(url("comment_resolve", agency, request.pk, comment.pk), {"resolved": "0"})
    with scope(agency=agency.pk):
        comment.refresh_from_db()
        assert comment.resolved_at is None


def test_commented_passages_of_copy_are_highlighted_and_escaped(team, project, approver, as_member):
    agency = team["agency"]
    text = "Headline: <b>Smile</b> & shine.\nBook today."
    request = factories.approval_create(actor=team["coordinator"], project=project, text=text)
    with scope(agency=agency.pk):
        services.comment_add(
            author=approver.user,
            request=request,
            version=request.versions.get(),
            body="Tone down",
            contact=approver,
            quote_start=10,
            quote_end=22,
        )
    page = as_member.get(url("approval_detail", agency, request.pk)).content.decode()
    assert '<mark class="ap-passage" title="Comment 1">&lt;b&gt;Smile&lt;/b&gt;</mark>' in page
    assert "&amp; shine." in page and "<b>Smile</b>" not in page


def test_pins_are_drawn_on_each_pdf_page_beside_numbered_comments(team, project, approver, as_member):
    agency = team["agency"]
    with scope(agency=agency.pk):
        request = services.approval_request_create(
            actor=team["coordinator"],
            project=project,
            title="Brochure",
            final_approver=approver,
            scopes=["design"],
            due_at=timezone.now() + timedelta(days=2),
            kind="file",
            upload=factories.pdf_upload(pages=2),
        )
        factories.pdf_pages_rendered(request)
        services.approval_request_send(actor=team["coordinator"], request=request)
        version = request.versions.get()
        services.comment_add(
            author=approver.user,
            request=request,
            version=version,
            body="Logo bigger",
            contact=approver,
            page=2,
            pin_x=0.25,
            pin_y=0.5,
        )
        page_two = version.pages.get(number=2)
    page = as_member.get(url("approval_detail", agency, request.pk)).content.decode()
    assert f'src="{url("version_page", agency, version.pk, 1)}"' in page
    assert f'src="{url("version_page", agency, version.pk, 2)}"' in page
    cx, cy = round(0.25 * page_two.width), round(0.5 * page_two.height)
    assert f'<circle cx="{cx}" cy="{cy}"' in page
    assert page.count("<circle") == 1
    assert '<span class="ap-num" id="num-1-1" aria-label="Comment 1">1</span>' in page
    assert "pinned on page 2" in page


# --------------------------------------------------------------------------- versions


def test_a_new_version_is_uploaded_through_the_page_and_older_ones_are_read_only(
    team, project, approver, as_coordinator
):
    agency = team["agency"]
    request = factories.approval_create(actor=team["coordinator"], project=project, text="Copy one")
    _decide(approver, request, "request_changes", comment="Shorter please")
    response = as_coordinator.post(
        url("version_create", agency, request.pk), {"text": "Copy two", "notes": "Shortened the headline"}
    )
    assert response.status_code == 302
    with scope(agency=agency.pk):
        assert list(request.versions.values_list("number", "text")) == [(1, "Copy one"), (2, "Copy two")]
    latest = as_coordinator.get(url("approval_detail", agency, request.pk)).content.decode()
    assert (
        "Copy two" in latest
        and "Shortened the headline" in latest
        and "v2 · revision round 1 of 2 included" in latest
    )
    older = as_coordinator.get(url("approval_detail", agency, request.pk), {"v": 1}).content.decode()
    assert "An earlier version, read-only." in older and "Copy one" in older and "Shorter please" in older
    assert url("comment_resolve", agency, request.pk, 0).rsplit("/0/", 1)[0] not in older
    assert 'name="body"' not in older


def test_an_empty_new_version_is_refused_and_nothing_is_stored(team, project, approver, as_coordinator):
    agency = team["agency"]
    request = factories.approval_create(actor=team["coordinator"], project=project)
    _decide(approver, request, "request_changes", comment="Shorter please")
    response = as_coordinator.post(url("version_create", agency, request.pk), {"text": "", "notes": "x"})
    assert "Paste the copy" in response.context["form"].errors["text"][0]
    with scope(agency=agency.pk):
        assert request.versions.count() == 1


def test_compare_shows_both_versions_side_by_side_with_a_line_diff(team, project, approver, as_member):
    agency = team["agency"]
    request = factories.approval_create(
        actor=team["coordinator"], project=project, text="Smile with confidence.\nBook today."
    )
    _next_round(team, approver, request, "Smile with confidence.\nBook your visit this Saturday.")
    page = as_member.get(url("version_compare", agency, request.pk), {"a": 1, "b": 2}).content.decode()
    assert "Compare v1 and v2" in page
    assert '<del><span class="sr-only">Removed: </span>Book today.</del>' in page
    assert '<ins><span class="sr-only">Added: </span>Book your visit this Saturday.</ins>' in page
    assert '<span class="ap-diff-same">Smile with confidence.</span>' in page
    assert 'id="cmp-1-h"' in page and 'id="cmp-2-h"' in page
    assert "Not yet (Smile with confidence." in page  # the v1 comment shows under v1


def test_compare_shows_two_image_versions_with_their_files(team, project, approver, as_member):
    agency = team["agency"]
    with scope(agency=agency.pk):
        request = services.approval_request_create(
            actor=team["coordinator"],
            project=project,
            title="Hero image",
            final_approver=approver,
            scopes=["design"],
            due_at=timezone.now() + timedelta(days=2),
            kind="file",
            upload=factories.png_upload(size=(400, 300)),
        )
        services.approval_request_send(actor=team["coordinator"], request=request)
    _decide(approver, request, "request_changes", comment="Brighter")
    with scope(agency=agency.pk):
        services.version_add(
            actor=team["coordinator"],
            request=request,
            kind="file",
            upload=factories.png_upload(size=(800, 600)),
        )
        first, second = request.versions.order_by("number")
    page = as_member.get(url("version_compare", agency, request.pk)).content.decode()
    assert f'src="{url("version_file", agency, first.pk)}"' in page
    assert f'src="{url("version_file", agency, second.pk)}"' in page
    assert 'viewBox="0 0 400 300"' in page and 'viewBox="0 0 800 600"' in page


# --------------------------------------------------------------------------- stored files


def test_version_files_stream_inline_with_their_type_and_404_for_another_agency(
    team, other_team, project, approver, as_member, logged_in
):
    agency = team["agency"]
    upload = factories.png_upload(size=(120, 90))
    with scope(agency=agency.pk):
        request = services.approval_request_create(
            actor=team["coordinator"],
            project=project,
            title="Logo",
            final_approver=approver,
            scopes=["design"],
            due_at=timezone.now() + timedelta(days=2),
            kind="file",
            upload=upload,
        )
        version = request.versions.get()
    upload.seek(0)
    original = upload.read()
    response = as_member.get(url("version_file", agency, version.pk))
    assert b"".join(response.streaming_content) == original
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"

    outsider = logged_in(other_team["owner"].user)
    assert outsider.get(url("version_file", other_team["agency"], version.pk)).status_code == 404
    assert outsider.get(url("version_file", agency, version.pk)).status_code == 404


def test_pdf_page_images_stream_as_png_and_404_for_another_agency_or_a_missing_page(
    team, other_team, project, approver, as_member, logged_in
):
    agency = team["agency"]
    with scope(agency=agency.pk):
        request = services.approval_request_create(
            actor=team["coordinator"],
            project=project,
            title="Brochure",
            final_approver=approver,
            scopes=["design"],
            due_at=timezone.now() + timedelta(days=2),
            kind="file",
            upload=factories.pdf_upload(pages=2),
        )
        factories.pdf_pages_rendered(request)
        version = request.versions.get()
        stored = version.pages.get(number=2).image.open("rb").read()
    response = as_member.get(url("version_page", agency, version.pk, 2))
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == stored
    pdf = as_member.get(url("version_file", agency, version.pk))
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert as_member.get(url("version_page", agency, version.pk, 3)).status_code == 404
    outsider = logged_in(other_team["owner"].user)
    assert outsider.get(url("version_page", other_team["agency"], version.pk, 1)).status_code == 404


GET_ONLY_OR_POST_ONLY = {
    ("approval_detail", "post"),
    ("version_compare", "post"),
    ("approval_signoff", "get"),
    ("comment_resolve", "get"),
}


def test_another_agencys_request_and_its_comments_answer_404_on_every_view(
    team, other_team, project, approver, logged_in
):
    agency = team["agency"]
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with scope(agency=agency.pk):
        comment = services.comment_add(
            author=approver.user, request=request, version=request.versions.get(), body="Hi", contact=approver
        )
    http = logged_in(other_team["owner"].user)
    missing = 2_147_483_647
    for name, args, missing_args in (
        ("approval_detail", [request.pk], [missing]),
        ("approval_send", [request.pk], [missing]),
        ("approval_signoff", [request.pk], [missing]),
        ("version_create", [request.pk], [missing]),
        ("version_compare", [request.pk], [missing]),
        ("comment_create", [request.pk], [missing]),
        ("comment_resolve", [request.pk, comment.pk], [missing, missing]),
        ("feedback_capture", [request.pk], [missing]),
        ("approval_revision", [request.pk], [missing]),
    ):
        for method in ("get", "post"):
            send = getattr(http, method)
            foreign = send(url(name, other_team["agency"], *args), {"body": "x", "text": "y"})
            absent = send(url(name, other_team["agency"], *missing_args), {"body": "x"})
            # Exactly like a missing one: 404, or 405 where the page does not take that method at all.
            assert foreign.status_code == absent.status_code, (name, method)
            expected = 405 if (name, method) in GET_ONLY_OR_POST_ONLY else 404
            assert foreign.status_code == expected, (name, method)
    with scope(agency=agency.pk):
        assert Comment.objects.count() == 1 and request.versions.count() == 1
        comment.refresh_from_db()
        assert comment.resolved_at is None


# --------------------------------------------------------------------------- change requests


def test_revising_approved_work_becomes_a_change_request_and_approving_it_moves_the_plan(
    team, project, approver, as_coordinator, as_member
):
    agency = team["agency"]
    request = factories.approval_create(actor=team["coordinator"], project=project)
    _decide(approver, request, "approve")
    detail = as_coordinator.get(url("approval_detail", agency, request.pk)).content.decode()
    assert "The client wants to revise approved work" in detail

    response = as_coordinator.post(
        url("approval_revision", agency, request.pk),
        {"description": "Mention Saturday openings in the headline"},
    )
    with scope(agency=agency.pk):
        change = ChangeRequest.objects.get()
        task = Task.objects.get(pk=change.affected_task_id)
        due_before = task.due_date
    assert response["Location"] == url("change_request_detail", agency, change.pk)

    listing = as_member.get(url("change_request_list", agency)).content.decode()
    assert "Mention Saturday openings" in listing and "Homepage messaging was approved on" in listing
    assert "Pending" in listing and team["coordinator"].user.full_name in listing
    if change.impact_business_days:
        assert f"+{change.impact_business_days} business day" in listing and "Forecast launch" in listing

    assert (
        as_member.post(url("change_request_detail", agency, change.pk), {"verdict": "approved"}).status_code
        == 403
    )
    page = as_coordinator.get(url("change_request_detail", agency, change.pk)).content.decode()
    assert "Approve the change" in page and change.citation in page
    as_coordinator.post(
        url("change_request_detail", agency, change.pk), {"verdict": "approved", "note": "Agreed"}
    )
    with scope(agency=agency.pk):
        move = DeadlineChange.objects.get(task=task, cause="change_request")
        assert move.old_due == due_before and move.new_due > due_before
        assert hasattr(ChangeRequest.objects.get(pk=change.pk), "decision")
    after = as_coordinator.get(url("change_request_detail", agency, change.pk)).content.decode()
    assert "Deadlines it moved" in after and task.title in after and "Approve the change" not in after
    assert "Approved" in after and "“Agreed”" in after


def test_rejecting_a_change_request_moves_nothing(team, project, approver, as_owner):
    agency = team["agency"]
    request = factories.approval_create(actor=team["coordinator"], project=project)
    _decide(approver, request, "approve")
    with scope(agency=agency.pk):
        change = services.approval_request_revision(
            request=request, description="New hero photo", requester=team["coordinator"]
        )
    as_owner.post(url("change_request_detail", agency, change.pk), {"verdict": "rejected"})
    with scope(agency=agency.pk):
        assert not DeadlineChange.objects.filter(cause="change_request").exists()
        assert ChangeRequest.objects.get(pk=change.pk).decision.verdict == "rejected"
    rejected = as_owner.get(url("change_request_list", agency), {"status": "rejected"}).content.decode()
    assert "New hero photo" in rejected
    pending = as_owner.get(url("change_request_list", agency), {"status": "pending"}).content.decode()
    assert "New hero photo" not in pending and "No pending change requests" in pending


def test_a_change_request_of_another_agency_is_404(team, other_team, project, approver, logged_in):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    _decide(approver, request, "approve")
    with scope(agency=team["agency"].pk):
        change = services.approval_request_revision(request=request, description="X", requester=team["owner"])
    outsider = logged_in(other_team["owner"].user)
    target = url("change_request_detail", other_team["agency"], change.pk)
    assert outsider.get(target).status_code == 404
    assert outsider.post(target, {"verdict": "approved"}).status_code == 404
    with scope(agency=team["agency"].pk):
        assert not hasattr(ChangeRequest.objects.get(pk=change.pk), "decision")


# --------------------------------------------------------------------------- notifications


def test_the_notification_list_shows_the_mails_sent_newest_first(
    team, other_team, project, approver, as_member
):
    agency = team["agency"]
    first = factories.approval_create(actor=team["coordinator"], project=project, title="First thing")
    factories.approval_create(actor=team["coordinator"], project=project, title="Second thing")
    factories.approval_create(
        actor=other_team["coordinator"],
        project=factories.project_create(actor=other_team["coordinator"], client=other_team["clients"][0]),
        title="Elsewhere",
    )
    page = as_member.get(url("notification_list", agency)).content.decode()
    assert page.index("For your approval: Second thing") < page.index("For your approval: First thing")
    assert approver.email in page and "Elsewhere" not in page
    assert f'href="{url("approval_detail", agency, first.pk)}"' in page


def test_the_notification_list_says_what_will_appear_when_empty(team, as_member):
    page = as_member.get(url("notification_list", team["agency"])).content.decode()
    assert "No mail sent yet" in page


@pytest.mark.parametrize("replies", [1, 25])
def test_the_request_page_runs_the_same_queries_for_few_or_many_comments(
    replies, team, project, approver, as_coordinator, django_assert_num_queries
):
    agency, coordinator = team["agency"], team["coordinator"]
    request = factories.approval_create(actor=coordinator, project=project)
    with scope(agency=agency.pk):
        version = request.versions.get()
        top = services.comment_add(
            author=approver.user, request=request, version=version, body="Top", contact=approver
        )
        for n in range(replies):
            services.comment_add(
                author=coordinator.user,
                request=request,
                version=version,
                body=f"Reply {n}",
                membership=coordinator,
                parent=top,
                is_internal=n % 2 == 0,
            )
            services.feedback_capture(
                actor=coordinator,
                request=request,
                body=f"Call {n}",
                source="call",
                said_by="Anna",
                said_at=timezone.now(),
            )
        services.comment_resolve(actor=coordinator, comment=top)
    # the first reads; the request; versions, their pages; comments; decisions; change requests; the
    # request's inbound address (shown to coordinators)
    with django_assert_num_queries(STAFF_PAGE_READS + 7):
        response = as_coordinator.get(url("approval_detail", agency, request.pk))
    assert response.content.decode().count('class="ap-comment ') == 1 + 2 * replies


@pytest.mark.parametrize("total", [1, 5])
def test_the_project_page_lists_its_approvals_with_round_state_and_next_action_in_fixed_queries(
    team, project, approver, as_member, total, django_assert_num_queries
):
    agency = team["agency"]
    requests = [
        factories.approval_create(actor=team["coordinator"], project=project, title=f"Copy round {n}")
        for n in range(total)
    ]
    _next_round(team, approver, requests[0], "Copy v2")
    page_url = reverse("project_detail", kwargs={"agency_slug": agency.slug, "project_id": project.pk})
    # The first reads, the page's version stamp, the page's rows (one round trip), the approvals (one query).
    with django_assert_num_queries(STAFF_PAGE_READS + 3):
        page = as_member.get(page_url).content.decode()
    # The section is kept in the page's body: a repeat view reads only the version.
    with django_assert_num_queries(STAFF_PAGE_READS + 1):
        again = as_member.get(page_url).content.decode()
    assert factories.without_csrf(again) == factories.without_csrf(page)

    for request in requests:
        assert f'id="approval-{request.pk}"' in page and request.title in page
    assert "v2 · revision round 1 of 2 included" in page
    assert services.format_moment(requests[-1].due_at, agency) in page
