"""With no DATABASE_URL / REDIS_URL the app runs on its own PostgreSQL and Redis, and `make run` works.

These start real processes (`manage.py shell`, `manage.py devserver`) on a fresh data directory,
exactly as a new laptop would, so they take a few seconds each (initdb, migrations).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
import redis
from django.conf import settings

from agencyops import embedded
from agencyops.embedded_reaper import pid_alive

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

with connection.cursor() as cursor:
    cursor.execute("SELECT current_setting('data_directory')")
    print("data_directory=" + cursor.fetchone()[0])
    cursor.execute("CREATE TABLE IF NOT EXISTS runtime_probe (note text)")
    cursor.execute("INSERT INTO runtime_probe VALUES (%s)", [NOTE])
    cursor.execute("SELECT note FROM runtime_probe ORDER BY note")
    print("notes=" + ",".join(row[0] for row in cursor.fetchall()))
print("cached=" + str(cache.get("runtime-probe")))
cache.set("runtime-probe", NOTE, timeout=None)
print("redis_dir=" + redis.Redis.from_url(settings.REDIS_URL).config_get("dir")["dir"])
print("redis_url=" + settings.REDIS_URL)
"""


def laptop_environment(data_dir: Path) -> dict[str, str]:
    """The environment of a fresh checkout: no servers configured, data kept under data_dir."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")
    }
    environment["AGENCYOPS_DATA_DIR"] = str(data_dir)
    return environment


def manage(data_dir: Path, *args: str, timeout: int = 180) -> str:
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=laptop_environment(data_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert completed.returncode == 0, f"manage.py {args[0]} failed:\n{completed.stdout}\n{completed.stderr}"
    return completed.stdout


def probe(data_dir: Path, note: str) -> dict[str, str]:
    output = manage(data_dir, "shell", "-c", PROBE.replace("NOTE", repr(note)))
    return dict(line.split("=", 1) for line in output.splitlines() if "=" in line)


def postgres_is_running(data_dir: Path) -> bool:
    return (data_dir / "postgres" / "postmaster.pid").exists()


def redis_clients(data_dir: Path) -> list:
    """Who is still connected to the embedded Redis (for a failure's message)."""
    registry = data_dir / "redis" / "agencyops.rdb.settings"
    try:
        socket_path = json.loads(registry.read_text())["unixsocket"]
        return redis.Redis(unix_socket_path=socket_path).client_list()
    except (OSError, ValueError, KeyError, redis.exceptions.RedisError) as error:
        return [repr(error)]


def stop_leftover_servers(data_dir: Path) -> None:
    """Whatever a failed test left running on data_dir: stop it, so runs do not pile up servers."""
    registry = data_dir / "redis" / "agencyops.rdb.settings"
    if registry.exists():
        socket_path = json.loads(registry.read_text())["unixsocket"]
        try:
            redis.Redis(unix_socket_path=socket_path).shutdown(nosave=True)
        except redis.exceptions.RedisError:
            pass  # already gone, or the connection closing is the shutdown itself
    for process in psutil.process_iter(["cmdline"]):
        if any(str(data_dir) in part for part in process.info["cmdline"] or []):
            process.terminate()


@pytest.fixture(scope="module")
def data_dir():
    # Run as root, pgserver starts PostgreSQL as its own unprivileged user, which must be able to reach
    # the data directory: pytest's tmp folders are private to root, so use a world-traversable one.
    base = Path(tempfile.mkdtemp(prefix="agencyops-laptop-"))
    base.chmod(0o755)
    path = base / "data"
    yield path
    stop_leftover_servers(path)
    shutil.rmtree(base, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


def test_without_server_urls_the_app_keeps_its_data_in_its_own_postgres_and_redis(data_dir):
    first = probe(data_dir, "first write")

    assert Path(first["data_directory"]).resolve() == (data_dir / "postgres").resolve()
    assert Path(first["redis_dir"]).resolve() == (data_dir / "redis").resolve()
    assert first["redis_url"].startswith("unix://")
    # The last process using the embedded PostgreSQL stops it on exit.
    assert not postgres_is_running(data_dir)

    second = probe(data_dir, "second write")

    assert second["data_directory"] == first["data_directory"]
    assert second["notes"] == "first write,second write", "a row written before the restart is still there"
    assert second["cached"] == "first write", "both processes use the same Redis"


def wait_for_healthz(port: int, devserver: subprocess.Popen, log: Path, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if devserver.poll() is not None:
            pytest.fail(f"devserver exited with {devserver.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                return json.loads(response.read())
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"/healthz did not answer within {timeout}s:\n{log.read_text()}")


def call_api(url: str, body: dict | None = None, token: str = "") -> dict:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.worker
def test_make_run_serves_the_demo_with_a_worker_and_beat_and_stops_them_all_on_ctrl_c(data_dir, tmp_path):
    port, smtp_port = free_port(), free_port()
    log = tmp_path / "devserver.log"
    with log.open("w") as output:
        devserver = subprocess.Popen(
            [sys.executable, "manage.py", "devserver", "--port", str(port), "--smtp-port", str(smtp_port)],
            cwd=ROOT,
            env=laptop_environment(data_dir),
            stdout=output,
            stderr=subprocess.STDOUT,
            process_group=0,  # our Ctrl-C below must reach devserver alone, as a terminal's would
        )
    children: list[psutil.Process] = []
    stopped_cleanly = False
    try:
        health = wait_for_healthz(port, devserver, log)
        assert health["status"] == "ok"
        # The banner waits for the worker, so it may follow the first health check by a moment.
        deadline = time.monotonic() + 90
        while "AgencyOps is running at" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.5)
        printed = log.read_text()
        assert f"AgencyOps is running at http://127.0.0.1:{port}/" in printed
        # The banner comes last, after the worker says it is ready.
        assert printed.index(" ready.") < printed.index("AgencyOps is running at")
        assert "owner@brightside.test" in printed and "anna@acmedental.test" in printed
        assert "demo-password-2026" in printed

        # The web server (runserver's autoreloaded child) reads the demo devserver loaded.
        api = f"http://127.0.0.1:{port}/api/v1/"
        owner = {"email": "owner@brightside.test", "password": "demo-password-2026"}
        token = call_api(api + "auth/token/", owner)
        agencies = call_api(api + "agencies/", token=token["token"])
        assert "brightside" in json.dumps(agencies)

        # Another process on the same data directory reaches the worker devserver started, and the
        # demo agency it loaded: web, worker and every later process share one PostgreSQL and Redis.
        joined = manage(
            data_dir,
            "shell",
            "-c",
            "from agencyops.tasks import heartbeat\n"
            "from agencyops.models import Agency\n"
            "print('heartbeat=' + heartbeat.delay().get(timeout=60))\n"
            "print('agencies=' + ','.join(Agency.objects.values_list('slug', flat=True)))\n",
        )
        assert "heartbeat=20" in joined
        assert "agencies=brightside" in joined

        children = psutil.Process(devserver.pid).children(recursive=True)
        commands = [" ".join(child.cmdline()) for child in children]
        assert any("runserver" in command for command in commands)
        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        assert any("worker" in command and f"-Q {queue}" in command for command in commands)
        assert any(" beat" in command for command in commands)
        # The inbound mail listener answers SMTP on its port.
        assert any(f"inbound_smtp --host 127.0.0.1 --port {smtp_port}" in command for command in commands)
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as smtp:
            assert smtp.noop()[0] == 250

        # The servers run as daemons, outside devserver's process tree: know them by pid.
        servers = {
            "redis": embedded._redis_pid(data_dir / "redis" / "agencyops.rdb"),
            "postgres": embedded._postmaster_pid(data_dir / "postgres"),
        }
        assert all(pid is not None and pid_alive(pid) for pid in servers.values()), servers
        reaper_processes = [
            p
            for p in psutil.process_iter(["cmdline"])
            if "agencyops.embedded_reaper" in " ".join(p.info["cmdline"] or [])
        ]
        reapers = [" ".join(p.info["cmdline"]) for p in reaper_processes]
        reaper_pids = {p.pid for p in reaper_processes}
        devserver.send_signal(signal.SIGINT)
        assert devserver.wait(timeout=60) == 0, log.read_text()
        stopped_cleanly = True
    finally:
        # Only when an assertion above failed: leave no server behind (nor the children devserver started,
        # which lead their own process groups and would outlive a SIGKILL of devserver). After a clean stop,
        # what is left is checked below, not killed: the embedded servers' reapers may still be at work.
        if not stopped_cleanly:
            if devserver.poll() is None and not children:
                children = psutil.Process(devserver.pid).children(recursive=True)
            for process in (
                [psutil.Process(devserver.pid), *children] if devserver.poll() is None else children
            ):
                if process.is_running():
                    process.kill()

    assert "Stopped the web server, the worker and beat." in log.read_text()
    # The reapers stop the embedded servers once nobody uses them, then end too (checked just below).
    app_children = [c for c in children if c.pid not in reaper_pids]
    _, alive = psutil.wait_procs(app_children, timeout=5)
    assert not alive, f"still running after Ctrl-C: {alive}"
    _, alive = psutil.wait_procs([c for c in children if c.pid in reaper_pids], timeout=60)
    assert not alive, f"reapers still running a minute after Ctrl-C: {alive}"
    deadline = time.monotonic() + 60
    while any(pid_alive(pid) for pid in servers.values()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [kind for kind, pid in servers.items() if pid_alive(pid)], (
        f"an embedded server outlived Ctrl-C: {servers}, Redis clients: {redis_clients(data_dir)}, "
        f"reapers before: {reapers}"
    )
    assert not postgres_is_running(data_dir)

    # A second start finds the demo agency and leaves it as it is.
    again = manage(data_dir, "seed_demo")
    assert "already there; nothing changed" in again
