"""The signed one-click unsubscribe of digest mails: the link itself says who, where and which kinds."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "agencyops.notifications.unsubscribe"
# A link in a mail that was sent a year ago still works; it can only ever move kinds to in-app.
MAX_AGE_SECONDS = 366 * 24 * 3600


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    agency_id: int
    kinds: tuple[str, ...]


def unsubscribe_token(*, user_id: int, agency_id: int, kinds: list[str] | tuple[str, ...]) -> str:
    return signing.dumps({"u": user_id, "a": agency_id, "k": sorted(set(kinds))}, salt=SALT, compress=True)


def unsubscribe_url(*, user_id: int, agency_id: int, kinds: list[str] | tuple[str, ...]) -> str:
    token = unsubscribe_token(user_id=user_id, agency_id=agency_id, kinds=kinds)
    return settings.SITE_URL + reverse("notification_unsubscribe", kwargs={"token": token})


def unsubscribe_read(token: str) -> Unsubscribe | None:
    """What a token asks for, or None when it was not signed by us (or is too old or malformed)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
        return Unsubscribe(user_id=int(data["u"]), agency_id=int(data["a"]), kinds=tuple(map(str, data["k"])))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
