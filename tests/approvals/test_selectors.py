"""Reads behind the agency's approval pages: labels, threads, pins, highlights, diffs, log numbers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from approvals import selectors, services
from approvals.selectors import CopySegment, DiffLine, copy_diff, copy_segments, round_label
from tests import factories

# --------------------------------------------------------------------------- pure helpers


def test_round_labels_count_revision_rounds_against_the_budget():
    assert round_label(1, 2) == "v1 · first round"
    assert round_label(3, 2) == "v3 · revision round 2 of 2 included"
    assert round_label(4, 2) == "v4 · revision round 3 of 2 included"
    assert round_label(None, 2) == "No version yet"
    assert not selectors.is_beyond_budget(3, 2) and selectors.is_beyond_budget(4, 2)


def test_copy_is_split_at_every_passage_so_overlaps_keep_both_numbers():
    text = "Smile with confidence today"
    segments = copy_segments(text, [(1, 0, 10), (2, 6, 21), (3, 50, 60)])
    assert segments == [
        CopySegment("Smile ", [1]),
        CopySegment("with", [1, 2]),
        CopySegment(" confidence", [2]),
        CopySegment(" today", []),
    ]
    assert "".join(s.text for s in segments) == text
    assert copy_segments("", []) == []


def test_a_copy_diff_marks_removed_and_added_lines_in_order():
    before = "Headline\nBook today.\nCall us"
    after = "Headline\nBook this Saturday.\nCall us\nFree parking"
    assert copy_diff(before, after) == [
        DiffLine("same", "Headline"),
        DiffLine("removed", "Book today."),
        DiffLine("added", "Book this Saturday."),
        DiffLine("same", "Call us"),
        DiffLine("added", "Free parking"),
    ]


# --------------------------------------------------------------------------- with the database


@pytest.mark.django_db
def test_threads_number_top_level_comments_and_nest_replies_per_version(team, project):
    approver, coordinator = team["contacts"][0], team["coordinator"]
    with scope(agency=team["agency"].pk):
        request = services.approval_request_create(
            actor=coordinator,
            project=project,
            title="Brochure",
            final_approver=approver,
            scopes=["design"],
            due_at=timezone.now() + timedelta(days=2),
            kind="file",
            upload=factories.pdf_upload(pages=2),
        )
        factories.pdf_pages_rendered(request)
        services.approval_request_send(actor=coordinator, request=request)
        version = request.versions.get()
        first = services.comment_add(
            author=approver.user,
            request=request,
            version=version,
            body="Logo",
            contact=approver,
            page=2,
            pin_x=0.1,
            pin_y=0.2,
        )
        general = services.comment_add(
            author=coordinator.user,
            request=request,
            version=version,
            body="Noted",
            membership=coordinator,
            is_internal=True,
        )
        reply = services.comment_add(
            author=coordinator.user,
            request=request,
            version=version,
            body="Will do",
            membership=coordinator,
            parent=first,
        )
        deeper = services.comment_add(
            author=approver.user,
            request=request,
            version=version,
            body="Thanks",
            contact=approver,
            parent=reply,
        )
        page = selectors.approval_page(selectors.approval_for_page().get(pk=request.pk))
    current = page.current
    assert [[(i.comment.pk, i.depth, i.number) for i in thread] for thread in current.threads] == [
        [(first.pk, 0, 1), (reply.pk, 1, None), (deeper.pk, 2, None)],
        [(general.pk, 0, 2)],
    ]
    assert [(p.number, p.pins) for p in current.pages] == [(1, []), (2, [(1, 0.1, 0.2)])]
    assert current.comment_count == 4 and current.open_count == 4
    assert page.is_latest and not page.read_only


@pytest.mark.django_db
def test_the_list_shows_the_latest_round_and_open_filter_leaves_decided_work_out(team, project):
    approver, agency = team["contacts"][0], team["agency"]
    decided = factories.approval_create(actor=team["coordinator"], project=project, title="Decided")
    revised = factories.approval_create(actor=team["coordinator"], project=project, title="Revised")
    with scope(agency=agency.pk):
        services.approval_decide(contact=approver, request=decided, verdict="approve")
        services.approval_decide(contact=approver, request=revised, verdict="request_changes", comment="More")
        services.version_add(actor=team["coordinator"], request=revised, kind="text", text="v2")
        rows = {r.title: r for r in selectors.approvals_for_list(agency)}
        open_titles = [r.title for r in selectors.approvals_for_list(agency, status="open")]
    assert (
        rows["Revised"].round_label == "v2 · revision round 1 of 2 included"
        and rows["Decided"].round_label == "v1 · first round"
    )
    assert open_titles == ["Revised"]


@pytest.mark.django_db
def test_log_entries_are_numbered_per_client_with_their_corrections(team):
    acme, birch = team["clients"]

    def add(client, text, corrects=None):
        return services.decision_log_add(
            actor=team["coordinator"],
            client=client,
            decision=text,
            approver_name="Anna",
            asset="Site",
            decided_on=date(2025, 5, 8),
            source_kind="email",
            corrects=corrects,
        )

    with scope(agency=team["agency"].pk):
        first = add(acme, "Blue logo")
        add(birch, "Bakery thing")
        add(acme, "Teal logo, not blue", corrects=first)
        entries = selectors.decision_log_for_client(acme)
        bakery = selectors.decision_log_for_client(birch)
    assert [(e.number, e.decision, e.corrects_number, e.corrected_by_numbers) for e in entries] == [
        (2, "Teal logo, not blue", 1, []),
        (1, "Blue logo", None, [2]),
    ]
    assert [e.number for e in bakery] == [1]


@pytest.mark.django_db
def test_change_requests_are_listed_with_their_status(team, project):
    approver = team["contacts"][0]
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with scope(agency=team["agency"].pk):
        services.approval_decide(contact=approver, request=request, verdict="approve")
        first = services.approval_request_revision(
            request=request, description="One", requester=team["owner"]
        )
        second = services.change_request_create(
            project=project, description="Two", requester=team["owner"], reason="other"
        )
        services.change_request_decide(change_request=second, verdict="rejected", actor=team["owner"])
        everything = {c.pk: c.status for c in selectors.change_requests_for_list(team["agency"])}
        pending = [c.pk for c in selectors.change_requests_for_list(team["agency"], status="pending")]
        rejected = [c.pk for c in selectors.change_requests_for_list(team["agency"], status="rejected")]
    assert everything == {first.pk: "pending", second.pk: "rejected"}
    assert pending == [first.pk] and rejected == [second.pk]


@pytest.mark.django_db
def test_pickers_offer_the_default_approver_and_review_milestones_first(team, project):
    with scope(agency=team["agency"].pk):
        gone = factories.contact_create(actor=team["owner"], client=project.client, full_name="Aaron Gone")
        gone.is_active = False
        gone.save(update_fields=["is_active"])
        factories.contact_create(actor=team["owner"], client=project.client, full_name="Aaron Active")
        approvers = [c.full_name for c in selectors.approvers_for_project(project)]
        tasks = selectors.tasks_for_gating(project)
    assert approvers[0] == team["contacts"][0].full_name and "Aaron Gone" not in approvers
    assert "Aaron Active" in approvers
    reviews = [t.is_review_milestone for t in tasks]
    assert reviews == sorted(reviews, reverse=True) and reviews[0]
    assert selectors.tasks_for_gating(None) == []
    with scope(agency=team["agency"].pk):
        assert list(selectors.approvers_for_project(None)) == []
