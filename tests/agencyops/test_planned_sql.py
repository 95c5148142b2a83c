"""Prepared statements for hot paths: ``planned_insert`` writes the same rows the ORM's ``bulk_create``
would (defaults, JSON, decimals, moments, null relations), gives each its key, and is logged with its
text; ``planned_cursor`` statements are prepared once per connection; ``planned_results`` sends several
in one round trip; ``planned_batches`` sends batches that PostgreSQL runs while the caller works on
the rows of the batch before."""

from __future__ import annotations

from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.db import ProgrammingError, connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from agencyops.planned_sql import planned_batches, planned_cursor, planned_insert, planned_results
from brandkit.drafting.models import DraftingJob
from tests import factories

pytestmark = pytest.mark.django_db


def _jobs(owner, client, title):
    moment = timezone.now() - timedelta(days=3, microseconds=7)
    return [
        DraftingJob(
            agency=owner.agency,
            client=client,
            kind="first_draft",
            inputs={"title": title, "channel": "landing_page", "nested": {"list": [1, "två", None]}},
            requested_by=owner,
            provider="offline drafter",
            messages=[
                {"role": "system", "content": "Écrivez «calmement»"},
                {"role": "user", "content": title},
            ],
            cost=Decimal("0.012345"),
            created_at=moment,
        ),
        # Every default left to the model: state, attempts, events, error, tokens, created_at.
        DraftingJob(agency=owner.agency, client=client, kind="variants", inputs={}, provider="bench-model"),
    ]


def _stored(pks):
    rows = []
    for job in DraftingJob.objects.filter(pk__in=pks).order_by("pk"):
        row = model_to_dict(job)
        row.pop("id")
        row.pop("created_at")
        rows.append((row, job.created_at))
    return rows


def test_planned_insert_writes_what_bulk_create_writes_and_sets_the_keys():
    owner = factories.agency_create()
    client = factories.client_create(actor=owner, name="Acme Dental")
    with scope(agency=owner.agency_id):
        by_orm = DraftingJob.objects.bulk_create(_jobs(owner, client, "Spring page"))
        planned = _jobs(owner, client, "Spring page")
        planned_insert(planned)
        assert all(job.pk and not job._state.adding for job in planned)
        assert [job.pk for job in planned] == sorted(job.pk for job in planned)
        assert set(job.pk for job in planned).isdisjoint(job.pk for job in by_orm)
        orm_rows = _stored([job.pk for job in by_orm])
        planned_rows = _stored([job.pk for job in planned])
    assert [row for row, _ in planned_rows] == [row for row, _ in orm_rows]
    # The explicit moment is kept to the microsecond; a default one is "now".
    assert planned_rows[0][1] == planned[0].created_at
    assert abs(planned_rows[1][1] - orm_rows[1][1]) < timedelta(minutes=1)
    assert planned_rows[0][0]["cost"] == Decimal("0.012345")
    assert planned_rows[0][0]["messages"][0]["content"] == "Écrivez «calmement»"
    assert planned_rows[1][0]["state"] == "queued" and planned_rows[1][0]["events"] == []


def test_planned_insert_refuses_rows_already_saved_and_mixed_models():
    owner = factories.agency_create()
    client = factories.client_create(actor=owner, name="Acme Dental")
    with scope(agency=owner.agency_id):
        saved = _jobs(owner, client, "Saved")[:1]
        planned_insert(saved)
        with pytest.raises(ValueError, match="new rows of one model"):
            planned_insert(saved)
        with pytest.raises(ValueError, match="new rows of one model"):
            planned_insert([_jobs(owner, client, "New")[0], client])
        assert DraftingJob.objects.count() == 1


def test_planned_statements_are_logged_with_their_text_and_prepared_once_per_connection():
    owner = factories.agency_create()
    client = factories.client_create(actor=owner, name="Acme Dental")
    with scope(agency=owner.agency_id), CaptureQueriesContext(connection) as queries:
        planned_insert(_jobs(owner, client, "One")[:1])
        planned_insert(_jobs(owner, client, "Two")[:1])
        with planned_cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM brandkit_draftingjob WHERE agency_id = %s", [owner.agency_id]
            )
            assert cursor.fetchone() == (2,)
    assert [q["sql"].split(" (")[0] for q in queries.captured_queries[:2]] == [
        'INSERT INTO "brandkit_draftingjob"'
    ] * 2
    assert "WHERE agency_id = %s" in queries.captured_queries[2]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO%'")
        prepared = [row[0] for row in cursor.fetchall() if "brandkit_draftingjob" in row[0]]
    assert len(prepared) == 1, prepared


def test_planned_results_gives_each_statements_rows_in_one_logged_round_trip():
    statements = (
        "SELECT %(start)s::int + 1",
        "SELECT n FROM generate_series(%(start)s::int, %(stop)s::int) AS n ORDER BY n",
        "SELECT 'never' WHERE %(start)s::int > %(stop)s::int",
    )
    with CaptureQueriesContext(connection) as queries:
        results = planned_results(statements, {"start": 1, "stop": 3, "unused": "ignored"})
    assert results == [[(2,)], [(1,), (2,), (3,)], []]
    assert len(queries) == 1
    assert queries.captured_queries[0]["sql"] == ";\n".join(statements)


def test_a_failing_statement_in_planned_results_raises_djangos_error_and_the_connection_goes_on():
    with pytest.raises(ProgrammingError, match="no_such_table"), transaction.atomic():
        planned_results(("SELECT 1", "SELECT * FROM no_such_table"), {})
    assert planned_results(("SELECT 2",), {}) == [[(2,)]]


def test_planned_batches_give_each_batchs_rows_in_order_and_log_each_batch_as_one_round_trip():
    first = [("SELECT %s::int + 1", [1]), None, ("SELECT n FROM generate_series(1, %s) AS n ORDER BY n", [3])]
    second = [("SELECT 'never' WHERE %s", [False]), ("SELECT %s::text || %s::text", ["a", "b"])]
    with CaptureQueriesContext(connection) as queries, planned_batches() as pipeline:
        sent = pipeline.send(first)
        rows = sent.rows()
        later = pipeline.send(second)
        # The caller works here while PostgreSQL runs the second batch.
        assert later.rows() == [[], [("ab",)]]
    # A statement given as None (a filter that can match nothing) has no rows and is not sent.
    assert rows == [[(2,)], [], [(1,), (2,), (3,)]]
    assert [query["sql"] for query in queries.captured_queries] == [
        "SELECT %s::int + 1;\nSELECT n FROM generate_series(1, %s) AS n ORDER BY n",
        "SELECT 'never' WHERE %s;\nSELECT %s::text || %s::text",
    ]


def test_a_binary_batch_reads_the_same_values_as_a_text_one():
    moment = timezone.now().replace(microsecond=123456)
    statement = [
        (
            "SELECT %s::timestamptz, %s::date, %s::numeric, %s::text, %s::int[]",
            [moment, moment.date(), Decimal("12.5"), "två", [1, 2]],
        )
    ]
    with planned_batches() as pipeline:
        [text_rows] = pipeline.send(statement).rows()
        [binary_rows] = pipeline.send(statement, binary=True).rows()
    assert binary_rows == text_rows == [(moment, moment.date(), Decimal("12.5"), "två", [1, 2])]
    # The same instant, in the same time zone.
    assert binary_rows[0][0].tzinfo == text_rows[0][0].tzinfo == UTC


def test_a_failing_batch_raises_djangos_error_and_the_connection_goes_on():
    with pytest.raises(ProgrammingError, match="no_such_table"), transaction.atomic():
        with planned_batches() as pipeline:
            pipeline.send([("SELECT 1", []), ("SELECT * FROM no_such_table", [])]).rows()
    with planned_batches() as pipeline:
        assert pipeline.send([("SELECT 2", [])]).rows() == [[(2,)]]
