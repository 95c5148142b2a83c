"""What approvals add to the activity timeline (agencyops/activity.py): versions uploaded, approvals sent,
client decisions, decision-log entries, change requests and captured feedback. One query per source,
newest rows first, with a LIMIT.
"""

from __future__ import annotations

from django.urls import reverse

from agencyops.activity import ActivityEntry, ActivityFilter, ActivitySource, activity_source_register
from approvals.models import (
    AssetVersion,
    ChangeRequest,
    Comment,
    DecisionLogEntry,
    FeedbackSource,
    ReviewerDecision,
    Verdict,
)

VERDICT_PAST = {
    Verdict.APPROVE: "approved",
    Verdict.APPROVE_WITH_CHANGES: "approved with changes",
    Verdict.REQUEST_CHANGES: "requested changes to",
}
SOURCE_LABELS = dict(FeedbackSource.choices)
# Feedback that reached us outside the app and was captured on the request.
CAPTURED = [FeedbackSource.EMAIL, FeedbackSource.CALL, FeedbackSource.MEETING, FeedbackSource.CHAT]


def _request_url(slug: str, request_id: int) -> str:
    return reverse("approval_detail", kwargs={"agency_slug": slug, "request_id": request_id})


def versions_uploaded(query: ActivityFilter) -> list[ActivityEntry]:
    rows = query.narrow(
        AssetVersion.objects.all(), project="request__project_id", client="request__client_id"
    ).order_by("-created_at", "-pk")[: query.limit]
    return [
        ActivityEntry(
            kind="version",
            at=row["created_at"],
            title=f"Version {row['number']} of “{row['request__title']}” uploaded",
            actor=row["uploaded_by__user__full_name"] or "",
            url=_request_url(query.agency_slug, row["request_id"]),
            project_name=row["request__project__name"],
            pk=row["pk"],
        )
        for row in rows.values(
            "pk",
            "created_at",
            "number",
            "request_id",
            "request__title",
            "request__project__name",
            "uploaded_by__user__full_name",
        )
    ]


def approvals_sent(query: ActivityFilter) -> list[ActivityEntry]:
    rows = query.narrow(
        AssetVersion.objects.filter(sent_at__isnull=False),
        project="request__project_id",
        client="request__client_id",
    ).order_by("-sent_at", "-pk")[: query.limit]
    return [
        ActivityEntry(
            kind="approval_sent",
            at=row["sent_at"],
            title=f"Version {row['number']} of “{row['request__title']}” sent to "
            f"{row['request__final_approver__full_name']} for approval",
            actor="",
            url=_request_url(query.agency_slug, row["request_id"]),
            project_name=row["request__project__name"],
            pk=row["pk"],
        )
        for row in rows.values(
            "pk",
            "sent_at",
            "number",
            "request_id",
            "request__title",
            "request__project__name",
            "request__final_approver__full_name",
        )
    ]


def client_decisions(query: ActivityFilter) -> list[ActivityEntry]:
    rows = query.narrow(
        ReviewerDecision.objects.all(), project="request__project_id", client="request__client_id"
    ).order_by("-decided_at", "-pk")[: query.limit]
    return [
        ActivityEntry(
            kind="decision",
            at=row["decided_at"],
            title=f"{row['contact__full_name']} {VERDICT_PAST.get(row['verdict'], row['verdict'])} "
            f"“{row['request__title']}” (version {row['version__number']})"
            + ("" if row["is_final"] else " as advice"),
            actor=row["contact__full_name"],
            url=_request_url(query.agency_slug, row["request_id"]),
            project_name=row["request__project__name"],
            detail=row["changes"],
            pk=row["pk"],
        )
        for row in rows.values(
            "pk",
            "decided_at",
            "verdict",
            "is_final",
            "changes",
            "request_id",
            "request__title",
            "request__project__name",
            "version__number",
            "contact__full_name",
        )
    ]


def decision_log_entries(query: ActivityFilter) -> list[ActivityEntry]:
    rows = query.narrow(DecisionLogEntry.objects.all(), project="project_id", client="client_id").order_by(
        "-recorded_at", "-pk"
    )[: query.limit]
    return [
        ActivityEntry(
            kind="decision_log",
            at=row["recorded_at"],
            title=f"Decision logged: {row['decision']}",
            actor=row["approver_name"],
            url=reverse(
                "decision_log", kwargs={"agency_slug": query.agency_slug, "client_id": row["client_id"]}
            ),
            project_name=row["project__name"] or "",
            detail=row["asset"],
            pk=row["pk"],
        )
        for row in rows.values(
            "pk", "recorded_at", "decision", "approver_name", "client_id", "project__name", "asset"
        )
    ]


def change_requests(query: ActivityFilter) -> list[ActivityEntry]:
    rows = query.narrow(ChangeRequest.objects.all(), project="project_id", client="client_id").order_by(
        "-created_at", "-pk"
    )[: query.limit]
    return [
        ActivityEntry(
            kind="change_request",
            at=row["created_at"],
            title=f"Change request: {row['description']}",
            actor=row["requested_by_contact__full_name"]
            or row["requested_by_membership__user__full_name"]
            or "",
            url=reverse(
                "change_request_detail",
                kwargs={"agency_slug": query.agency_slug, "change_request_id": row["pk"]},
            ),
            project_name=row["project__name"],
            pk=row["pk"],
        )
        for row in rows.values(
            "pk",
            "created_at",
            "description",
            "project__name",
            "requested_by_contact__full_name",
            "requested_by_membership__user__full_name",
        )
    ]


def captured_feedback(query: ActivityFilter) -> list[ActivityEntry]:
    rows = query.narrow(
        Comment.objects.filter(source__in=CAPTURED),
        project="request__project_id",
        client="request__client_id",
    ).order_by("-created_at", "-pk")[: query.limit]
    return [
        ActivityEntry(
            kind="feedback",
            at=row["created_at"],
            title=f"Feedback by {SOURCE_LABELS.get(row['source'], row['source']).lower()} on “{row['request__title']}”",
            actor=row["said_by"],
            url=_request_url(query.agency_slug, row["request_id"]),
            project_name=row["request__project__name"],
            detail=row["body"][:280],
            pk=row["pk"],
        )
        for row in rows.values(
            "pk",
            "created_at",
            "source",
            "said_by",
            "body",
            "request_id",
            "request__title",
            "request__project__name",
        )
    ]


def register() -> None:
    """Register approvals' history with the activity timeline."""
    for kind, label, load in (
        ("version", "Versions uploaded", versions_uploaded),
        ("approval_sent", "Approvals sent", approvals_sent),
        ("decision", "Client decisions", client_decisions),
        ("decision_log", "Decision log", decision_log_entries),
        ("change_request", "Change requests", change_requests),
        ("feedback", "Captured feedback", captured_feedback),
    ):
        activity_source_register(ActivitySource(kind, label, load))
