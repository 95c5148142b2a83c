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
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.backends.utils import CursorWrapper
from psycopg.pq import Format


@contextmanager
def planned_cursor() -> Iterator[CursorWrapper]:
    """A cursor of the default connection (same transaction, same error wrapping and query log as
    ``connection.cursor()``) whose statements are prepared: pass parameters, never values in the text."""
    # The wrapper itself, looked up once: every attribute read through django.db.connection looks it up.
    db = connections[DEFAULT_DB_ALIAS]
    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        raw = ServerBindingCursor(db.connection)
        # As Django's own cursors: moments come back in the connection's time zone.
        loader = db.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        if db.timezone != loader.timezone:
            register_tzloader(db.timezone, raw)
    db.validate_thread_sharing()
    cursor = db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)
    with cursor:
        yield cursor
