"""Stops an embedded server once the process that started it is gone and no live process still uses it.

``agencyops.embedded`` starts one of these next to each private PostgreSQL or Redis it starts. It runs in its
own session (a Ctrl-C in the terminal does not reach it) and waits on a pipe whose other end only the
starting process holds: when that process ends in any way (a normal exit, Ctrl-C, SIGTERM, even SIGKILL), the
pipe closes and this stops the server as soon as nobody uses it any more. Both servers daemonise, so without
it a starter killed before its exit handlers ran (SIGTERM does not run them) left them running for good.

Usage: ``python -m agencyops.embedded_reaper postgres PID PGDATA`` or ``... redis PID SOCKET`` (stdin: the pipe).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

POLL_SECONDS = 0.5
STOP_SECONDS = 30


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie waiting for its parent is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: trust kill(0)
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def postgres_users(pgdata: Path) -> list[int]:
    """The live processes that joined the server through pgserver (its list keeps the pids of dead ones)."""
    try:
        pids = json.loads((pgdata / ".handle_pids.json").read_text())
    except (OSError, ValueError):
        return []
    return [pid for pid in pids if isinstance(pid, int) and pid != os.getpid() and pid_alive(pid)]


def redis_users(socket: str) -> int | None:
    """How many connections other than this one the server has; None when it cannot be asked."""
    import redis

    try:
        client = redis.Redis(unix_socket_path=socket, socket_timeout=2)
        count = len(client.client_list()) - 1
        client.close()
    except (redis.RedisError, OSError):
        return None
    return count


def stop(pid: int, first: signal.Signals) -> None:
    """``first`` (PostgreSQL's fast shutdown is SIGINT, Redis saves and exits on SIGTERM), then SIGKILL."""
    for signum, seconds in ((first, STOP_SECONDS), (signal.SIGKILL, 5)):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                return
            time.sleep(0.1)


def main(argv: list[str]) -> int:
    kind, pid_text, where = argv
    pid = int(pid_text)
    for signum in (signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    # Until the starting process has gone: only it holds the other end of the pipe.
    while sys.stdin.buffer.read(4096):
        pass
    while pid_alive(pid):
        if kind == "postgres":
            if not postgres_users(Path(where)):
                stop(pid, signal.SIGINT)
        elif not redis_users(where):
            stop(pid, signal.SIGTERM)
        time.sleep(POLL_SECONDS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
