"""API tokens of a person: issued on sign-in by email and password, listed and revoked by their owner,
all revoked when the password is reset or the person is taken off a team."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from agencyops.models import User


def _purge_expired(user: User) -> None:
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()


@transaction.atomic
def api_token_issue(*, user: User) -> tuple[AuthToken, str]:
    """A new token for an authenticated person; the plain token is returned once and never stored."""
    _purge_expired(user)
    return AuthToken.objects.create(user=user)


def api_tokens_of(*, user: User) -> list[AuthToken]:
    """The person's live tokens, newest first (what the owner sees to decide what to revoke)."""
    _purge_expired(user)
    return list(AuthToken.objects.filter(user=user).order_by("-created"))


@transaction.atomic
def api_token_revoke(*, user: User, key: str) -> None:
    """Revoke one of the person's own tokens by its public key (the first characters of the token)."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=key).delete()
    if not deleted:
        raise ValidationError("No such token.", code="not_found")


@transaction.atomic
def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every token of the person: after a password reset or removal from a team."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted
