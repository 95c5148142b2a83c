"""The project page's version: a value that changes with every committed change to what the project page
(and the project's task list) shows, read in one small statement, for ``agencyops.fragment_cache``.

It works as the agency's data version does (``agencyops.data_version``), one project at a time. Every table
the page reads carries three statement-level triggers (``watch_project_changes``, added by this app's
migrations) that write one ``ProjectChange`` row per project a statement touched, however the statement was
made: the service layer, the admin, a data migration or a hand-written UPDATE. The version is how many such
rows were ever committed for the project, with the last writing transaction among them (why a count, and
why the transaction: see ``agencyops.data_version``).

Each table finds the projects its rows show on (``by``):

* ``BY_PROJECT_ID``: rows of one project (tasks, phases, the brief, required inputs, risks);
* ``BY_OWN_ID``: the project's own row;
* ``BY_TASK_ID``: rows of a task (its moves, its checklist), and ``BY_LINK`` the links between tasks (both
  ends' projects); ``BY_INPUT_ID`` the tasks a required input feeds;
* ``BY_CLIENT``: a client's row, on each of its projects; ``BY_CLIENT_ID`` rows of a client (its people),
  on each of its projects;
* ``BY_PARENT``: rows of another row that carries the project (``parent``: that table and the column
  naming its row), for the tables of an app that adds a section to the page: approvals' versions and
  decisions, through their request;
* ``BY_AGENCY_ID`` and ``BY_AGENCY``: what every project page of the agency shows (its people, its closures,
  the agency's own row with its working week), on each of its projects;
* ``BY_PERSON``: a person's name or address, on each project of every agency they work in (a sign-in,
  which writes the person's row, moves nothing).

Apps that add a section to the page (projects.extensions) watch the tables it reads with the same
function, naming their own tables as arguments (approvals' migration 0006): this module never names them.

The agency-wide ones write a row per project of the agency; they are rare (people join, leave or are
renamed; closures are planned), so reading a version stays one short index range.

Beat folds the rows into ``ProjectChangeTally`` every few minutes (``project_changes_fold``), in one
statement, so the version reads the same before and after.

A page that starts showing something new must watch its table in a migration; the tests of each page change
every kind of row it shows and check that the page follows, and one test checks that every table the page's
reads name is watched.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.db import migrations

from agencyops.data_version import changes_fold, fold_sql, statement_triggers
from agencyops.planned_sql import planned_cursor

BY_PROJECT_ID = "project_id"
BY_OWN_ID = "id"
BY_TASK_ID = "task_id"
BY_LINK = "link"
BY_INPUT_ID = "input_id"
BY_CLIENT = "client"
BY_CLIENT_ID = "client_id"
BY_PARENT = "parent"
BY_AGENCY_ID = "agency_id"
BY_AGENCY = "agency"
BY_PERSON = "person"
_WAYS = (
    BY_PROJECT_ID,
    BY_OWN_ID,
    BY_TASK_ID,
    BY_LINK,
    BY_INPUT_ID,
    BY_CLIENT,
    BY_CLIENT_ID,
    BY_PARENT,
    BY_AGENCY_ID,
    BY_AGENCY,
    BY_PERSON,
)

NOTE_CHANGE_FUNCTION = "projects_note_project_change"

# One function for every watched table: the trigger names its transition table "changed_rows" (and, for a
# person's update, their rows as they were "old_rows") and passes how to find the rows' projects (and, for
# BY_PARENT, the parent table and the column naming its row: only written here, so EXECUTE runs what
# this module wrote, with names checked by agencyops.data_version.statement_triggers).
CREATE_NOTE_CHANGE_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {NOTE_CHANGE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    writer bigint := pg_current_xact_id()::text::bigint;
BEGIN
    IF TG_ARGV[0] = '{BY_PROJECT_ID}' THEN
        INSERT INTO projects_projectchange (project_id, transaction)
        SELECT DISTINCT project_id, writer FROM changed_rows WHERE project_id IS NOT NULL;
    ELSIF TG_ARGV[0] = '{BY_OWN_ID}' THEN
        INSERT INTO projects_projectchange (project_id, transaction)
        SELECT DISTINCT id, writer FROM changed_rows;
    ELSIF TG_ARGV[0] = '{BY_TASK_ID}' THEN
        INSERT INTO projects_projectchange (project_id, transaction)
        SELECT DISTINCT t.project_id, writer FROM changed_rows r JOIN projects_task t ON t.id = r.task_id;
    ELSIF TG_ARGV[0] = '{BY_LINK}' THEN
        INSERT INTO projects_projectchange (project_id, transaction)
        SELECT DISTINCT t.project_id, writer
        FROM changed_rows r JOIN projects_task t ON t.id IN (r.successor_id, r.predecessor_id);
    ELSIF TG_ARGV[0] = '{BY_INPUT_ID}' THEN
        INSERT INTO projects_projectchange (project_id, transaction)
        SELECT DISTINCT ri.project_id, writer
        FROM changed_rows r JOIN projects_requiredinput ri ON ri.id = r.requiredinput_id;
    ELSIF TG_ARGV[0] = '{BY_CLIENT}' THEN
        INSERT INTO projects_projectchange (project_id, transaction)
        SELECT p.id, writer FROM projects_project p WHERE p.client_id IN (SELECT id FROM changed_rows);
    ELSIF TG_ARGV[0] = '{BY_CLIENT_ID}' THEN
        INSERT INTO projects_projectchange (project_id, transaction)
        SELECT p.id, writer FROM projects_project p WHERE p.client_id IN (SELECT client_id FROM changed_rows);
    ELSIF TG_ARGV[0] = '{BY_PARENT}' THEN
        EXECUTE format(
            'INSERT INTO projects_projectchange (project_id, transaction) '
            'SELECT DISTINCT p.project_id, $1 FROM changed_rows c JOIN %I p ON p.id = c.%I',
            TG_ARGV[1], TG_ARGV[2]
        ) USING writer;
    ELSIF TG_ARGV[0] = '{BY_AGENCY_ID}' THEN
        INSERT INTO projects_projectchange (project_id, transaction)
        SELECT p.id, writer FROM projects_project p WHERE p.agency_id IN (SELECT agency_id FROM changed_rows);
    ELSIF TG_ARGV[0] = '{BY_AGENCY}' THEN
        INSERT INTO projects_projectchange (project_id, transaction)
        SELECT p.id, writer FROM projects_project p WHERE p.agency_id IN (SELECT id FROM changed_rows);
    ELSIF TG_ARGV[0] = '{BY_PERSON}' AND TG_OP = 'UPDATE' THEN
        -- What the page shows of a person: the name, or the address when there is none.
        INSERT INTO projects_projectchange (project_id, transaction)
        SELECT p.id, writer FROM projects_project p WHERE p.agency_id IN (
            SELECT m.agency_id FROM changed_rows n
            JOIN old_rows o ON o.id = n.id
            JOIN agencyops_membership m ON m.user_id = n.id
            WHERE (n.full_name, n.email) IS DISTINCT FROM (o.full_name, o.email));
    ELSIF TG_ARGV[0] = '{BY_PERSON}' THEN
        INSERT INTO projects_projectchange (project_id, transaction)
        SELECT p.id, writer FROM projects_project p WHERE p.agency_id IN (
            SELECT m.agency_id FROM changed_rows n JOIN agencyops_membership m ON m.user_id = n.id);
    ELSE
        RAISE EXCEPTION 'unknown way to find the project of a change: %', TG_ARGV[0];
    END IF;
    RETURN NULL;
END
$$
"""
DROP_NOTE_CHANGE_FUNCTION_SQL = f"DROP FUNCTION {NOTE_CHANGE_FUNCTION}()"


