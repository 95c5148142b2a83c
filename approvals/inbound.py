"""Approvals' part of the inbox: the resolver that files client mail on a request, and what a coordinator can
turn a held message into (feedback on a request, a task, a change request, a decision-log entry).

The platform receives and keeps messages; it calls ``file_on_request`` (registered in ``ApprovalsConfig``)
for a message from a known sender. The request is found, in this order, by the reply's In-Reply-To or
References naming a mail we sent about it, by the request's own inbound address, or as the client's only
open request. Otherwise the message waits in the inbox.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django_scopes import scopes_disabled

from agencyops.inbound.models import InboundMessage, OutboundMessage
from agencyops.inbound.registry import Filing
from agencyops.inbound.services import inbound_message_mark_filed
from agencyops.models import Membership
from approvals.models import (
    ApprovalRequest,
    ApprovalStatus,
    ChangeRequest,
    DecisionLogEntry,
    FeedbackSource,
    LogSource,
)
from approvals.services.change_requests import change_request_create
from approvals.services.decisions import decision_log_add
from approvals.services.feedback import feedback_capture_from_inbox
from projects.models import Project, Task
from projects.services.tasks import task_create

REQUEST_TARGET = "approvals.request"
# Requests a client is expected to answer: sent, and not decided or cancelled.
OPEN_STATUSES = (
    ApprovalStatus.AWAITING_INTERNAL,
    ApprovalStatus.AWAITING_CLIENT,
    ApprovalStatus.CHANGES_REQUESTED,
)


def inbox_url(message: InboundMessage) -> str:
    return reverse("inbox_detail", args=[message.agency.slug, message.pk])


def request_for_message(message: InboundMessage) -> ApprovalRequest | None:
    """The request a message is feedback on, when the message itself says so; None when it must wait."""
    requests = ApprovalRequest.objects.select_related("agency")
    if message.client_id is not None:
        requests = requests.filter(client_id=message.client_id)
    thread_ids = message.thread_ids
    if thread_ids:
        ours = dict(
            OutboundMessage.objects.filter(message_id__in=thread_ids, target=REQUEST_TARGET).values_list(
                "message_id", "target_id"
            )
        )
        for message_id in thread_ids:
            if message_id in ours:
                found = requests.filter(pk=ours[message_id]).first()
                if found is not None:
                    return found
    address = message.address
    if address is not None and address.target == REQUEST_TARGET:
        found = requests.filter(pk=address.target_id).first()
        if found is not None:
            return found
    open_requests = list(requests.filter(status__in=OPEN_STATUSES)[:2])
    return open_requests[0] if len(open_requests) == 1 else None


def inbox_origins_mark(versions: list[Any]) -> None:
    """Give each comment filed from the inbox on these version views ``inbox_message_id``, the message it
    came from (its original and attachments live there). No query when no comment came by mail or chat."""
    captured = [
        item.comment
        for version in versions
        for thread in version.threads
        for item in thread
        if item.comment.source in (FeedbackSource.EMAIL, FeedbackSource.CHAT)
    ]
    if not captured:
        return
    origins = dict(
        InboundMessage.objects.filter(
            filed_kind="approvals.comment", filed_id__in=[c.pk for c in captured]
        ).values_list("filed_id", "pk")
    )
    for comment in captured:
        comment.inbox_message_id = origins.get(comment.pk)


def _feedback_filing(request: ApprovalRequest, comment_id: int) -> Filing:
    return Filing(
        kind="approvals.comment",
        object_id=comment_id,
        url=reverse("approval_detail", args=[request.agency.slug, request.pk]) + f"#comment-{comment_id}",
        label=f"Feedback on “{request.title}”",
    )


def file_on_request(message: InboundMessage) -> Filing | None:
    """The inbox resolver: file a known sender's message as captured feedback on the request it is about."""
    request = request_for_message(message)
    if request is None or not request.versions.exists():
        return None
    comment = feedback_capture_from_inbox(request=request, message=message)
    return _feedback_filing(request, comment.pk)


# --- What a coordinator turns a held message into -------------------------------------------


@transaction.atomic
def inbox_file_on_request(*, actor: Membership, message: InboundMessage, request: ApprovalRequest) -> Filing:
    """File a held message as captured feedback on the request the coordinator chose."""
    comment = feedback_capture_from_inbox(request=request, message=message, actor=actor)
    filing = _feedback_filing(request, comment.pk)
    inbound_message_mark_filed(actor=actor, message=message, filing=filing)
    return filing


def _check_client(message: InboundMessage, project: Project) -> None:
    if message.client_id is not None and project.client_id != message.client_id:
        raise ValidationError({"project": "Choose a project of the client this message came from."})


@transaction.atomic
def inbox_turn_into_task(*, actor: Membership, message: InboundMessage, project: Project, title: str) -> Task:
    """Turn a held message into a one-off task on a project; the message points at the task."""
    _check_client(message, project)
    task = task_create(actor=actor, project=project, title=title or message.subject or message.text[:80])
    inbound_message_mark_filed(
        actor=actor,
        message=message,
        filing=Filing(
            kind="projects.task",
            object_id=task.pk,
            url=reverse("task_detail", args=[actor.agency.slug, task.pk]),
            label=f"Task “{task.title}” on {project.name}",
        ),
    )
    return task


def _source_line(message: InboundMessage) -> str:
    what = f"“{message.subject}”" if message.subject else message.get_channel_display().lower()
    return f"From {message.sender or 'an unknown sender'}, {what} ({inbox_url(message)})"


@transaction.atomic
def inbox_turn_into_change_request(
    *, actor: Membership, message: InboundMessage, project: Project, description: str
) -> ChangeRequest:
    """Turn a held message into a change request on a project; its description cites the message."""
    _check_client(message, project)
    change_request = change_request_create(
        requester=actor,
        project=project,
        description=f"{(description or message.text).strip()}\n\n{_source_line(message)}",
        reason="other",
    )
    inbound_message_mark_filed(
        actor=actor,
        message=message,
        filing=Filing(
            kind="approvals.changerequest",
            object_id=change_request.pk,
            url=reverse("change_request_detail", args=[actor.agency.slug, change_request.pk]),
            label=f"Change request #{change_request.pk} on {project.name}",
        ),
    )
    return change_request


@transaction.atomic
def inbox_turn_into_decision(
    *, actor: Membership, message: InboundMessage, decision: str, asset: str, decided_on: date | None
) -> DecisionLogEntry:
    """Turn a held message into a decision-log entry of its client; the entry's source names the message."""
    if message.client is None:
        raise ValidationError("This message is not from a client's address: file it on a request instead.")
    entry = decision_log_add(
        actor=actor,
        client=message.client,
        decision=decision or message.text,
        approver_name=(message.sender_name or message.sender_email or "Unknown")[:150],
        asset=asset,
        decided_on=decided_on or (message.sent_at or message.received_at).date(),
        source_kind=LogSource.EMAIL if message.channel == "email" else LogSource.CHAT,
        source_note=_source_line(message)[:300],
    )
    inbound_message_mark_filed(
        actor=actor,
        message=message,
        filing=Filing(
            kind="approvals.decisionlogentry",
            object_id=entry.pk,
            url=reverse("decision_log", args=[actor.agency.slug, message.client_id]),
            label=f"Decision-log entry of {message.client.name}",
        ),
    )
    return entry


def request_client_id(request_id: int) -> int | None:
    """The client of an approval request, for the reply headers of mail about it (any agency's: the mail
    task names the agency itself)."""
    with scopes_disabled():
        return ApprovalRequest.objects.filter(pk=request_id).values_list("client_id", flat=True).first()
