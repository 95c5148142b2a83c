"""Writes to content pieces: create and edit (each a new version, checked on save), accept a suggestion,
dismiss a finding, move between states (open errors stop "ready for client" unless a coordinator
overrides with a reason) and send for approval through the approvals services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencyops.models import Client, ClientContact, Membership
from agencyops.permissions import require
from agencyops.planned_sql import planned_insert
from approvals import services as approval_services
from approvals.models import ApprovalStatus, VersionKind
from brandkit.findings import TEXT_FIELDS, apply_suggestion, can_accept, finding_record, open_errors
from brandkit.governance import ContentInput, check_content
from brandkit.governance.types import CHANNEL_VALUES, BrandRules
from brandkit.models import (
    ContentPiece,
    ContentState,
    ContentTransition,
    ContentVersion,
    FindingDismissal,
)
from brandkit.permissions import can_override_checks, can_send_content, can_write_content
from brandkit.selectors import brand_layer_latest, brand_rules_for_client
from projects.calendars import agency_today
from projects.models import CampaignGoal, Project, Task

MAX_BODY = 100_000
S = ContentState
# Moves a person makes by hand; "sent for approval" only through sending, "approved" only from the client.
MOVES: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.INTERNAL_REVIEW, S.READY_FOR_CLIENT),
    S.INTERNAL_REVIEW: (S.DRAFT, S.READY_FOR_CLIENT),
    S.READY_FOR_CLIENT: (S.DRAFT, S.INTERNAL_REVIEW),
    S.SENT_FOR_APPROVAL: (),
    S.APPROVED: (S.PUBLISHED,),
    S.PUBLISHED: (),
}
EDITABLE = (S.DRAFT, S.INTERNAL_REVIEW, S.READY_FOR_CLIENT)


def _texts(*, body: str, subject: str, preheader: str, headline: str) -> dict[str, str]:
    return {
        "body": body.strip(),
        "subject": subject.strip(),
        "preheader": preheader.strip(),
        "headline": headline.strip(),
    }


def _validate_texts(texts: dict[str, str]) -> None:
    errors = {}
    if not texts["body"]:
        errors["body"] = "Write or paste the copy."
    elif len(texts["body"]) > MAX_BODY:
        errors["body"] = f"At most {MAX_BODY:,} characters."
    for field in ("subject", "preheader", "headline"):
        if len(texts[field]) > 300:
            errors[field] = "At most 300 characters."
    if errors:
        raise ValidationError(errors)


def content_check(
    *, client: Client, channel: str, goal: str, texts: dict[str, str]
) -> tuple[list[dict], object]:
    """Run the governance checks on a text against the client's latest brand layer, without saving."""
    rules, brand_version = brand_rules_for_client(client)
    return _findings(
        rules, channel=channel, goal=goal, texts=texts, today=agency_today(client.agency)
    ), brand_version


def _findings(
    rules: BrandRules, *, channel: str, goal: str, texts: dict[str, str], today: date
) -> list[dict]:
    findings = check_content(ContentInput(channel=channel, goal=goal, **texts), rules, today=today)
    return [finding_record(f, texts) for f in findings]