def watched_trigger_name(table: str, event: str) -> str:
    return f"{table}_project_change_on_{event}"


def watch_project_changes(
    table: str, by: str = BY_PROJECT_ID, *, parent: tuple[str, str] | None = None
) -> migrations.RunSQL:
    """A migration operation: every insert, update and delete on ``table`` moves the version of the project
    pages its rows show on (``by``: one of the BY_ ways above; with BY_PARENT, ``parent`` names the table
    whose rows carry the project and the column of ``table`` naming such a row)."""
    if by not in _WAYS:
        raise ValueError(f"unknown way to find the project of a change: {by}")
    if (by == BY_PARENT) != (parent is not None):
        raise ValueError("a parent table and column go with BY_PARENT, and only with it")
    return statement_triggers(
        table,
        function=NOTE_CHANGE_FUNCTION,
        name=watched_trigger_name,
        argument=by,
        more_arguments=parent or (),
        old_rows_on_update=by == BY_PERSON,
    )


# The version, with the project's name for the page's title: the changes folded and those not yet, and
# the last transaction among all of them. No row when the agency has no such project.
PROJECT_PAGE_VERSION_SQL = """
SELECT coalesce(t.folded, 0) + c.n, greatest(t.last_transaction, c.last_transaction, 0), p.name
FROM projects_project p
CROSS JOIN LATERAL (SELECT count(*) AS n, max(pc.transaction) AS last_transaction
                    FROM projects_projectchange pc WHERE pc.project_id = p.id) c
LEFT JOIN projects_projectchangetally t ON t.project_id = p.id
WHERE p.id = %(project)s AND p.agency_id = %(agency)s
"""

FOLD_SQL = fold_sql("projects_projectchange", "projects_projectchangetally", "project_id")


class ProjectPageVersion(NamedTuple):
    version: str
    project_name: str


def project_page_version(*, agency_id: int, project_id: int) -> ProjectPageVersion | None:
    """The version of everything the project page shows (and the project's name, for the page title),
    or None when the agency has no such project. Read it before the data it versions (a body rendered from
    newer data than its version only ever goes unused)."""
    with planned_cursor() as cursor:
        cursor.execute(PROJECT_PAGE_VERSION_SQL, {"agency": agency_id, "project": project_id})
        return project_page_version_from_rows(cursor.fetchall())


def project_page_version_from_rows(rows: list[tuple[Any, ...]]) -> ProjectPageVersion | None:
    """The version in ``PROJECT_PAGE_VERSION_SQL``'s rows (sent with other statements): None for none."""
    if not rows:
        return None
    total, last_transaction, name = rows[0]
    return ProjectPageVersion(f"{total}.{last_transaction}", name)


def project_changes_fold() -> int:
    """Fold every project's change rows into its tally, leaving each version as it was; how many
    projects' tallies took rows."""
    return changes_fold(FOLD_SQL)
