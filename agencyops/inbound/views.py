"""The two HTTP doors of the inbox: a mail provider's inbound webhook (raw MIME) and a client's chat webhook.

Neither has a session: the mail webhook is authenticated by the shared secret INBOUND_EMAIL_SECRET, the chat
webhook by the client's private token in its URL. Bad input answers 4xx with a reason, never a 500.
"""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from agencyops.inbound.models import InboundMessage
from agencyops.inbound.services import InboundRefused, inbound_chat_receive, inbound_email_receive

STATUS_FOR_CODE = {"malformed": 400, "too_large": 413, "unknown_address": 404, "duplicate": 409}


def _read_capped(request: HttpRequest, limit: int) -> bytes | None:
    """The request body, or None when it is larger than ``limit`` (read no further than that)."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


def _accepted(message: InboundMessage) -> JsonResponse:
    return JsonResponse(
        {"status": message.state, "reason": message.state_reason, "message_id": message.message_id},
        status=202,
    )


def _refused(refused: InboundRefused) -> JsonResponse:
    return JsonResponse(
        {"status": "refused", "code": refused.code, "reason": refused.reason},
        status=STATUS_FOR_CODE.get(refused.code, 400),
    )


def _secret_matches(request: HttpRequest) -> bool:
    secret = settings.INBOUND_EMAIL_SECRET
    header = request.headers.get("Authorization", "")
    given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    given = given or request.headers.get("X-Inbound-Secret", "")
    # An unset secret turns the endpoint off rather than letting anyone in.
    return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())


@csrf_exempt
@require_POST
def inbound_email_webhook(request: HttpRequest) -> JsonResponse:
    """POST raw MIME (any content type); ``?recipient=`` names our address when the headers do not."""
    if not _secret_matches(request):
        return JsonResponse({"status": "refused", "reason": "Wrong or missing secret."}, status=403)
    raw = _read_capped(request, settings.INBOUND_EMAIL_MAX_BYTES)
    if raw is None:
        return _refused(InboundRefused("The message is too large.", "too_large"))
    recipients = [r for r in request.GET.getlist("recipient") if r][:10]
    try:
        message = inbound_email_receive(raw=raw, recipients=recipients)
    except InboundRefused as refused:
        return _refused(refused)
    return _accepted(message)


@csrf_exempt
@require_POST
def chat_webhook(request: HttpRequest, token: str) -> JsonResponse:
    """POST JSON {"text": ..., "user": ..., "channel": ..., "ts": ...} from a Slack or Teams workflow."""
    raw = _read_capped(request, settings.INBOUND_CHAT_MAX_BYTES)
    if raw is None:
        return _refused(InboundRefused("The message is too large.", "too_large"))
    try:
        payload = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        return _refused(InboundRefused("The body is not JSON.", "malformed"))
    if not isinstance(payload, dict):
        return _refused(InboundRefused("The body must be a JSON object.", "malformed"))
    try:
        message = inbound_chat_receive(token=token[:64], payload=payload)
    except InboundRefused as refused:
        return _refused(refused)
    return _accepted(message)
