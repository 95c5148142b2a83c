"""/healthz: 200 only when PostgreSQL and Redis both answer, and a 503 that names what failed."""

from __future__ import annotations

import pytest
from django.db import connection

# Port 1 (tcpmux) has no listener on any machine we run on: connecting is refused at once.
DEAD_PORT = "1"


@pytest.mark.django_db
def test_healthz_answers_200_when_postgresql_and_redis_both_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "postgresql": "ok", "redis": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_naming_redis_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{DEAD_PORT}/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["postgresql"], body["redis"]) == ("unavailable", "ok", "failed")
    assert set(body["errors"]) == {"redis"}
    assert "ConnectionError" in body["errors"]["redis"]


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_naming_postgresql_when_the_database_is_unreachable(client):
    # A real unreachable server, not a mock: point the live connection at a port nobody listens on.
    saved_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = DEAD_PORT
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved_port

    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["postgresql"], body["redis"]) == ("unavailable", "failed", "ok")
    assert set(body["errors"]) == {"postgresql"}
    assert "OperationalError" in body["errors"]["postgresql"]
    # And the app is back on its feet once the database is.
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_refuses_anything_but_get(client):
    response = client.post("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET"


def _connections_received(server) -> int:
    return server.info("stats")["total_connections_received"]


@pytest.mark.django_db
def test_healthz_keeps_one_redis_connection_and_opens_a_new_one_when_it_broke(client, settings):
    import redis

    from agencyops.views.health import _redis_client

    server = redis.Redis.from_url(settings.REDIS_URL)
    assert client.get("/healthz").status_code == 200
    before = _connections_received(server)
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
    assert _connections_received(server) == before

    # The server drops the check's connection (a restart, an idle timeout): the next check still answers.
    server.client_kill_filter(_id=_redis_client(settings.REDIS_URL).client_id())
    assert client.get("/healthz").json()["redis"] == "ok"
    assert _connections_received(server) == before + 1
