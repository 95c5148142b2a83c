"""Statements a small agency runs on every check and every portal visit keep one plan per connection beside
a large agency: PostgreSQL plans them once, not again on every run (agencyops.planned_sql.unseen_by_planner).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django_scopes import scope

from agencyops.models import Client
from brandkit.library.models import LibraryItem
from brandkit.library.portal_links import brand_files_link
from brandkit.selectors import brand_rules_for_client
from tests import factories
from tests.brandkit.brand_data import acme_layer, layer_save

pytestmark = pytest.mark.django_db

RUNS = 12


def _plans(fragment: str) -> tuple[int, int]:
    """(runs on the kept plan, runs planned afresh) of this connection's prepared statement holding
    ``fragment``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%{fragment}%"],
        )
        rows = cursor.fetchall()
    assert len(rows) == 1, rows
    return rows[0]


def _kept(fragment: str) -> None:
    kept, planned_afresh = _plans(fragment)
    # PostgreSQL plans a prepared statement afresh for its first five runs, then keeps a plan it trusts.
    assert planned_afresh <= 5 and kept >= RUNS - 5, (kept, planned_afresh)


@pytest.fixture
def large_agency(db):
    """An agency with 300 clients, one of them with 300 library files, its statistics up to date."""
    owner = factories.agency_create(name="Large agency")
    with scope(agency=owner.agency_id):
        clients = Client.objects.bulk_create(
            [Client(agency=owner.agency, name=f"Client {n:03}", slug=f"client-{n:03}") for n in range(300)]
        )
        LibraryItem.objects.bulk_create(
            [LibraryItem(agency=owner.agency, client=clients[0], title=f"File {n}") for n in range(300)]
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE agencyops_client, brandkit_libraryitem")
    return owner


def test_a_small_agencys_checks_keep_the_rules_plan(team, large_agency):
    layer_save(actor=team["coordinator"], client=team["clients"][0], content=acme_layer())
    client = team["clients"][0]
    with scope(agency=team["agency"].pk):
        for _ in range(RUNS):
            rules, version = brand_rules_for_client(client)
    assert version is not None and rules.client_name == client.name
    _kept("jsonb_build_object(%'entry_id'")


def test_a_small_agencys_portal_home_keeps_the_shared_files_plan(team, large_agency):
    contact = team["contacts"][0]
    with scope(agency=team["agency"].pk):
        for _ in range(RUNS):
            links = brand_files_link(contact=contact)
    assert links == []
    _kept("FROM brandkit_libraryitem i")
