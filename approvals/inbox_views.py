"""The agency's inbox of client mail and chat: the list by state, one message, and what a coordinator makes of
it (feedback on a request, a task, a change request, a decision-log entry, or discarded with a reason).

The platform keeps the messages (``agencyops.inbound``); the pages live here because their actions create
approvals' and projects' objects, and an app may import the layers below it, never the platform them.
Owners and coordinators only; another agency's message is a 404 like a missing one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_http_methods, require_POST

from agencyops.inbound.models import InboundAttachment, InboundMessage, InboundState
from agencyops.inbound.selectors import (
    INBOX_STATES,
    inbound_address_live,
    inbox_attachments,
    inbox_message_for_page,
    inbox_messages_for_list,
    inbox_state_counts,
)
from agencyops.inbound.services import (
    inbound_address_issue,
    inbound_address_revoke,
    inbound_message_discard,
    inbound_message_paste,
)
from agencyops.models import Client
from agencyops.permissions import can_manage_inbox
from agencyops.tenancy import agency_view
from approvals.inbound import (
    OPEN_STATUSES,
    REQUEST_TARGET,
    inbox_file_on_request,
    inbox_turn_into_change_request,
    inbox_turn_into_decision,
    inbox_turn_into_task,
)
from approvals.models import ApprovalRequest
from projects.models import Project

PAGE_SIZE = 50


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text(request: HttpRequest, name: str, limit: int) -> str:
    """A posted text field, capped, without NUL characters (PostgreSQL refuses them)."""
    return request.POST.get(name, "").replace("\x00", "")[:limit]


def _message_or_404(request: HttpRequest, message_id: int) -> InboundMessage:
    return get_object_or_404(inbox_message_for_page(request.agency), pk=message_id)


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _back(message: InboundMessage) -> HttpResponse:
    return redirect("inbox_detail", agency_slug=message.agency.slug, message_id=message.pk)


@agency_view(permission=can_manage_inbox)
@require_http_methods(["GET", "HEAD"])
def inbox_list(request: HttpRequest) -> HttpResponse:
    """Client mail and chat that reached the agency: what waits to be filed first, then filed and discarded."""
    state = request.GET.get("state", InboundState.HELD)
    state = state if state in (*INBOX_STATES, "all") else InboundState.HELD
    paginator = Paginator(inbox_messages_for_list(request.agency, state=state), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    counts = inbox_state_counts(request.agency)
    return TemplateResponse(
        request,
        "approvals/inbox_list.html",
        {
            "page": page,
            "state": state,
            "states": [(value, label, counts[value]) for value, label in InboundState.choices],
            "total": sum(counts.values()),
        },
    )


@agency_view(permission=can_manage_inbox)
@require_http_methods(["GET", "HEAD"])
def inbox_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    """One message: who, when, what they wrote (and the full text), its attachments, and what to make of it."""
    message = _message_or_404(request, message_id)
    requests = ApprovalRequest.objects.select_related("project").order_by("-created_at")
    projects = Project.objects.select_related("client").order_by("-launch_date")
    if message.client_id is not None:
        requests, projects = (
            requests.filter(client_id=message.client_id),
            projects.filter(client_id=message.client_id),
        )
    return TemplateResponse(
        request,
        "approvals/inbox_detail.html",
        {
            "message": message,
            "attachments": inbox_attachments(message),
            "is_held": message.state == InboundState.HELD,
            "requests": list(requests.filter(status__in=OPEN_STATUSES)[:50])
            + list(requests.exclude(status__in=OPEN_STATUSES)[:20]),
            "projects": list(projects[:50]),
            "today": timezone.localdate(),
        },
    )


@agency_view(permission=can_manage_inbox)
@require_http_methods(["GET", "HEAD"])
def inbox_raw(request: HttpRequest, message_id: int) -> FileResponse:
    """The message as it was received (.eml), for a mail program."""
    message = _message_or_404(request, message_id)
    if not message.raw:
        raise Http404("This message arrived without a raw form.")
    return FileResponse(
        message.raw.open("rb"),
        as_attachment=True,
        filename=f"message-{message.pk}.eml",
        content_type="message/rfc822",
    )


@agency_view(permission=can_manage_inbox)
@require_http_methods(["GET", "HEAD"])
def inbox_attachment(request: HttpRequest, message_id: int, attachment_id: int) -> FileResponse:
    """A file that came with a message, always as a download (it was never checked as safe to show)."""
    message = _message_or_404(request, message_id)
    attachment = get_object_or_404(InboundAttachment.objects.filter(message=message), pk=attachment_id)
    if not attachment.file:
        raise Http404("This attachment was too large to keep.")
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type="application/octet-stream",
    )


def _act(request: HttpRequest, message_id: int, action: Any, success: str) -> HttpResponse:
    message = _message_or_404(request, message_id)
    try:
        action(message)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, success)
    return _back(message)


@agency_view(permission=can_manage_inbox)
@require_POST
def inbox_file(request: HttpRequest, message_id: int) -> HttpResponse:
    """File a held message as captured feedback on a request."""

    def file(message: InboundMessage) -> None:
        approval = ApprovalRequest.objects.filter(pk=_int(request.POST.get("request_id"))).first()
        if approval is None:
            raise ValidationError("Choose a request.")
        inbox_file_on_request(actor=request.membership, message=message, request=approval)

    return _act(request, message_id, file, "Filed as captured feedback on the request.")


def _project(request: HttpRequest) -> Project:
    project = Project.objects.filter(pk=_int(request.POST.get("project_id"))).first()
    if project is None:
        raise ValidationError("Choose a project.")
    return project


@agency_view(permission=can_manage_inbox)
@require_POST
def inbox_task(request: HttpRequest, message_id: int) -> HttpResponse:
    """Turn a held message into a task on a project."""

    def turn(message: InboundMessage) -> None:
        title = _text(request, "title", 200)
        inbox_turn_into_task(
            actor=request.membership, message=message, project=_project(request), title=title
        )

    return _act(request, message_id, turn, "Turned into a task.")


@agency_view(permission=can_manage_inbox)
@require_POST
def inbox_change_request(request: HttpRequest, message_id: int) -> HttpResponse:
    """Turn a held message into a change request on a project."""

    def turn(message: InboundMessage) -> None:
        inbox_turn_into_change_request(
            actor=request.membership,
            message=message,
            project=_project(request),
            description=_text(request, "description", 5000),
        )

    return _act(request, message_id, turn, "Turned into a change request.")


@agency_view(permission=can_manage_inbox)
@require_POST
def inbox_decision(request: HttpRequest, message_id: int) -> HttpResponse:
    """Turn a held message into an entry of its client's decision log."""

    def turn(message: InboundMessage) -> None:
        try:
            decided_on: date | None = parse_date(request.POST.get("decided_on", ""))
        except ValueError:
            decided_on = None
        inbox_turn_into_decision(
            actor=request.membership,
            message=message,
            decision=_text(request, "decision", 5000),
            asset=_text(request, "asset", 200),
            decided_on=decided_on,
        )

    return _act(request, message_id, turn, "Recorded in the decision log.")


