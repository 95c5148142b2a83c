"""Writes of the inbox: issuing and revoking inbound addresses, receiving mail and chat, filing and discarding.

Receiving never raises anything but ``InboundRefused`` (with a reason and a code the SMTP listener and the
HTTP endpoint turn into their own refusals): a message the app cannot read, one too large, one for an
address nobody issued, or one it already has. Everything else is kept, and held in the inbox with a reason
when it cannot be filed automatically.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from agencyops.inbound.models import (
    InboundAddress,
    InboundAttachment,
    InboundChannel,
    InboundMessage,
    InboundState,
    OutboundMessage,
)
from agencyops.inbound.parser import MalformedMessage, ParsedMessage, parse_message
from agencyops.inbound.registry import Filing, registered_resolvers
from agencyops.models import Agency, Client, ClientContact, Membership
from agencyops.permissions import can_manage_inbox, require

logger = logging.getLogger(__name__)

HELD_WAITING = "No open request to file it on: waiting for a coordinator."


class InboundRefused(Exception):
    """A message the receiver turns away; ``code`` is malformed, too_large, unknown_address or duplicate."""

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


# --- Addresses ------------------------------------------------------------------------------


@transaction.atomic
def inbound_address_issue(
    *, actor: Membership, client: Client, target: str = "", target_id: int = 0
) -> InboundAddress:
    """Give a client (or one thing of its) a fresh private address, revoking the one it had."""
    require(can_manage_inbox, actor, "Only owners and coordinators manage inbound addresses.")
    if client.agency_id != actor.agency_id:
        raise ValidationError("No such client.", code="not_found")
    InboundAddress.objects.select_for_update().filter(
        agency=actor.agency, client=client, target=target, target_id=target_id, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    return InboundAddress.objects.create(
        agency=actor.agency,
        client=client,
        target=target,
        target_id=target_id,
        token=secrets.token_hex(12),
        created_by=actor,
    )


@transaction.atomic
def inbound_address_revoke(*, actor: Membership, address: InboundAddress) -> InboundAddress:
    """Stop an address from filing anything: mail to it is held from now on."""
    require(can_manage_inbox, actor, "Only owners and coordinators manage inbound addresses.")
    if address.revoked_at is None:
        address.revoked_at = timezone.now()
        address.save(update_fields=["revoked_at"])
    return address


def outbound_message_id_record(*, agency: Agency, target: str, target_id: int) -> str:
    """A fresh Message-ID for a mail we send about something, recorded so replies can be filed there."""
    message_id = make_msgid(domain=settings.INBOUND_EMAIL_DOMAIN)
    OutboundMessage.objects.create(agency=agency, message_id=message_id, target=target, target_id=target_id)
    return message_id


def inbound_reply_headers(*, agency: Agency, target: str, target_id: int, client_id: int) -> dict[str, str]:
    """Headers for a mail we send about something: a recorded Message-ID, and Reply-To its inbound address
    (the thing's own, else its client's) when one was issued, so the answer comes back to the inbox."""
    headers = {"Message-ID": outbound_message_id_record(agency=agency, target=target, target_id=target_id)}
    with scopes_disabled():  # reminders run outside a request's scope; the agency is named explicitly
        address = (
            InboundAddress.objects.filter(agency=agency, client_id=client_id, revoked_at__isnull=True)
            .filter(Q(target=target, target_id=target_id) | Q(target=""))
            .order_by("-target")
            .first()
        )
    if address is not None:
        headers["Reply-To"] = address.email
    return headers


def reply_headers_for_target(*, agency: Agency, target_type: str, target_id: int | None) -> dict[str, str]:
    """The reply headers of a mail about a registered kind of row (see registry.register_reply_target);
    none for anything else."""
    from agencyops.inbound.registry import reply_target_for

    reply = reply_target_for(target_type) if target_id else None
    if reply is None:
        return {}
    client_id = reply.client_id_of(target_id)
    if client_id is None:
        return {}
    return inbound_reply_headers(
        agency=agency, target=reply.inbound_target, target_id=target_id, client_id=client_id
    )


# --- Receiving ------------------------------------------------------------------------------


def _address_for(recipients: Sequence[str]) -> InboundAddress | None:
    domain = settings.INBOUND_EMAIL_DOMAIN
    tokens = []
    for recipient in recipients:
        local, _, host = recipient.strip().strip("<>").rpartition("@")
        if host.lower() == domain and local:
            tokens.append(local.lower())
    if not tokens:
        return None
    with scopes_disabled():
        found = {
            a.token: a
            for a in InboundAddress.objects.select_related("agency", "client").filter(token__in=tokens)
        }
    return next((found[token] for token in tokens if token in found), None)


def _known_sender(address: InboundAddress, email: str, name: str = "") -> bool:
    """Team members of the agency and contacts of the address's client; nobody else is filed automatically.

    Mail is known by its sender's address. A chat message (its webhook token authenticates the workspace)
    carries a display name, so there a contact's or member's full name counts too."""
    if email:
        if ClientContact.objects.filter(client=address.client, email__iexact=email, is_active=True).exists():
            return True
        return Membership.objects.filter(is_active=True, user__email__iexact=email).exists()
    if name:
        if ClientContact.objects.filter(
            client=address.client, full_name__iexact=name, is_active=True
        ).exists():
            return True
        return Membership.objects.filter(is_active=True, user__full_name__iexact=name).exists()
    return False


def _file_automatically(message: InboundMessage) -> None:
    for resolver in registered_resolvers():
        try:
            with transaction.atomic():
                filing = resolver(message)
        except Exception:
            # A resolver's bug must not lose the message: it stays in the inbox with the reason.
            logger.exception("Inbound resolver failed on message %s", message.pk)
            message.state_reason = "Could not be filed automatically; a coordinator files it."
            break
        if filing is not None:
            _mark_filed(message, filing, actor=None)
            return
    message.save(update_fields=["state_reason"])


def _mark_filed(message: InboundMessage, filing: Filing, *, actor: Membership | None) -> None:
    message.state = InboundState.FILED
    message.state_reason = ""
    message.filed_kind = filing.kind
    message.filed_id = filing.object_id
    message.filed_url = filing.url[:300]
    message.filed_label = filing.label[:300]
    message.handled_by = actor
    message.handled_at = timezone.now()
    message.save(
        update_fields=[
            "state", "state_reason", "filed_kind", "filed_id", "filed_url", "filed_label", "handled_by",
            "handled_at",
        ]
    )  # fmt: skip


def _store(
    *,
    address: InboundAddress,
    channel: str,
    parsed: ParsedMessage,
    raw: bytes | None,
    recipient: str,
    source_detail: str = "",
) -> InboundMessage:
    """Keep the message (held), refusing one already kept; then file it if it may be filed automatically."""
    agency = address.agency
    if (
        parsed.message_id
        and InboundMessage.objects.filter(agency=agency, message_id=parsed.message_id).exists()
    ):
        raise InboundRefused("This message was already received.", "duplicate")
    # A forward (a team member passing on the client's mail) is the client's words, by the client.
    forwarded = parsed.forwarded if channel == InboundChannel.EMAIL else None
    message = InboundMessage(
        agency=agency,
        address=address,
        client=address.client,
        channel=channel,
        source_detail=source_detail[:200],
        recipient=recipient[:254],
        sender_email=(forwarded or parsed).sender_email[:254],
        sender_name=(forwarded or parsed).sender_name[:150],
        forwarded_by=parsed.sender_email[:254] if forwarded else "",
        subject=(forwarded.subject if forwarded and forwarded.subject else parsed.subject)[:300],
        sent_at=(forwarded.sent_at if forwarded else None) or parsed.sent_at,
        text=forwarded.text if forwarded else parsed.text,
        full_text=parsed.full_text,
        message_id=parsed.message_id[:300],
        in_reply_to=parsed.in_reply_to[:300],
        references=" ".join(parsed.references),
        state=InboundState.HELD,
        state_reason=HELD_WAITING,
    )
    if raw is not None:
        message.raw.save(f"{uuid.uuid4().hex}.eml", ContentFile(raw), save=False)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError as error:
        if message.raw:
            message.raw.delete(save=False)
        raise InboundRefused("This message was already received.", "duplicate") from error
    too_large = []
    for attachment in parsed.attachments:
        row = InboundAttachment(
            agency=agency, message=message, name=attachment.name, content_type=attachment.content_type[:100],
            size_bytes=attachment.size,
        )  # fmt: skip
        if attachment.size > settings.INBOUND_ATTACHMENT_MAX_BYTES:
            too_large.append(attachment.name)
        else:
            row.file.save(
                f"{uuid.uuid4().hex}-{attachment.name}"[:150], ContentFile(attachment.content), save=False
            )
        row.save()
    if address.is_revoked:
        message.state_reason = "Arrived on a revoked address: check who sent it before filing."
    elif too_large:
        message.state_reason = (
            f"Attachment too large to keep ({', '.join(too_large)}; the limit is "
            f"{settings.INBOUND_ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB): ask the sender for a link."
        )
    elif parsed.defects and not message.text:
        message.state_reason = "The message is damaged and has no readable text."
    elif not _known_sender(
        address, parsed.sender_email, parsed.sender_name if channel == InboundChannel.CHAT else ""
    ):
        message.state_reason = (
            f"{parsed.sender_email or parsed.sender_name or 'The sender'} is neither on the team nor a contact "
            f"of {address.client.name}: never filed automatically."
        )
    elif forwarded is not None and not _known_sender(address, forwarded.sender_email):
        message.state_reason = (
            f"Forwarded mail by {forwarded.sender_email}, who is neither on the team nor a contact of "
            f"{address.client.name}: never filed automatically."
        )
    else:
        _file_automatically(message)
        return message
    message.save(update_fields=["state_reason"])
    return message


def inbound_email_receive(*, raw: bytes, recipients: Sequence[str]) -> InboundMessage:
    """Take a raw MIME message delivered to our inbound domain; file it or hold it, or InboundRefused."""
    if len(raw) > settings.INBOUND_EMAIL_MAX_BYTES:
        raise InboundRefused(
            f"The message is larger than {settings.INBOUND_EMAIL_MAX_BYTES} bytes.", "too_large"
        )
    try:
        parsed = parse_message(raw)
    except MalformedMessage as error:
        raise InboundRefused(str(error), "malformed") from error
    if not parsed.message_id:
        # Without a Message-ID the bytes themselves identify the message, so a replay is still refused.
        parsed = replace(parsed, message_id=f"<{hashlib.sha256(raw).hexdigest()}@no-message-id>")
    # The envelope names the address (a Bcc is only there); a provider that sends none leaves the headers.
    address = _address_for(recipients) or _address_for(parsed.to)
    if address is None:
        raise InboundRefused("No inbound address of ours is among the recipients.", "unknown_address")
    with scope(agency=address.agency_id), transaction.atomic():
        return _store(
            address=address, channel=InboundChannel.EMAIL, parsed=parsed, raw=raw, recipient=address.email
        )


def _chat_moment(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        pass
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def inbound_chat_receive(*, token: str, payload: dict[str, Any]) -> InboundMessage:
    """Take a chat message a Slack or Teams workflow posted to a client's webhook ({text, user, channel, ts})."""
    text = payload.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InboundRefused("The message needs a text.", "malformed")
    fields = {}
    for name in ("user", "channel", "ts"):
        value = payload.get(name, "")
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise InboundRefused(f"{name} must be a string.", "malformed")
        fields[name] = str(value).replace("\x00", "").strip()
    text = text.replace("\x00", "")[: settings.INBOUND_CHAT_MAX_BYTES]
    with scopes_disabled():
        address = (
            InboundAddress.objects.select_related("agency", "client")
            .filter(token=token.lower(), revoked_at__isnull=True)
            .first()
        )
    if address is None:
        raise InboundRefused("No such webhook.", "unknown_address")
    user = fields["user"][:150]
    parsed = ParsedMessage(
        sender_email=user.lower() if "@" in user else "",
        sender_name=user,
        subject="",
        sent_at=_chat_moment(fields["ts"]) or timezone.now(),
        message_id=f"chat:{fields['channel']}:{fields['ts']}"[:300] if fields["ts"] else "",
        in_reply_to="",
        references=(),
        to=(),
        full_text=text.strip(),
        text=text.strip(),
    )
    with scope(agency=address.agency_id), transaction.atomic():
        return _store(
            address=address, channel=InboundChannel.CHAT, parsed=parsed, raw=None, recipient="",
            source_detail=fields["channel"],
        )  # fmt: skip


