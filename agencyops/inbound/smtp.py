"""The development SMTP listener for inbound mail (aiosmtpd): what `make run` starts and the tests talk to.

It accepts mail only for addresses at INBOUND_EMAIL_DOMAIN and hands each message, as received, to the same
receiver as the production webhook. Refusals become SMTP errors a mail client shows its user; an unexpected
failure is a temporary error (the sender retries), never a crash of the listener.
"""

from __future__ import annotations

import logging
from typing import Any

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from agencyops.inbound.services import InboundRefused, inbound_email_receive

logger = logging.getLogger(__name__)

SMTP_REPLY_FOR_CODE = {
    "malformed": "550 5.6.0",
    "too_large": "552 5.3.4",
    "unknown_address": "550 5.1.1",
    "duplicate": "554 5.7.0",
}


def _receive(raw: bytes, recipients: list[str]) -> str:
    close_old_connections()
    try:
        message = inbound_email_receive(raw=raw, recipients=recipients)
    except InboundRefused as refused:
        return f"{SMTP_REPLY_FOR_CODE.get(refused.code, '550 5.0.0')} {refused.reason}"
    except Exception:
        logger.exception("Inbound mail could not be received")
        return "451 4.3.0 The message could not be received now; try again later."
    finally:
        close_old_connections()
    return f"250 2.0.0 Received ({message.get_state_display().lower()})"


class InboundMailHandler:
    """aiosmtpd handler: recipients outside our inbound domain are refused at RCPT, messages at DATA."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if not address.lower().endswith("@" + settings.INBOUND_EMAIL_DOMAIN):
            return "550 5.1.1 Not an inbound address of this AgencyOps"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="replace")
        return await sync_to_async(_receive, thread_sensitive=False)(raw, list(envelope.rcpt_tos))


def inbound_smtp_controller(*, host: str, port: int) -> Controller:
    """A listener on host:port (not started); messages above INBOUND_EMAIL_MAX_BYTES are refused by size."""
    return Controller(
        InboundMailHandler(),
        hostname=host,
        port=port,
        data_size_limit=settings.INBOUND_EMAIL_MAX_BYTES,
        ready_timeout=10,
    )
