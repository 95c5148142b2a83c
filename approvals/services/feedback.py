"""Feedback on a version: comments, pins and quoted passages, feedback taken by email, call, meeting or chat."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from agencyops.inbound.models import InboundMessage
from agencyops.input_bounds import MAX_PAGE
from agencyops.models import ClientContact, Membership, User
from approvals.models import ApprovalRequest, AssetVersion, Comment, FeedbackSource, VersionKind
from approvals.services._shared import _require_planner

CAPTURE_SOURCES = (FeedbackSource.EMAIL, FeedbackSource.CALL, FeedbackSource.MEETING, FeedbackSource.CHAT)


def _check_pin(page: int, pin_x: float | None, pin_y: float | None, version: AssetVersion) -> None:
    if not 1 <= page <= MAX_PAGE:
        raise ValidationError({"page": f"Choose a page between 1 and {MAX_PAGE}."})
    if (pin_x is None) != (pin_y is None):
        raise ValidationError({"pin_x": "A pin needs both a horizontal and a vertical position."})
    if pin_x is None:
        return
    if version.kind == VersionKind.TEXT:
        raise ValidationError({"pin_x": "Copy takes comments on a selected passage, not pins."})
    for name, value in (("pin_x", pin_x), ("pin_y", pin_y)):
        if not 0 <= value <= 1:
            raise ValidationError({name: "A pin must sit on the page (between 0 and 1)."})
    pages = version.pages.count() if version.kind == VersionKind.PDF else 1
    if pages == 0:
        raise ValidationError({"page": "The pages of this PDF are still being prepared; pin in a moment."})
    if not 1 <= page <= pages:
        raise ValidationError({"page": f"This version has {pages} page{'s' if pages != 1 else ''}."})


@transaction.atomic
def comment_add(
    *,
    author: User,
    request: ApprovalRequest,
    version: AssetVersion,
    body: str,
    membership: Membership | None = None,
    contact: ClientContact | None = None,
    is_internal: bool = False,
    parent: Comment | None = None,
    page: int = 1,
    pin_x: float | None = None,
    pin_y: float | None = None,
    quote: str = "",
    quote_start: int | None = None,
    quote_end: int | None = None,
) -> Comment:
    """Comment on a version: pinned on an image or PDF page, on a passage of copy, or in general."""
    if (membership is None) == (contact is None):
        raise ValueError("A comment comes from a team member or a client contact.")
    if contact is not None:
        if contact.client_id != request.client_id:
            raise ValidationError("No such approval request.", code="not_found")
        if is_internal:
            raise ValidationError("Clients cannot write internal comments.")
    if version.request_id != request.pk:
        raise ValidationError({"version": "Choose a version of this request."})
    if contact is not None and version.sent_at is None:
        raise ValidationError("This version has not been sent to you yet.", code="not_found")
    if not body.strip():
        raise ValidationError({"body": "Write your comment."})
    if parent is not None and (
        parent.request_id != request.pk or (contact is not None and parent.is_internal)
    ):
        raise ValidationError({"parent": "Reply to a comment of this request."})
    _check_pin(page, pin_x, pin_y, version)
    if quote_start is not None or quote_end is not None:
        if version.kind != VersionKind.TEXT:
            raise ValidationError({"quote": "Passages are selected on copy versions only."})
        if quote_start is None or quote_end is None or not 0 <= quote_start < quote_end <= len(version.text):
            raise ValidationError({"quote": "Select a passage of the copy."})
        quote = version.text[quote_start:quote_end]
    return Comment.objects.create(
        agency=request.agency,
        request=request,
        version=version,
        parent=parent,
        body=body.strip(),
        is_internal=is_internal or bool(parent and parent.is_internal),
        author=author,
        author_contact=contact,
        author_membership=membership,
        page=page,
        pin_x=pin_x,
        pin_y=pin_y,
        quote=quote,
        quote_start=quote_start,
        quote_end=quote_end,
        source=FeedbackSource.PORTAL if contact is not None else FeedbackSource.APP,
    )


@transaction.atomic
def feedback_capture(
    *,
    actor: Membership,
    request: ApprovalRequest,
    body: str,
    source: str,
    said_by: str,
    said_at: datetime | None,
    version: AssetVersion | None = None,
) -> Comment:
    """Log feedback that arrived by email, call, meeting or chat into the request's thread, with its source."""
    _require_planner(actor)
    errors = {}
    if source not in CAPTURE_SOURCES:
        errors["source"] = "Say where the feedback came from: email, call, meeting or chat."
    if not said_by.strip():
        errors["said_by"] = "Say who gave the feedback."
    if said_at is None:
        errors["said_at"] = "Say when it was given."
    elif said_at > timezone.now():
        errors["said_at"] = "Feedback cannot come from the future."
    if not body.strip():
        errors["body"] = "Write down the feedback."
    if errors:
        raise ValidationError(errors)
    version = version or request.versions.order_by("-number").first()
    return Comment.objects.create(
        agency=request.agency,
        request=request,
        version=version,
        body=body.strip(),
        author=actor.user,
        author_membership=actor,
        source=source,
        source_at=said_at,
        said_by=said_by.strip(),
    )


@transaction.atomic
def comment_resolve(*, actor: Membership, comment: Comment, resolved: bool = True) -> Comment:
    """The agency marks a comment dealt with (or reopens it)."""
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = actor if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment


@transaction.atomic
def feedback_capture_from_inbox(
    *, request: ApprovalRequest, message: InboundMessage, actor: Membership | None = None
) -> Comment:
    """File a forwarded mail or chat message on a request as captured feedback: who, when, what, attachments.

    ``actor`` is the coordinator filing it from the inbox; None when the inbox filed it on its own (a reply
    to our mail, the request's own address, the client's only open request)."""
    if actor is not None:
        _require_planner(actor)
    if message.client_id is not None and message.client_id != request.client_id:
        raise ValidationError({"request": "Choose a request of the client this message came from."})
    version = request.versions.order_by("-number").first()
    if version is None:
        raise ValidationError({"request": "This request has no version to take feedback on yet."})
    lines = [message.text or message.full_text or "(no text)"]
    if message.subject:
        lines.insert(0, f"Subject: {message.subject}")
    attachments = list(message.attachments.all())
    if attachments:
        lines.append(
            "Attachments: " + ", ".join(f"{a.name} ({filesizeformat(a.size_bytes)})" for a in attachments)
        )
    said_at = min(message.sent_at or message.received_at, timezone.now())
    source = FeedbackSource.EMAIL if message.channel == "email" else FeedbackSource.CHAT
    return Comment.objects.create(
        agency=request.agency,
        request=request,
        version=version,
        body="\n\n".join(lines),
        author=actor.user if actor is not None else None,
        author_membership=actor,
        source=source,
        source_at=said_at,
        said_by=(message.sender or "Unknown sender")[:150],
    )