@transaction.atomic
def inbound_message_paste(
    *, actor: Membership, client: Client, text: str, said_by: str, source: str, said_at: datetime | None
) -> InboundMessage:
    """A coordinator pastes a message that arrived elsewhere (a chat, a text), with where it came from."""
    require(can_manage_inbox, actor, "Only owners and coordinators use the inbox.")
    text, said_by, source = (value.replace("\x00", "") for value in (text, said_by, source))
    errors = {}
    if not text.strip():
        errors["text"] = "Paste the message."
    if not said_by.strip():
        errors["said_by"] = "Say who wrote it."
    if not source.strip():
        errors["source"] = "Say where it came from (e.g. Slack #acme, WhatsApp)."
    if said_at is not None and said_at > timezone.now():
        errors["said_at"] = "A message cannot come from the future."
    if errors:
        raise ValidationError(errors)
    return InboundMessage.objects.create(
        agency=actor.agency,
        client=client,
        channel=InboundChannel.PASTED,
        source_detail=source.strip()[:200],
        sender_name=said_by.strip()[:150],
        sent_at=said_at or timezone.now(),
        text=text.strip(),
        full_text=text.strip(),
        state=InboundState.HELD,
        state_reason="Pasted in: waiting to be filed.",
        handled_by=actor,
    )


