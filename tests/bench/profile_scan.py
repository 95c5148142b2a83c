"""Profile the risk scan of the bench agency (not collected by `make bench`; run it by path).

    BENCH_SIZE=small python -m pytest tests/bench/profile_scan.py -s -p no:randomly -o addopts=""

Prints the scan's queries and the median time of each step (snapshot, rules, storing), then the functions
that take the snapshot's and the store's time (cProfile over PROFILE_RUNS scans, rolled back each time).
The steps run as agency_scan runs them, with the cyclic collector paused for the whole scan.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from projects import risks
from projects.escalations import escalations_sync
from projects.risk_scan import _cyclic_gc_paused, _found, agency_snapshot

pytestmark = pytest.mark.django_db


def test_profile_scan(bench):
    runs = int(os.environ.get("PROFILE_RUNS", "7"))
    agency = bench.agency
    with scope(agency=agency.pk):
        steps: dict[str, list[float]] = {"snapshot": [], "rules": [], "store": [], "scan": []}

        def scan(profile: cProfile.Profile | None = None) -> None:
            with transaction.atomic(), _cyclic_gc_paused():
                started = time.perf_counter()
                if profile:
                    profile.enable()
                snapshot = agency_snapshot(agency)
                if profile:
                    profile.disable()
                read = time.perf_counter()
                found = risks.evaluate_many(
                    snapshot.projects, today=snapshot.today, calendar=snapshot.calendar
                )
                evaluated = time.perf_counter()
                if profile:
                    profile.enable()
                escalations_sync(agency_id=agency.pk, found=[_found(f) for f in found], today=snapshot.today)
                if profile:
                    profile.disable()
                stored = time.perf_counter()
                transaction.set_rollback(True)
            steps["snapshot"].append((read - started) * 1000)
            steps["rules"].append((evaluated - read) * 1000)
            steps["store"].append((stored - evaluated) * 1000)
            steps["scan"].append((stored - started) * 1000)

        with CaptureQueriesContext(connection) as captured:
            scan()
        for query in captured.captured_queries:
            print(query["time"], query["sql"][:160])
        for values in steps.values():
            values.clear()
        for _ in range(runs):
            scan()
        for name, values in steps.items():
            print(
                f"{name:>9}: median {statistics.median(values):7.1f} ms  min {min(values):7.1f}  max {max(values):7.1f}"
            )
        profile = cProfile.Profile()
        for _ in range(runs):
            scan(profile)
    stats = pstats.Stats(profile)
    stats.sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(
        int(os.environ.get("PROFILE_LINES", "40"))
    )
    stats.sort_stats("cumulative").print_stats(50)
