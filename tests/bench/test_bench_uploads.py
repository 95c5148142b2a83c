"""`make bench`: rendering PDF pages for pinning, a normal document next to a hostile one (issue 11).

The hostile PDF has eight 100 × 10,000 pt pages, which once rendered 1,200 px wide took seconds and over
a gigabyte per page. Each render runs in a forked child so its peak memory is its own.
"""

from __future__ import annotations

import os
import pickle
import resource
import time

from approvals.files import render_pdf_pages
from tests.approvals.test_hostile_uploads import pdf_with_pages

HOSTILE_TARGET_MS = 10_000
MEMORY_TARGET_MB = 400


def _render_in_child(data: bytes) -> tuple[float, float, int]:
    """Milliseconds, peak resident megabytes of the child that rendered, and pages rendered."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child renders and reports
        os.close(read)
        started = time.perf_counter()
        pages = render_pdf_pages(data, max_pixels=4_000_000)
        elapsed = (time.perf_counter() - started) * 1000
        with os.fdopen(write, "wb") as out:
            pickle.dump((elapsed, len(pages)), out)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as incoming:
        elapsed, count = pickle.load(incoming)
    _, _, usage = os.wait4(pid, 0)
    return elapsed, usage.ru_maxrss / 1024, count


def test_rendering_a_hostile_pdf_stays_within_time_and_memory(report):
    normal = pdf_with_pages([(595, 842)] * 20)
    hostile = pdf_with_pages([(100, 10_000)] * 8)
    base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    normal_ms, normal_mb, normal_pages = _render_in_child(normal)
    hostile_ms, hostile_mb, hostile_pages = _render_in_child(hostile)

    assert (normal_pages, hostile_pages) == (20, 8)
    passed = hostile_ms <= HOSTILE_TARGET_MS and hostile_mb - base_mb <= MEMORY_TARGET_MB
    report.add(
        f"PDF pages: 8 hostile (peak {hostile_mb:.0f} MB) vs 20 normal A4 (peak {normal_mb:.0f} MB)",
        f"{hostile_ms:.0f}",
        "—",
        f"{normal_ms:.0f}",
        f"{hostile_ms / normal_ms:.1f}×",
        f"≤ {HOSTILE_TARGET_MS / 1000:g} s, ≤ +{MEMORY_TARGET_MB} MB",
        "PASS" if passed else "FAIL",
    )
    assert passed
