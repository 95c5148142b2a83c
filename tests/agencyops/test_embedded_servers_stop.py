"""No embedded PostgreSQL or Redis outlives the process that started it, however that process ends.

Each case starts a process on a fresh data directory with no server URLs (as ``make run`` or a test run on a
laptop does), lets it start both embedded servers, signals it, and then checks by pid, walking /proc, that
neither server nor anything else the process started is still running.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from agencyops.embedded_reaper import pid_alive
from tests.agencyops.test_runtime_embedded import ROOT, laptop_environment, stop_leftover_servers

STARTER = """
import json, sys, time
from pathlib import Path
from agencyops import embedded

data = Path(sys.argv[1])
embedded.embedded_database(data)
embedded.embedded_redis_url(data)
print(json.dumps(embedded.started_server_pids()), flush=True)
time.sleep(600)
"""


def parents() -> dict[int, int]:
    """Every process's parent, read from /proc."""
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            found[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def descendants(pid: int) -> set[int]:
    tree = parents()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in tree.items() if parent in frontier} - found
        found |= frontier
    return found


def servers_of(data_dir: Path) -> set[int]:
    """Processes whose command line names this data directory (PostgreSQL's -D and its children)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if str(data_dir) in command and int(entry.name) != os.getpid():
                found.add(int(entry.name))
    return found


def wait_gone(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = {pid for pid in pids if pid_alive(pid)}
        if not alive:
            return set()
        time.sleep(0.2)
    return {pid for pid in pids if pid_alive(pid)}


@pytest.fixture
def data_dir():
    # pgserver runs PostgreSQL as its own user when run as root: the folder must be reachable by it.
    base = Path(tempfile.mkdtemp(prefix="agencyops-stop-"))
    base.chmod(0o755)
    path = base / "data"
    yield path
    stop_leftover_servers(path)
    shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["int", "term", "kill"]
)
def test_no_embedded_server_outlives_the_process_that_started_it(data_dir, signum):
    starter = subprocess.Popen(
        [sys.executable, "-c", STARTER, str(data_dir)],
        cwd=ROOT,
        env=laptop_environment(data_dir),
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # our signal reaches its group only, as a terminal's Ctrl-C would
    )
    try:
        started = json.loads(starter.stdout.readline() or "{}")
        assert set(started) == {"postgres", "redis"}, "the process started both servers itself"
        everything = set(started.values()) | descendants(starter.pid) | servers_of(data_dir)
        assert all(pid_alive(pid) for pid in started.values())

        os.killpg(starter.pid, signum)
        starter.wait(timeout=60)
    finally:
        if starter.poll() is None:
            starter.kill()
            starter.wait()

    survivors = wait_gone(everything | servers_of(data_dir), seconds=60)
    assert not survivors, f"still running after {signal.Signals(signum).name}: {survivors}"
    assert not (data_dir / "postgres" / "postmaster.pid").exists()