# --- A coordinator's decisions --------------------------------------------------------------


@transaction.atomic
def inbound_message_mark_filed(
    *, actor: Membership, message: InboundMessage, filing: Filing
) -> InboundMessage:
    """Record what a held message became (a request's feedback, a task, a change request, a log entry)."""
    require(can_manage_inbox, actor, "Only owners and coordinators use the inbox.")
    if message.state != InboundState.HELD:
        raise ValidationError("This message has already been dealt with.")
    _mark_filed(message, filing, actor=actor)
    return message


@transaction.atomic
def inbound_message_discard(*, actor: Membership, message: InboundMessage, reason: str) -> InboundMessage:
    """Set a message aside for good, saying why (spam, a duplicate, nothing to act on)."""
    require(can_manage_inbox, actor, "Only owners and coordinators use the inbox.")
    if message.state != InboundState.HELD:
        raise ValidationError("This message has already been dealt with.")
    reason = reason.replace("\x00", "")
    if not reason.strip():
        raise ValidationError({"reason": "Say why it is discarded."})
    message.state = InboundState.DISCARDED
    message.state_reason = reason.strip()[:300]
    message.handled_by = actor
    message.handled_at = timezone.now()
    message.save(update_fields=["state", "state_reason", "handled_by", "handled_at"])
    return message
