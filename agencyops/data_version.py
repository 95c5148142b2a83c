"""The agency's data version: a value that changes with every committed change to the rows an agency-wide
page shows, read in one small statement.

A page whose data is the whole agency's (the owner's home view places every open task of every live
project) cannot be versioned by a digest of its rows the way the project page is: reading those rows is
most of what it costs. PostgreSQL keeps the version instead. Each table such a page reads carries three
statement-level triggers (``watch_agency_changes``, added by each app's own migration) that write one
``AgencyChange`` row per agency a statement touched, however the statement was made: the service layer,
the admin, a data migration or a hand-written UPDATE. The version is how many such rows were ever
committed for the agency, with the last writing transaction among them:

* a count only grows, and each commit adds to it: a transaction that started first and commits last still
  moves the count (the latest transaction alone would miss it);
* rows are only inserted, so writers never wait on one another (a counter row per agency would make every
  writer in the agency queue behind it, and could deadlock with the rows they lock);
* a transaction id is never handed out twice in a cluster, so a count that comes round again (a database
  created afresh, a rolled-back test) comes with another transaction.

Beat folds the rows into ``AgencyChangeTally`` every few minutes (``agency_changes_fold``), in one
statement, so the version reads the same before and after and its count stays a short index range. Reads
never write: without beat the rows only pile up, and the count slows by about a millisecond per ten
thousand writing statements.

A page kept under this version must also key on what changes without a write: the day, and any moment its
items change by themselves (an approval turning late; see ``agencyops.sections.SectionContext.changes_at``).
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection, migrations, transaction
from redis.exceptions import RedisError

from agencyops.planned_sql import planned_cursor

logger = logging.getLogger(__name__)

# Who a changed row's agency is, by table: the agency column of a tenant-owned row, the agency's own id,
# or, for a person (whose name every agency they work in shows), each agency of their memberships.
BY_AGENCY_ID = "agency_id"
BY_OWN_ID = "id"
BY_MEMBERSHIPS = "memberships"

NOTE_CHANGE_FUNCTION = "agencyops_note_agency_change"

# One function for every watched table: the trigger names its transition table "changed_rows" (the new
# rows of an insert or update, the old ones of a delete) and passes how to find the rows' agencies.
CREATE_NOTE_CHANGE_FUNCTION_SQL = f"""
CREATE FUNCTION {NOTE_CHANGE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_ARGV[0] = '{BY_AGENCY_ID}' THEN
        INSERT INTO agencyops_agencychange (agency_id, transaction)
        SELECT DISTINCT agency_id, pg_current_xact_id()::text::bigint FROM changed_rows
        WHERE agency_id IS NOT NULL;
    ELSIF TG_ARGV[0] = '{BY_OWN_ID}' THEN
        INSERT INTO agencyops_agencychange (agency_id, transaction)
        SELECT DISTINCT id, pg_current_xact_id()::text::bigint FROM changed_rows;
    ELSIF TG_ARGV[0] = '{BY_MEMBERSHIPS}' THEN
        INSERT INTO agencyops_agencychange (agency_id, transaction)
        SELECT DISTINCT m.agency_id, pg_current_xact_id()::text::bigint
        FROM changed_rows u JOIN agencyops_membership m ON m.user_id = u.id;
    ELSE
        RAISE EXCEPTION 'unknown way to find the agency of a change: %', TG_ARGV[0];
    END IF;
    RETURN NULL;
END
$$
"""
DROP_NOTE_CHANGE_FUNCTION_SQL = f"DROP FUNCTION {NOTE_CHANGE_FUNCTION}()"

_EVENTS = (("insert", "INSERT", "NEW"), ("update", "UPDATE", "NEW"), ("delete", "DELETE", "OLD"))


def watched_trigger_name(table: str, event: str) -> str:
    return f"{table}_agency_change_on_{event}"


def statement_triggers(
    table: str,
    *,
    function: str,
    name: Callable[[str, str], str],
    argument: str,
    more_arguments: Sequence[str] = (),
    old_rows_on_update: bool = False,
) -> migrations.RunSQL:
    """A migration operation: three statement-level triggers on ``table`` (PostgreSQL keeps transition
    tables for a trigger of one event only) calling ``function(argument, *more_arguments)``, each with the
    rows its statement wrote as the transition table ``changed_rows`` (the new rows of an insert or update,
    the old ones of a delete). With ``old_rows_on_update`` an update's trigger also gets the rows as they
    were, as ``old_rows``, so the function can tell which columns moved. ``name(table, event)`` names each
    trigger."""
    for value in (argument, *more_arguments):
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", value):
            raise ValueError(f"not a name a trigger may pass: {value!r}")
    arguments = ", ".join(f"'{value}'" for value in (argument, *more_arguments))
    create = []
    for event_name, event, rows in _EVENTS:
        referencing = f"{rows} TABLE AS changed_rows"
        if old_rows_on_update and event == "UPDATE":
            referencing = f"OLD TABLE AS old_rows {referencing}"
        create.append(
            f'CREATE TRIGGER {name(table, event_name)} AFTER {event} ON "{table}" '
            f"REFERENCING {referencing} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {function}({arguments})"
        )
    drop = [f'DROP TRIGGER {name(table, event_name)} ON "{table}"' for event_name, _, _ in _EVENTS]
    return migrations.RunSQL(create, drop)


def watch_agency_changes(table: str, by: str = BY_AGENCY_ID) -> migrations.RunSQL:
    """A migration operation: every insert, update and delete on ``table`` moves the data version of the
    agencies its rows belong to (``by``: BY_AGENCY_ID, BY_OWN_ID or BY_MEMBERSHIPS)."""
    if by not in (BY_AGENCY_ID, BY_OWN_ID, BY_MEMBERSHIPS):
        raise ValueError(f"unknown way to find the agency of a change: {by}")
    return statement_triggers(table, function=NOTE_CHANGE_FUNCTION, name=watched_trigger_name, argument=by)


# The version: the changes folded and those not yet, and the last transaction among all of them.
AGENCY_VERSION_SQL = """
SELECT coalesce(t.folded, 0) + c.n, greatest(t.last_transaction, c.last_transaction, 0)
FROM (SELECT count(*) AS n, max(transaction) AS last_transaction
      FROM agencyops_agencychange WHERE agency_id = %(agency)s) c
LEFT JOIN agencyops_agencychangetally t ON t.agency_id = %(agency)s
"""


def fold_sql(changes: str, tally: str, key: str) -> str:
    """Every row of the ``changes`` table, deleted and added to its ``key``'s row of ``tally`` in one
    statement: a read sees each version the same before and after. A fold running at the same time waits
    for this one's rows and then finds them gone."""
    return f"""
WITH gone AS (DELETE FROM {changes} RETURNING {key}, transaction)
INSERT INTO {tally} AS t ({key}, folded, last_transaction)
SELECT {key}, count(*), max(transaction) FROM gone GROUP BY {key}
ON CONFLICT ({key}) DO UPDATE
SET folded = t.folded + excluded.folded,
    last_transaction = greatest(t.last_transaction, excluded.last_transaction)
"""


FOLD_SQL = fold_sql("agencyops_agencychange", "agencyops_agencychangetally", "agency_id")


def agency_data_version(agency_id: int) -> str:
    """The agency's data version: it changes with every committed change to a watched table's rows of the
    agency, and with nothing else. Read it before the data it versions (a body rendered from newer data
    than its version only ever goes unused)."""
    with planned_cursor() as cursor:
        cursor.execute(AGENCY_VERSION_SQL, {"agency": agency_id})
        total, last_transaction = cursor.fetchone()
    return f"{total}.{last_transaction}"


def agency_changes_fold() -> int:
    """Fold every agency's change rows into its tally, leaving each version as it was; how many agencies'
    tallies took rows."""
    return changes_fold(FOLD_SQL)


def changes_fold(sql: str) -> int:
    """Run a ``fold_sql`` statement in a transaction of its own; how many tallies took rows."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


# A value kept under a version lasts a day at most: its key changes with the agency's data anyway.
KEPT_SECONDS = 24 * 60 * 60

Value = TypeVar("Value")


def agency_kept(agency_id: int, name: str, parts: Sequence[Any], load: Callable[[], Value]) -> Value:
    """``load()``'s value (plain values: it is pickled), kept in the cache under the agency's data version,
    ``name`` and ``parts`` (everything else it depends on: the day, the filters, the page, and a stamp of
    the code that makes it, so a deploy never serves an old shape): the same read again costs the version
    and one cache read. Everything ``load()`` reads must be a watched table. Without the cache server the
    value is read every time, and nothing fails."""
    version = agency_data_version(agency_id)
    # The agency itself, not its version alone: two agencies' versions can read the same (one transaction
    # that wrote to both, as many times in each).
    raw_key = "\0".join(str(part) for part in (name, agency_id, version, *parts))
    key = "agency-kept:" + hashlib.sha256(raw_key.encode()).hexdigest()
    try:
        kept = cache.get(key)
    except RedisError:
        logger.warning("Cache unavailable; reading %s afresh", name, exc_info=True)
        return load()
    if kept is not None:
        return kept
    value = load()
    try:
        cache.set(key, value, KEPT_SECONDS)
    except RedisError:
        logger.warning("Cache unavailable; %s not kept", name, exc_info=True)
    return value


def code_stamp(*sources: Any) -> str:
    """A short digest of the source of the modules (or classes, or functions) a kept value follows from:
    a deploy that changes any of them never serves values kept by the code before it."""
    text = "\0".join(inspect.getsource(source) for source in sources)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