@agency_view(permission=can_manage_inbox)
@require_POST
def inbox_discard(request: HttpRequest, message_id: int) -> HttpResponse:
    """Set a held message aside, with the reason."""

    def discard(message: InboundMessage) -> None:
        inbound_message_discard(
            actor=request.membership, message=message, reason=request.POST.get("reason", "")
        )

    return _act(request, message_id, discard, "Discarded.")


@agency_view(permission=can_manage_inbox)
@require_http_methods(["GET", "HEAD", "POST"])
def inbox_paste(request: HttpRequest) -> HttpResponse:
    """Paste a message that arrived elsewhere (a chat, a text) with its source; it waits in the inbox."""
    clients = list(Client.objects.exclude(status="archived").order_by("name"))
    errors: dict[str, list[str]] = {}
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        client = next((c for c in clients if c.pk == _int(values.get("client_id"))), None)
        said_at: datetime | None = None
        if values.get("said_at"):
            try:
                said_at = parse_datetime(values["said_at"])
            except ValueError:
                said_at = None
            if said_at is not None and timezone.is_naive(said_at):
                said_at = timezone.make_aware(said_at)
        if client is None:
            errors["client_id"] = ["Choose the client it came from."]
        elif values.get("said_at") and said_at is None:
            errors["said_at"] = ["Give the date and time as shown, e.g. 2026-12-03 14:30."]
        else:
            try:
                message = inbound_message_paste(
                    actor=request.membership,
                    client=client,
                    text=values.get("text", "")[:20000],
                    said_by=values.get("said_by", "")[:150],
                    source=values.get("source", "")[:200],
                    said_at=said_at,
                )
            except ValidationError as error:
                errors = error.message_dict
            else:
                messages.success(request, "Pasted into the inbox: file it or turn it into something below.")
                return _back(message)
    return TemplateResponse(
        request, "approvals/inbox_paste.html", {"clients": clients, "errors": errors, "values": values}
    )


@agency_view(permission=can_manage_inbox)
@require_POST
def request_inbound_address(request: HttpRequest, request_id: int) -> HttpResponse:
    """Issue (or rotate) a request's own inbound address, or revoke it."""
    approval = get_object_or_404(ApprovalRequest.objects.select_related("client"), pk=request_id)
    current = inbound_address_live(approval.client, target=REQUEST_TARGET, target_id=approval.pk)
    if request.POST.get("action") == "revoke":
        if current is not None:
            inbound_address_revoke(actor=request.membership, address=current)
            messages.success(
                request, "The request's inbound address is revoked: mail to it is held from now on."
            )
    else:
        address = inbound_address_issue(
            actor=request.membership, client=approval.client, target=REQUEST_TARGET, target_id=approval.pk
        )
        messages.success(
            request,
            f"New inbound address: {address.email}" + (" (the old one is revoked)." if current else "."),
        )
    return redirect("approval_detail", agency_slug=request.agency.slug, request_id=approval.pk)
