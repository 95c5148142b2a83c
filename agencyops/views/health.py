"""/healthz for load balancers and compose: 200 only when PostgreSQL and Redis both answer."""

from __future__ import annotations

import functools

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not healthy"; say which
        return f"{type(exc).__name__}: {exc}".strip()
    return None


@functools.lru_cache(maxsize=4)
def _redis_client(url: str) -> redis.Redis:
    # One client (and its small pool) per process and address: opening a new connection for every check
    # cost more than the rest of the check, and a load balancer asks every few seconds. A connection
    # that broke is dropped by the failed ping and opened again by the next.
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def _check_redis() -> str | None:
    try:
        _redis_client(settings.REDIS_URL).ping()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".strip()
    return None


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    failures = {
        name: error for name, error in (("postgresql", _check_database()), ("redis", _check_redis())) if error
    }
    body = {
        "status": "ok" if not failures else "unavailable",
        "postgresql": "ok" if "postgresql" not in failures else "failed",
        "redis": "ok" if "redis" not in failures else "failed",
    }
    if failures:
        body["errors"] = failures
    return JsonResponse(body, status=503 if failures else 200)


healthz.tenant_policy = "public"  # type: ignore[attr-defined]
