"""What moves the project page's version (projects/page_versions.py) among approvals' tables: the page keeps
its approvals section (approvals.project_hooks) inside its cached body, so every row that section shows
must move the version of the project it shows on, however it was written.

The requests themselves carry their project and use the projects app's own triggers. Their versions and
the client's decisions find it through their request (``BY_REQUEST``); the client's people, named as
approver and decider, move every project of their client (``BY_CLIENT_ID``). Contacts change rarely (a
rename, a new address), so the fan-out costs little.
"""

from __future__ import annotations

from django.db import migrations

from agencyops.data_version import statement_triggers
from projects.page_versions import watched_trigger_name

BY_REQUEST = "request_id"
BY_CLIENT_ID = "client_id"

NOTE_CHANGE_FUNCTION = "approvals_note_project_change"

# Called by each watched table's triggers with its transition table "changed_rows" (see
# agencyops.data_version.statement_triggers) and how to find the rows' projects.
CREATE_NOTE_CHANGE_FUNCTION_SQL = f"""
CREATE FUNCTION {NOTE_CHANGE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    writer bigint := pg_current_xact_id()::text::bigint;
BEGIN
    IF TG_ARGV[0] = '{BY_REQUEST}' THEN
        INSERT INTO projects_projectchange (project_id, transaction)
        SELECT DISTINCT r.project_id, writer
        FROM changed_rows c JOIN approvals_approvalrequest r ON r.id = c.request_id;
    ELSIF TG_ARGV[0] = '{BY_CLIENT_ID}' THEN
        INSERT INTO projects_projectchange (project_id, transaction)
        SELECT p.id, writer FROM projects_project p WHERE p.client_id IN (SELECT client_id FROM changed_rows);
    ELSE
        RAISE EXCEPTION 'unknown way to find the project of a change: %', TG_ARGV[0];
    END IF;
    RETURN NULL;
END
$$
"""
DROP_NOTE_CHANGE_FUNCTION_SQL = f"DROP FUNCTION {NOTE_CHANGE_FUNCTION}()"


def watch_project_pages(table: str, by: str) -> migrations.RunSQL:
    """A migration operation: every insert, update and delete on ``table`` moves the version of the project
    pages its rows show on (``by``: BY_REQUEST or BY_CLIENT_ID). The triggers are named as the projects
    app's own, so one test finds every watched table."""
    if by not in (BY_REQUEST, BY_CLIENT_ID):
        raise ValueError(f"unknown way to find the project of a change: {by}")
    return statement_triggers(table, function=NOTE_CHANGE_FUNCTION, name=watched_trigger_name, argument=by)
