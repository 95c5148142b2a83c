"""Private calendar links: each member's feed token, created, stored hashed and revoked."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencyops.models import Membership
from projects.models import CalendarFeed
from projects.services._shared import _require_team


def calendar_feed_token_hash(token: str) -> str:
    """How a feed token is stored and looked up: only its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, actor: Membership) -> str:
    """Give a member a new private calendar link and return its secret token (shown once, stored hashed).

    Any link the member had before stops working: one live link per person.
    """
    _require_team(actor)
    CalendarFeed.objects.filter(membership=actor, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.create(
        agency=actor.agency, membership=actor, token_hash=calendar_feed_token_hash(token)
    )
    return token


@transaction.atomic
def calendar_feed_revoke(*, actor: Membership, feed: CalendarFeed) -> CalendarFeed:
    """Turn off a member's calendar link; calendar apps fetching it get a 404 from then on."""
    if feed.membership_id != actor.pk:
        raise ValidationError({"feed": "You can only revoke your own calendar link."})
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
    return feed
