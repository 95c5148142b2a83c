"""Reads of the inbox: the list by state with its counts, one message with its attachments, live addresses."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from agencyops.inbound.models import InboundAddress, InboundAttachment, InboundMessage, InboundState
from agencyops.models import Agency, Client

INBOX_STATES = tuple(InboundState.values)


def inbox_messages_for_list(agency: Agency, *, state: str | None) -> QuerySet[InboundMessage]:
    """The inbox, newest first, optionally one state; a fixed number of queries whatever its length."""
    messages = (
        InboundMessage.objects.filter(agency=agency)
        .select_related("client", "handled_by__user")
        .annotate(attachment_count=Count("attachments"))
        .defer("full_text", "references")
        .order_by("-received_at", "-pk")
    )
    return messages.filter(state=state) if state in INBOX_STATES else messages


def inbox_state_counts(agency: Agency) -> dict[str, int]:
    """How many messages are in each state, for the filter's labels (one query)."""
    counts = dict.fromkeys(INBOX_STATES, 0)
    rows = InboundMessage.objects.filter(agency=agency).values_list("state").annotate(n=Count("pk"))
    counts.update(dict(rows))
    return counts


def inbox_message_for_page(agency: Agency) -> QuerySet[InboundMessage]:
    """Messages as the detail page needs them (look one up with ``pk``: another agency's is not there)."""
    return InboundMessage.objects.filter(agency=agency).select_related(
        "client", "address", "handled_by__user"
    )


def inbox_attachments(message: InboundMessage) -> list[InboundAttachment]:
    return list(InboundAttachment.objects.filter(message=message))


def inbound_address_live(client: Client, *, target: str = "", target_id: int = 0) -> InboundAddress | None:
    """The address a client (or one thing of its) has now; None until a coordinator issues one."""
    return InboundAddress.objects.filter(
        client=client, target=target, target_id=target_id, revoked_at__isnull=True
    ).first()