def _store_version(
    *, actor: Membership, piece: ContentPiece, texts: dict[str, str], note: str
) -> ContentVersion:
    _validate_texts(texts)
    records, brand_version = content_check(
        client=piece.client, channel=piece.channel, goal=piece.goal, texts=texts
    )
    latest = (
        ContentVersion.objects.filter(piece=piece)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    now = timezone.now()
    version = ContentVersion.objects.create(
        agency=piece.agency,
        piece=piece,
        number=(latest or 0) + 1,
        brand_version=brand_version,
        findings=records,
        note=note[:300],
        created_by=actor,
        created_at=now,
        **texts,
    )
    ContentPiece.objects.filter(pk=piece.pk).update(updated_at=now)
    return version


@dataclass(frozen=True)
class NewPiece:
    """One piece to start: its name and the texts of its first version."""

    title: str
    body: str
    subject: str = ""
    preheader: str = ""
    headline: str = ""


def content_pieces_create(
    *,
    actor: Membership,
    client: Client,
    channel: str,
    pieces: Sequence[NewPiece],
    goal: str = "",
    project: Project | None = None,
    task: Task | None = None,
    note: str = "First draft",
) -> list[tuple[ContentPiece, ContentVersion]]:
    """Start pieces of copy for one client and channel (one piece, or the outputs of a drafting job); each
    first version is checked straight away against one read of the client's brand rules. Everything is
    validated before anything is written; then two inserts, whatever the number of pieces."""
    require(can_write_content, actor, "Only the agency's team writes content.")
    errors = {}
    if any(not p.title.strip() for p in pieces):
        errors["title"] = "Give the piece a name."
    if channel not in CHANNEL_VALUES:
        errors["channel"] = f"Choose a channel: {', '.join(sorted(CHANNEL_VALUES))}."
    if goal and goal not in CampaignGoal.values:
        errors["goal"] = f"Choose a campaign goal: {', '.join(CampaignGoal.values)}."
    if project is not None and project.client_id != client.pk:
        errors["project"] = f"Choose a project of {client.name}."
    if task is not None and (project is None or task.project_id != project.pk):
        errors["task"] = "Choose a task of the piece's project."
    if errors:
        raise ValidationError(errors)
    texts = [
        _texts(body=p.body, subject=p.subject, preheader=p.preheader, headline=p.headline) for p in pieces
    ]
    for one in texts:
        _validate_texts(one)
    rules, brand_version = brand_rules_for_client(client)
    today = agency_today(client.agency)
    checked = [_findings(rules, channel=channel, goal=goal, texts=one, today=today) for one in texts]
    now = timezone.now()
    created = [
        ContentPiece(
            agency=actor.agency,
            client=client,
            project=project,
            task=task,
            title=p.title.strip()[:200],
            channel=channel,
            goal=goal,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        for p in pieces
    ]
    # Nothing below raises a ValidationError, so no savepoint of its own inside a caller's transaction.
    # Prepared inserts: a drafting job lands its pieces here on every run.
    with transaction.atomic(savepoint=False):
        planned_insert(created)
        versions = [
            ContentVersion(
                agency=actor.agency,
                piece=piece,
                number=1,
                brand_version=brand_version,
                findings=records,
                note=note[:300],
                created_by=actor,
                created_at=now,
                **one,
            )
            for piece, one, records in zip(created, texts, checked, strict=True)
        ]
        planned_insert(versions)
    return list(zip(created, versions, strict=True))


def content_piece_create(
    *,
    actor: Membership,
    client: Client,
    title: str,
    channel: str,
    body: str,
    goal: str = "",
    subject: str = "",
    preheader: str = "",
    headline: str = "",
    project: Project | None = None,
    task: Task | None = None,
) -> ContentPiece:
    """Start a piece of copy for one client and channel; its first version is checked straight away."""
    ((piece, _version),) = content_pieces_create(
        actor=actor,
        client=client,
        channel=channel,
        goal=goal,
        project=project,
        task=task,
        pieces=[NewPiece(title=title, body=body, subject=subject, preheader=preheader, headline=headline)],
    )
    return piece


def _locked(piece: ContentPiece) -> ContentPiece:
    # Lock the piece row only (FOR UPDATE OF): the approval request may be missing (an outer join).
    return (
        ContentPiece.objects.select_for_update(of=("self",))
        .select_related("client", "agency", "approval_request", "project")
        .get(pk=piece.pk)
    )


def _editable(piece: ContentPiece) -> None:
    if piece.state in EDITABLE:
        return
    if (
        piece.state == S.SENT_FOR_APPROVAL
        and piece.approval_request
        and (piece.approval_request.status == ApprovalStatus.CHANGES_REQUESTED)
    ):
        return
    raise ValidationError(
        f"This piece is {piece.effective_state_label.lower()}; it cannot be edited now.", code="locked"
    )


@transaction.atomic
def content_piece_edit(
    *,
    actor: Membership,
    piece: ContentPiece,
    body: str,
    subject: str = "",
    preheader: str = "",
    headline: str = "",
    note: str = "",
) -> ContentVersion:
    """Save an edit as the next version and check it again; the earlier text stays for the diff."""
    require(can_write_content, actor, "Only the agency's team writes content.")
    piece = _locked(piece)
    _editable(piece)
    texts = _texts(body=body, subject=subject, preheader=preheader, headline=headline)
    latest = ContentVersion.objects.filter(piece=piece).order_by("-number").first()
    if latest is not None and all(getattr(latest, f) == texts[f] for f in TEXT_FIELDS):
        raise ValidationError({"body": "Nothing changed since the last version."})
    return _store_version(actor=actor, piece=piece, texts=texts, note=note.strip() or "Edited")


@transaction.atomic
def content_piece_recheck(*, actor: Membership, piece: ContentPiece) -> ContentVersion:
    """Check the same text again against the client's newest brand layer, as a new version that records it."""
    require(can_write_content, actor, "Only the agency's team writes content.")
    piece = _locked(piece)
    _editable(piece)
    latest = ContentVersion.objects.filter(piece=piece).order_by("-number").first()
    newest = brand_layer_latest(piece.client)
    if newest is None or (latest.brand_version_id == newest.pk):
        raise ValidationError("This piece is already checked against the newest brand layer.")
    texts = {f: getattr(latest, f) for f in TEXT_FIELDS}
    return _store_version(
        actor=actor,
        piece=piece,
        texts=texts,
        note=f"Checked again against brand layer version {newest.number}",
    )


def _latest_finding(piece: ContentPiece, key: str) -> tuple[ContentVersion, dict]:
    latest = ContentVersion.objects.filter(piece=piece).order_by("-number").first()
    record = next((r for r in (latest.findings if latest else []) if r["key"] == key), None)
    if latest is None or record is None:
        raise ValidationError({"finding": "That finding is not on the latest version; check again."})
    return latest, record


@transaction.atomic
def content_finding_accept(*, actor: Membership, piece: ContentPiece, key: str) -> ContentVersion:
    """Apply a finding's suggestion with one click: the words change and a new version is saved."""
    require(can_write_content, actor, "Only the agency's team writes content.")
    piece = _locked(piece)
    _editable(piece)
    latest, record = _latest_finding(piece, key)
    if not can_accept(record):
        raise ValidationError({"finding": "This finding has no replacement to apply; edit the text instead."})
    texts = {f: getattr(latest, f) for f in TEXT_FIELDS}
    try:
        texts[record["field"]] = apply_suggestion(texts[record["field"]], record)
    except ValueError as error:
        raise ValidationError({"finding": str(error)}) from None
    return _store_version(
        actor=actor,
        piece=piece,
        texts=texts,
        note=f"Accepted: “{record['excerpt']}” → “{record['suggestion']}”",
    )


@transaction.atomic
def content_finding_dismiss(
    *, actor: Membership, piece: ContentPiece, key: str, reason: str
) -> FindingDismissal:
    """Dismiss a finding with the reason it does not apply; it stays dismissed in later versions."""
    require(can_write_content, actor, "Only the agency's team writes content.")
    piece = _locked(piece)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why this finding does not apply."})
    _, record = _latest_finding(piece, key)
    if FindingDismissal.objects.filter(piece=piece, key=key).exists():
        raise ValidationError({"finding": "This finding is already dismissed."})
    return FindingDismissal.objects.create(
        agency=piece.agency,
        piece=piece,
        key=key,
        check_id=record["check"],
        excerpt=record["excerpt"],
        message=record["message"],
        reason=reason[:2000],
        created_by=actor,
    )


def piece_open_errors(piece: ContentPiece) -> list[dict]:
    latest = ContentVersion.objects.filter(piece=piece).order_by("-number").first()
    dismissed = set(FindingDismissal.objects.filter(piece=piece).values_list("key", flat=True))
    return list(open_errors(latest.findings if latest else [], dismissed))


def _record_move(
    *, actor: Membership, piece: ContentPiece, to_state: str, reason: str = "", errors: list | None = None
) -> None:
    ContentTransition.objects.create(
        agency=piece.agency,
        piece=piece,
        from_state=piece.effective_state,
        to_state=to_state,
        override_reason=reason,
        open_errors=[
            {"check": e["check"], "excerpt": e["excerpt"], "message": e["message"]} for e in errors or []
        ],
        created_by=actor,
    )


@transaction.atomic
def content_piece_transition(
    *, actor: Membership, piece: ContentPiece, to_state: str, override_reason: str = ""
) -> ContentPiece:
    """Move a piece to its next state. Open errors stop "ready for client" unless a coordinator overrides
    with a reason, which is kept with the open errors it went past."""
    require(can_write_content, actor, "Only the agency's team moves content.")
    piece = _locked(piece)
    current = piece.effective_state
    if to_state not in MOVES.get(current, ()):
        raise ValidationError(
            {
                "state": f"A piece that is {S(current).label.lower()} cannot move to {dict(S.choices).get(to_state, to_state).lower()}."
            }
        )
    errors: list[dict] = []
    reason = override_reason.strip()
    if to_state == S.READY_FOR_CLIENT:
        errors = piece_open_errors(piece)
        if errors and not reason:
            raise ValidationError(
                {
                    "state": f"{len(errors)} open error(s) stop this going to the client: fix them, dismiss them with "
                    "a reason, or have a coordinator override with a reason."
                },
                code="open_errors",
            )
        if errors:
            require(can_override_checks, actor, "Only owners and coordinators override open errors.")
        else:
            reason = ""
    elif reason:
        raise ValidationError(
            {"override_reason": "An override is only needed to go to the client with open errors."}
        )
    _record_move(actor=actor, piece=piece, to_state=to_state, reason=reason, errors=errors)
    piece.state = to_state
    piece.updated_at = timezone.now()
    piece.save(update_fields=["state", "updated_at"])
    return piece


def _approval_text(version: ContentVersion) -> str:
    parts = []
    for label, field in (("Headline", "headline"), ("Subject", "subject"), ("Preheader", "preheader")):
        if getattr(version, field):
            parts.append(f"{label}: {getattr(version, field)}")
    parts.append(version.body)
    return "\n\n".join(parts)


@transaction.atomic
def content_piece_send_for_approval(
    *,
    actor: Membership,
    piece: ContentPiece,
    final_approver: ClientContact | None = None,
    due_at: datetime | None = None,
) -> ContentPiece:
    """Send the latest version to the client as an approval request for copy, so feedback, rounds and the
    decision log work as for any asset. A piece the client asked changes to goes again as the next round."""
    require(can_send_content, actor, "Owners and coordinators send content for approval.")
    piece = _locked(piece)
    latest = ContentVersion.objects.filter(piece=piece).order_by("-number").first()
    resend = (
        piece.state == S.SENT_FOR_APPROVAL
        and piece.approval_request is not None
        and piece.approval_request.status == ApprovalStatus.CHANGES_REQUESTED
    )
    if piece.state != S.READY_FOR_CLIENT and not resend:
        raise ValidationError({"state": "Move the piece to “ready for client” before sending it."})
    if piece.project is None:
        raise ValidationError({"project": "Link the piece to a project: approvals belong to a project."})
    text = _approval_text(latest)
    if piece.approval_request is None:
        approver = final_approver or (
            ClientContact.objects.filter(client=piece.client, is_active=True)
            .order_by("-is_default_approver", "pk")
            .first()
        )
        if approver is None:
            raise ValidationError({"final_approver": f"Add a contact at {piece.client.name} to approve it."})
        request = approval_services.approval_request_create(
            actor=actor,
            project=piece.project,
            title=piece.title,
            deliverable=piece.title,
            final_approver=approver,
            scopes=["copy"],
            scope_notes=f"{piece.get_channel_display()} copy.",
            due_at=due_at or timezone.now() + timedelta(days=3),
            task=piece.task,
            kind=VersionKind.TEXT,
            text=text,
        )
        piece.approval_request = request
    else:
        approval_services.version_add(
            actor=actor,
            request=piece.approval_request,
            kind=VersionKind.TEXT,
            text=text,
            notes=f"Content version {latest.number}",
        )
    piece.approval_request = approval_services.approval_request_send(
        actor=actor, request=piece.approval_request
    )
    _record_move(actor=actor, piece=piece, to_state=S.SENT_FOR_APPROVAL)
    piece.state = S.SENT_FOR_APPROVAL
    piece.updated_at = timezone.now()
    piece.save(update_fields=["state", "approval_request", "updated_at"])
    return piece
