"""A cursor for the SQL that the hot pages write once: PostgreSQL parses and plans each of those statements
once per connection (a prepared statement), not again on every request.

On a small agency PostgreSQL spends longer planning a page's joins than running them: the owner's home
view cost the server about 3.5 ms of planning and running per view, 1.9 ms once its statements were
prepared (the portal home 2.7 ms, then 0.9 ms). Django's own cursor sends the ORM's queries with their
values written in (client-side binding), which cannot be prepared and is left as it is; only statements
run through ``planned_cursor`` are sent with their values apart (server-side binding) and prepared on first
use. Behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode, say),
DATABASE_PREPARED_STATEMENTS=0 sends the same statements unprepared.

Queries run here are logged and counted like any other (``django_assert_num_queries`` sees them).

``planned_insert`` writes new rows the same way, for the inserts a hot path makes on every run (a drafting
job's own row, the pieces it lands and its result).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, nullcontext
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Field, Model
from django.db.models.fields import AutoFieldMixin
from psycopg.pq import Format


def _server_binding_cursor(db: BaseDatabaseWrapper) -> ServerBindingCursor:
    raw = ServerBindingCursor(db.connection)
    # As Django's own cursors: moments come back in the connection's time zone.
    loader = db.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    if db.timezone != loader.timezone:
        register_tzloader(db.timezone, raw)
    return raw


class _LoggedStatementCursor(CursorDebugWrapper):
    """Django's query-logging cursor, logging the statement as written (placeholders and all): the driver
    keeps no text with the values in for a prepared statement, so Django's own would log None."""

    def execute(self, sql: str, params: Any = None) -> Any:
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


def unseen_by_planner(name: str, sql_type: str = "bigint") -> str:
    """The named parameter ``name`` written as a one-value subquery, so that PostgreSQL plans the statement
    without seeing its value, for the tenant (and client) a statement is scoped to.

    A prepared statement is planned for its values on each of its first five runs; then PostgreSQL keeps
    one plan for any values unless the plans for the values it saw were priced cheaper. A small agency
    beside a large one is exactly that case: every run of the agency's statement was planned afresh, for
    good (0 kept-plan runs of 2,020), at two to three times the cost of the run (brandkit.selectors'
    rules: 0.33 ms a run, 0.10 ms on the kept plan; the portal's shared-files count: 0.15 and 0.07 ms).
    Hidden this way, every value prices alike and the plan is kept; a large agency gets the plan it got."""
    return f"(SELECT %({name})s::{sql_type})"


@contextmanager
def planned_cursor() -> Iterator[CursorWrapper]:
    """A cursor of the default connection (same transaction, same error wrapping and query log as
    ``connection.cursor()``) whose statements are prepared: pass parameters, never values in the text.

    A prepared statement gets one plan for any values once PostgreSQL keeps one (``unseen_by_planner``:
    when it would not): a range whose width the values decide is written
    with both its ends, which PostgreSQL prices as narrow (see projects.home_sections.PLACED_BY_WEEK_END_SQL);
    with one end alone it prices a third of the table, and may plan to read all of it."""
    # The wrapper itself, looked up once: every attribute read through django.db.connection looks it up.
    db = connections[DEFAULT_DB_ALIAS]
    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        raw = _server_binding_cursor(db)
    db.validate_thread_sharing()
    cursor = _LoggedStatementCursor(raw, db) if db.queries_logged else db.make_cursor(raw)
    with cursor:
        yield cursor


def planned_results(statements: Sequence[str], params: Mapping[str, Any]) -> list[list[tuple[Any, ...]]]:
    """The rows of each statement, all of them prepared and sent in one round trip (the driver's pipeline
    mode): what one multi-statement string gives, which PostgreSQL cannot prepare. Each statement takes
    the parameters it names from ``params``. Logged (and counted) as one query, the round trip it is."""
    return planned_reads([(statement, params) for statement in statements])


def planned_reads(statements: Sequence[Statement | None]) -> list[list[tuple[Any, ...]]]:
    """``planned_results`` for statements that each carry their own parameters (a page's reads gathered
    from several apps): the rows of each, in order, in one round trip; None reads nothing."""
    with planned_batches() as pipeline:
        return pipeline.send(statements).rows()


# A statement's SQL and its parameters, by position (%s) or by name (%(name)s).
Statement = tuple[str, Sequence[Any] | Mapping[str, Any]]


class PlannedBatch:
    """A batch of statements already on its way to PostgreSQL (see ``planned_batches``)."""

    def __init__(
        self, pipeline: PlannedPipeline, statements: Sequence[Statement | None], *, binary: bool
    ) -> None:
        self._pipeline = pipeline
        self._statements = tuple(statements)
        self._sent = [statement for statement in self._statements if statement is not None]
        self._raws: list[ServerBindingCursor] = []
        for sql, params in self._sent:
            raw = pipeline.cursors.enter_context(_server_binding_cursor(pipeline.db))
            raw.execute(sql, params, binary=binary)
            self._raws.append(raw)

    def rows(self) -> list[list[tuple[Any, ...]]]:
        """Each statement's rows, in the order sent, waiting for those PostgreSQL has not sent yet; a
        statement given as None (a filter that can match nothing) has none. Logged (and counted) as one
        query, the round trip it is, timed from the wait."""
        logged = (
            self._pipeline.cursor.debug_sql(
                ";\n".join(sql for sql, _ in self._sent), [params for _, params in self._sent]
            )
            if isinstance(self._pipeline.cursor, CursorDebugWrapper)
            else nullcontext()
        )
        with logged:
            fetched = iter([raw.fetchall() for raw in self._raws])
        return [next(fetched) if statement is not None else [] for statement in self._statements]


class PlannedPipeline:
    """One connection's pipeline, open for batches of prepared statements (see ``planned_batches``)."""

    def __init__(self, cursor: CursorWrapper, cursors: ExitStack) -> None:
        self.cursor = cursor
        self.db = cursor.db
        self.cursors = cursors

    def send(self, statements: Sequence[Statement | None], *, binary: bool = False) -> PlannedBatch:
        """Send a batch and return at once: PostgreSQL starts on it while the caller goes on. Fetch the
        rows of a batch sent earlier before sending the next (fetching waits for every batch sent).

        ``binary`` asks for the rows in PostgreSQL's binary format, which the driver reads in C: a tenth of
        the time for moments (the text format's time zone is set in Python, row by row), which come in the
        connection's time zone (UTC) as Django's do. JSON comes decoded (Django's text loader leaves it a
        string). Text loads numbers and short rows no slower."""
        return PlannedBatch(self, statements, binary=binary)


@contextmanager
def planned_batches() -> Iterator[PlannedPipeline]:
    """Statements sent in batches down the connection's pipeline, each prepared, each with its own
    parameters: PostgreSQL runs one batch while the caller works on the rows of the batch before, so a
    read that needs several kinds of rows waits on the database only for the first. In the same
    transaction and with the same error wrapping as ``connection.cursor()``."""
    with planned_cursor() as cursor:
        db = cursor.db
        db.validate_no_broken_transaction()
        # The batches' cursors close after the pipeline has taken back every result sent.
        with db.wrap_database_errors, ExitStack() as cursors, db.connection.pipeline():
            yield PlannedPipeline(cursor, cursors)


def _is_generated_key(field: Field) -> bool:
    return field.primary_key and isinstance(field, AutoFieldMixin)


@cache
def _insert_sql(model: type[Model], rows: int) -> tuple[str, tuple[Field, ...]]:
    fields = tuple(f for f in model._meta.concrete_fields if not _is_generated_key(f) and not f.generated)
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES {', '.join([row] * rows)} RETURNING {quote(model._meta.pk.column)}"
    )
    return sql, fields


def planned_insert(objects: Sequence[Model]) -> None:
    """Insert new rows of one model in one prepared statement and give each its primary key: what
    ``bulk_create`` does (no signals, no ``save()``; defaults and ``auto_now_add`` applied), for the writes
    a hot path makes on every run, where compiling the INSERT cost more than PostgreSQL spends on it."""
    if not objects:
        return
    model = type(objects[0])
    if not all(type(obj) is model and obj._state.adding and obj.pk is None for obj in objects):
        raise ValueError("planned_insert takes new rows of one model, none of them saved yet")
    sql, fields = _insert_sql(model, len(objects))
    db = connections[DEFAULT_DB_ALIAS]
    params = [
        field.get_db_prep_save(field.pre_save(obj, add=True), db) for obj in objects for field in fields
    ]
    with planned_cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall()
    for obj, (key,) in zip(objects, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS
