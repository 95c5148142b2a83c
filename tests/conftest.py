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


@pytest.fixture(autouse=True)
def _mail_sent_in_process(request, settings):
    """Mail tasks run in the test's process (into Django's locmem outbox), unless the test starts a worker."""
    settings.MAIL_SEND_IN_PROCESS = request.node.get_closest_marker("worker") is None
