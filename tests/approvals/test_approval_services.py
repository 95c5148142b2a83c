"""Approval services: sending, deciding, the decision log, revision rounds and change requests."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django.utils import timezone
from django_scopes import scope

from agencyops.models import Notification
from approvals import services
from approvals.models import (
    ApprovalStatus,
    ChangeRequest,
    DecisionLogEntry,
    ReviewerDecision,
)
from approvals.tasks import remind_approvers_for_agency
from projects.models import DeadlineChange, LaunchChange, Task, TaskStatus
from tests import factories

pytestmark = pytest.mark.django_db


def _decide(approver, request, verdict, **kwargs):
    with scope(agency=request.agency_id):
        return services.approval_decide(contact=approver, request=request, verdict=verdict, **kwargs)


def test_sending_tells_the_final_approver_what_to_approve_and_by_when(
    team, project, approver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = factories.approval_create(actor=team["coordinator"], project=project)
    assert request.status == ApprovalStatus.AWAITING_CLIENT
    sent = [m for m in mail.outbox if m.to == [approver.email]]
    assert len(sent) == 1
    assert "Headline, page copy, CTA and offer accuracy" in sent[0].body
    assert "Please decide by" in sent[0].body and "After approval:" in sent[0].body
    with scope(agency=team["agency"].pk):
        sent_notifications = Notification.objects.filter(
            target_type="approvals.approvalrequest", target_id=request.pk, kind="approval_sent"
        )
        assert sent_notifications.count() == 1


def test_approval_logs_the_decision_and_completes_the_gated_milestone(team, project, approver):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    decision = _decide(approver, request, "approve")
    with scope(agency=team["agency"].pk):
        request.refresh_from_db()
        assert request.status == ApprovalStatus.APPROVED
        entry = DecisionLogEntry.objects.get(reviewer_decision=decision)
        assert entry.approver_name == approver.full_name and entry.asset == "Homepage messaging"
        assert entry.approval_request == request and entry.version.number == 1
        assert Task.objects.get(pk=request.task_id).status == TaskStatus.DONE


def test_someone_other_than_the_final_approver_cannot_decide(team, project):
    with scope(agency=team["agency"].pk):
        other = factories.contact_create(actor=team["owner"], client=project.client)
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with pytest.raises(ValidationError) as excinfo:
        _decide(other, request, "approve")
    assert "final approver" in excinfo.value.messages[0]
    with scope(agency=team["agency"].pk):
        advice = services.approval_advise(contact=other, request=request, verdict="approve")
        assert advice.is_final is False
        request.refresh_from_db()
        assert request.status == ApprovalStatus.AWAITING_CLIENT
        assert DecisionLogEntry.objects.count() == 0


def test_request_changes_needs_a_comment(team, project, approver):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with pytest.raises(ValidationError) as excinfo:
        _decide(approver, request, "request_changes")
    assert "comment" in excinfo.value.message_dict
    decision = _decide(approver, request, "request_changes", comment="The offer is 20% off, not 25%.")
    assert decision.verdict == "request_changes"


def test_the_coordinators_mail_says_what_was_decided_not_the_button_pressed(
    team, project, approver, django_capture_on_commit_callbacks
):
    changes = factories.approval_create(actor=team["coordinator"], project=project, title="Hero copy")
    approved = factories.approval_create(actor=team["coordinator"], project=project, title="Footer copy")
    with django_capture_on_commit_callbacks(execute=True):
        _decide(approver, changes, "request_changes", comment="Name the Riverside practice.")
        _decide(approver, approved, "approve")
    subjects = [m.subject for m in mail.outbox if m.to == [team["coordinator"].user.email]]
    assert "Changes requested: Hero copy" in subjects and "Approved: Footer copy" in subjects
    assert not any(subject.startswith("Request changes") for subject in subjects)


def test_a_second_decision_on_a_closed_round_is_refused(team, project, approver):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    _decide(approver, request, "approve")
    with pytest.raises(ValidationError) as excinfo:
        _decide(approver, request, "request_changes", comment="Actually no")
    assert "closed" in excinfo.value.messages[0]
    with scope(agency=team["agency"].pk):
        assert ReviewerDecision.objects.count() == 1


def test_decision_history_and_the_log_refuse_updates_and_deletes_in_the_database(team, project, approver):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    decision = _decide(approver, request, "approve")
    with scope(agency=team["agency"].pk):
        entry = DecisionLogEntry.objects.get(reviewer_decision=decision)
    for statement, pk in (
        ("UPDATE approvals_decisionlogentry SET decision = 'rewritten' WHERE id = %s", entry.pk),
        ("DELETE FROM approvals_decisionlogentry WHERE id = %s", entry.pk),
        ("UPDATE approvals_reviewerdecision SET verdict = 'request_changes' WHERE id = %s", decision.pk),
    ):
        with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [pk])


def test_a_new_version_starts_a_new_round_and_a_round_beyond_budget_needs_a_change_request(
    team, project, approver
):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    with scope(agency=team["agency"].pk):
        for n in range(2):
            _decide(approver, request, "request_changes", comment=f"Round {n} notes")
            services.version_add(
                actor=team["coordinator"], request=request, kind="text", text=f"Copy v{n + 2}"
            )
            services.approval_request_send(actor=team["coordinator"], request=request)
        _decide(approver, request, "request_changes", comment="Still not right")
        services.version_add(actor=team["coordinator"], request=request, kind="text", text="Copy v4")
        check = services.approval_send_check(request)
        assert (check.revision_round, check.included, check.beyond_budget) == (3, 2, True)
        with pytest.raises(ValidationError) as excinfo:
            services.approval_request_send(actor=team["coordinator"], request=request)
        assert "revision round 3" in excinfo.value.messages[0]
        assert ChangeRequest.objects.count() == 0
        services.approval_request_send(actor=team["coordinator"], request=request, accept_change_request=True)
        change = ChangeRequest.objects.get()
        assert change.reason == "extra_round" and "round 3" in change.description


def test_files_that_are_not_images_or_pdfs_are_refused_before_storing(team, project, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    request = factories.approval_create(actor=team["coordinator"], project=project)
    _decide(team["contacts"][0], request, "request_changes", comment="More")
    fake = SimpleUploadedFile("mockup.png", b"this is not an image at all", content_type="image/png")
    with scope(agency=team["agency"].pk), pytest.raises(ValidationError) as excinfo:
        services.version_add(actor=team["coordinator"], request=request, kind="file", upload=fake)
    assert "image" in excinfo.value.message_dict["file"][0]
    settings.APPROVAL_FILE_MAX_BYTES = 100
    with scope(agency=team["agency"].pk), pytest.raises(ValidationError) as excinfo:
        services.version_add(
            actor=team["coordinator"], request=request, kind="file", upload=factories.png_upload()
        )
    assert "limit" in excinfo.value.message_dict["file"][0]
    assert list(tmp_path.rglob("*.*")) == []
    settings.APPROVAL_FILE_MAX_BYTES = 20 * 1024 * 1024
    with scope(agency=team["agency"].pk):
        version = services.version_add(
            actor=team["coordinator"], request=request, kind="file", upload=factories.pdf_upload(pages=3)
        )
        assert version.kind == "pdf" and version.pages.count() == 0  # a worker renders them
        factories.pdf_pages_rendered(request)
        assert version.pages.count() == 3


def test_a_pin_outside_the_page_is_refused(team, project, approver):
    request = factories.approval_create(actor=team["coordinator"], project=project, send=False)
    with scope(agency=team["agency"].pk):
        image_request = services.approval_request_create(
            actor=team["coordinator"],
            project=project,
            title="Hero image",
            final_approver=approver,
            scopes=["design"],
            due_at=timezone.now() + timedelta(days=2),
            kind="file",
            upload=factories.png_upload(),
        )
        services.approval_request_send(actor=team["coordinator"], request=image_request)
        version = image_request.versions.get()
        with pytest.raises(ValidationError) as excinfo:
            services.comment_add(
                author=approver.user,
                request=image_request,
                version=version,
                body="Move up",
                contact=approver,
                pin_x=1.2,
                pin_y=0.5,
            )
        assert "between 0 and 1" in excinfo.value.message_dict["pin_x"][0]
        comment = services.comment_add(
            author=approver.user,
            request=image_request,
            version=version,
            body="Move up",
            contact=approver,
            pin_x=0.25,
            pin_y=0.75,
        )
        assert (comment.pin_x, comment.pin_y, comment.page) == (0.25, 0.75, 1)
    assert request.status == ApprovalStatus.DRAFT


def test_revising_approved_work_becomes_a_change_request_citing_the_approval(team, project, approver):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    _decide(approver, request, "approve")
    with scope(agency=team["agency"].pk):
        with pytest.raises(ValidationError):
            services.version_add(actor=team["coordinator"], request=request, kind="text", text="Sneaky v2")
        change = services.approval_request_revision(
            request=request, description="Change the headline to mention Saturday openings", contact=approver
        )
        today = timezone.localdate()
        assert (
            change.citation == f"Homepage messaging was approved on {today:%-d %B} by {approver.full_name}."
        )
        assert change.impact_business_days >= 0 and change.affected_task_id == request.task_id
        launch_before = project.tasks.order_by("-due_date").first().due_date
        services.change_request_decide(change_request=change, verdict="approved", actor=team["owner"])
        row = DeadlineChange.objects.get(task_id=change.affected_task_id, cause="change_request")
        assert f"change request #{change.pk}" in row.reason.lower()
        request.refresh_from_db()
        assert request.status == ApprovalStatus.DRAFT
        assert project.tasks.order_by("-due_date").first().due_date >= launch_before


def test_an_approved_change_request_moves_the_commitment_its_rework_pushes_past(team, project):
    """The client agreed to the timeline the change request stated: the committed launch follows the
    forecast, recorded as a launch change citing the request, and no second change request is proposed."""
    with scope(agency=team["agency"].pk):
        committed = project.launch_date
        change = services.change_request_create(
            project=project, description="Add a pricing page", requester=team["coordinator"], rework_days=10
        )
        assert change.impact_business_days > 0
        services.change_request_decide(change_request=change, verdict="approved", actor=team["owner"])
        project.refresh_from_db()
        forecast = project.tasks.order_by("-due_date").values_list("due_date", flat=True).first()
        assert project.launch_date == forecast and forecast > committed
        move = LaunchChange.objects.get(project=project)
        assert (move.old_launch, move.new_launch) == (committed, forecast)
        assert move.source_reference == f"change-request:{change.pk}"
        assert f"change request #{change.pk}" in move.reason.lower()
        assert ChangeRequest.objects.filter(project=project).count() == 1
        assert project.brief.due_date == forecast


def test_a_rejected_change_request_leaves_the_commitment_and_the_plan(team, project):
    with scope(agency=team["agency"].pk):
        committed = project.launch_date
        change = services.change_request_create(
            project=project, description="Add a pricing page", requester=team["coordinator"], rework_days=10
        )
        services.change_request_decide(change_request=change, verdict="rejected", actor=team["owner"])
        project.refresh_from_db()
        assert project.launch_date == committed
        assert not LaunchChange.objects.filter(project=project).exists()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_decisions_make_exactly_one_decision_and_one_log_entry(team, project, approver):
    request = factories.approval_create(actor=team["coordinator"], project=project)
    results, barrier = [], threading.Barrier(2)

    def decide(verdict):
        try:
            barrier.wait()
            _decide(approver, request, verdict, changes="Tighten the CTA" if verdict != "approve" else "")
            results.append("ok")
        except ValidationError as exc:
            results.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(v,)) for v in ("approve", "approve_with_changes")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results)[-1] == "ok" and results.count("ok") == 1
    with scope(agency=team["agency"].pk):
        assert ReviewerDecision.objects.filter(is_final=True).count() == 1
        assert DecisionLogEntry.objects.count() == 1


def test_reminders_go_once_per_rule_even_when_the_agency_task_runs_twice(
    team, project, approver, django_capture_on_commit_callbacks
):
    request = factories.approval_create(actor=team["coordinator"], project=project, due_in_hours=3)
    mail.outbox.clear()
    agency_id = team["agency"].pk
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_approvers_for_agency(agency_id) == 1
        assert remind_approvers_for_agency(agency_id) == 0
    assert [m.subject for m in mail.outbox] == [f"Reminder: {request.title}"]
    with scope(agency=team["agency"].pk):
        type(request).objects.filter(pk=request.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_approvers_for_agency(agency_id) == 1
        assert remind_approvers_for_agency(agency_id) == 0
    assert mail.outbox[-1].subject == f"Overdue: {request.title}"
