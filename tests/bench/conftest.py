"""The bench database: its own PostgreSQL database, seeded once and reused while the seed is current.

It is named after the test database (``<TEST NAME>_bench``), so parallel checkouts with their own
TEST_DATABASE_NAME keep their own bench data. Unlike the test database it is kept between runs and
reused when it was seeded today with the current SEED_VERSION (dates are seeded around the day of
seeding); otherwise it is dropped, migrated and seeded again (under a minute on two idle cores).
Each test runs in a transaction that is rolled back, so measurements never change the seed.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.template.base import Template
from django.test.utils import _TestState

from tests.bench import seed


def _bench_database_name() -> str:
    # One database per size, so switching BENCH_SIZE does not reseed the others.
    suffix = "_bench" if seed.SIZE == "default" else f"_bench_{seed.SIZE}"
    return settings.DATABASES["default"]["TEST"]["NAME"] + suffix


def _point_at(name: str) -> None:
    connection.close()
    # The connection's settings are the same dict as settings.DATABASES["default"]; set both anyway.
    settings.DATABASES["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name


def _recreate(name: str, *, drop: bool) -> None:
    connection.close()
    with connection._nodb_cursor() as cursor:
        if drop:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker):
    """Use (and if needed build) the seeded bench database instead of an empty test database."""
    name = _bench_database_name()
    with django_db_blocker.unblock():
        _recreate(name, drop=False)
        _point_at(name)
        call_command("migrate", verbosity=0)
        if seed.load() is None:
            # Seeded another day, by another version, or never: start from an empty database.
            _recreate(name, drop=True)
            _point_at(name)
            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            seed.seed(seed.bench_today())
            print(f"\nSeeded the bench agency into {name} in {time.perf_counter() - started:.0f} s.")
        else:
            print(f"\nReusing the bench agency seeded today in {name}.")
        # Every measured write is rolled back, which leaves dead rows behind; where autovacuum is off (as
        # on a shared development server) they pile up run after run and each scan's store reads through
        # tens of thousands of them. A fresh seed is vacuumed too: otherwise autovacuum visits its new
        # tables during the first run's measurements, and the first run after seeding reads slower than
        # the next. Done here, as autovacuum would have done in production.
        # Likewise the change rows behind the agencies' and projects' versions, which beat folds every few
        # minutes in production: each served run's touches leave thousands, and every versioned read counts
        # them.
        seed.changes_fold()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")
    yield


@pytest.fixture(scope="session")
def bench(django_db_setup, django_db_blocker) -> seed.Bench:
    with django_db_blocker.unblock():
        loaded = seed.load()
    assert loaded is not None, "the bench agency should have been seeded"
    return loaded


class Report:
    """Rows of the table printed at the end of the run."""

    HEADER = ("measure", "median ms", "queries", "baseline ms", "ratio", "target", "result")

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def add(self, *row: str) -> None:
        self.rows.append(tuple(row))

    def render(self) -> str:
        table = [self.HEADER, *self.rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(self.HEADER))]
        lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in table]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)


@pytest.fixture(scope="session")
def report():
    collected = Report()
    yield collected
    if collected.rows:
        print("\n\nmake bench: server time through Django's test client vs the SQL alone (median)\n")
        print(collected.render())
        print()


def paired_medians_ms(*runs, times: int, warmup: int = 2, before_first=None) -> tuple[float, ...]:
    """Median wall times of two (or more) callables in milliseconds, run alternately.

    Alternating puts them under the same conditions on a busy machine, so their ratio holds up
    even when the absolute numbers wander. ``before_first`` runs before each call of the first one,
    untimed (a change to the data, so that each request is the first view after a change).
    """
    for _ in range(warmup):
        for n, run in enumerate(runs):
            if n == 0 and before_first is not None:
                before_first()
            run()
    samples: tuple[list[float], ...] = tuple([] for _ in runs)
    for _ in range(times):
        for n, (run, into) in enumerate(zip(runs, samples, strict=True)):
            if n == 0 and before_first is not None:
                before_first()
            started = time.perf_counter()
            run()
            into.append((time.perf_counter() - started) * 1000)
    return tuple(statistics.median(taken) for taken in samples)


def median_ms(run, *, times: int, warmup: int = 2) -> float:
    """Median wall time of ``run()`` in milliseconds, after a few warm-up runs."""
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


@contextmanager
def rendering_as_in_production() -> Iterator[None]:
    """Render templates the way a server does while the pages are timed.

    Under tests Django wraps every template render so the test client can record each template and
    a copy of its context (``setup_test_environment``): a cost per included template that no server
    pays and that would be counted as the page's own. The wrapper is put back afterwards.
    """
    instrumented = Template._render
    Template._render = _TestState.saved_data.template_render
    try:
        yield
    finally:
        Template._render = instrumented
