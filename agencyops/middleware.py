"""What every request passes through: the site's response headers, and the signed-in person."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.auth import get_user as django_get_user
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from agencyops.model_rows import model_loader
from agencyops.models import User
from agencyops.planned_sql import planned_cursor


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy from settings: no inline script, no third-party origin."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


@functools.cache
def _user_query() -> tuple[str, Callable[[Any], Any]]:
    columns, load = model_loader(User, "u")
    return f'SELECT {columns} FROM "{User._meta.db_table}" u WHERE u."id" = %s', load


def _user_by_id(user_id: Any) -> User | None:
    sql, load = _user_query()
    with planned_cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    return load(row) if row is not None else None


def session_user_id(request: HttpRequest) -> Any | None:
    """The id of the person this request's session signs in through the model backend (whose users are read
    here by SQL written once), or None: nobody signed in, or a backend that loads its users its own way
    (``signed_in_user`` then asks Django)."""
    try:
        user_id = User._meta.pk.to_python(request.session[SESSION_KEY])
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    if type(load_backend(backend_path)).get_user is not ModelBackend.get_user:
        return None
    return user_id


def session_user_verified(request: HttpRequest, user: User | None) -> Any:
    """The person the session's user id named, read by the caller, once the session is checked as Django
    checks it; AnonymousUser (and the session ended) when it fails."""
    backend = load_backend(request.session[BACKEND_SESSION_KEY])
    if user is None or not backend.user_can_authenticate(user):
        return AnonymousUser()
    # Verify the session, as Django does: a password change (the hash) ends every other session.
    session_hash = request.session.get(HASH_SESSION_KEY)
    session_auth_hash = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, session_auth_hash):
        return user
    # Signed with a secret key since rotated out (SECRET_KEY_FALLBACKS): the session moves to the new one.
    if session_hash and any(
        constant_time_compare(session_hash, fallback) for fallback in user.get_session_auth_fallback_hash()
    ):
        request.session.cycle_key()
        request.session[HASH_SESSION_KEY] = session_auth_hash
        return user
    request.session.flush()
    return AnonymousUser()


def signed_in_user(request: HttpRequest) -> Any:
    """The person this request's session signs in, or AnonymousUser: Django's ``auth.get_user``, step by
    step, except that a session signed in through the model backend reads its user by SQL written once
    (compiling that lookup cost the ORM several times what running it costs, on every request)."""
    user_id = session_user_id(request)
    if user_id is None:
        # Nobody signed in, or another backend: Django's get_user does it all.
        return django_get_user(request)
    return session_user_verified(request, _user_by_id(user_id))


def user_known(request: HttpRequest, user: Any) -> None:
    """Record who the request's person is, read together with something else (their membership)."""
    request._cached_user = user  # type: ignore[attr-defined]


def user_loaded(request: HttpRequest) -> bool:
    """Whether ``request.user`` has been read already."""
    return hasattr(request, "_cached_user")


def _cached_user(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        request._cached_user = signed_in_user(request)  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]


class SignedInUserMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware with ``request.user`` loaded by ``signed_in_user``."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))
