"""Shared fixtures: two agencies with their teams, and logged-in clients for each kind of person."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from tests import factories


@pytest.fixture
def team(db) -> dict:
    """Agency A, fully staffed, with two clients and one portal contact each."""
    return factories.team_create(agency_name="Northwind Creative")


@pytest.fixture
def other_team(db) -> dict:
    """Agency B: must never be visible to anyone in agency A."""
    return factories.team_create(agency_name="Southpaw Studio")


def _logged_in(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return http


@pytest.fixture
def as_owner(team) -> HttpClient:
    return _logged_in(team["owner"].user)


@pytest.fixture
def as_coordinator(team) -> HttpClient:
    return _logged_in(team["coordinator"].user)


@pytest.fixture
def as_member(team) -> HttpClient:
    return _logged_in(team["members"][0].user)


@pytest.fixture
def as_contact(team) -> HttpClient:
    return _logged_in(team["contacts"][0].user)


@pytest.fixture
def logged_in():
    """Log any user in: ``logged_in(user)`` returns a test client."""
    return _logged_in


@pytest.fixture(autouse=True, scope="session")
def _test_flush_may_empty_history_tables():
    """Django empties the database after each transactional test with TRUNCATE, which the history
    tables refuse (statement-level triggers). Only that flush is let through; any other TRUNCATE,
    a test's own included, is still refused."""
    import pgtrigger
    from django.db.backends.postgresql.operations import DatabaseOperations

    refusing = [
        f"{model._meta.label}:{trigger.name}"
        for model, trigger in pgtrigger.registered()
        if trigger.operation == pgtrigger.Truncate
    ]
    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with pgtrigger.ignore(*refusing):
            return original(self, sql_list)

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


@pytest.fixture(autouse=True)
def _mail_sent_in_process(request, settings):
    """Mail tasks run in the test's process (into Django's locmem outbox), unless the test starts a worker."""
    settings.MAIL_SEND_IN_PROCESS = request.node.get_closest_marker("worker") is None


@pytest.fixture(autouse=True)
def _worker_starts_on_an_empty_queue(request):
    """A test that starts a real worker starts it on an empty queue: jobs queued by earlier tests that ran
    no worker (pages, browser walks, the demo) would otherwise run inside it and send their mail there."""
    if request.node.get_closest_marker("worker") is not None:
        from agencyops.celery import app

        app.control.purge()
    yield
