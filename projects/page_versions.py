"""Versions of what a page shows, computed by PostgreSQL, for ``agencyops.fragment_cache``.

A version is a digest over every row the page reads: each row's id with its ``xmin`` (the transaction
that wrote that row version, which changes on every update) and, for people, the names shown. Any
committed change — through a service, a bulk update, the admin or by hand — gives a new version, and a
row added or removed changes the list itself. One query, a fraction of a millisecond on a 200-task plan.

A page that starts showing something new must add its rows here; the tests of each page change every
kind of row it shows and check that the page follows.
"""

from __future__ import annotations

from typing import NamedTuple

from agencyops.planned_sql import planned_cursor

# Every row the project page shows: the project with its agency (working week, country), client and
# brief; phases; tasks; their links; how often each moved (the history is append-only, so a count);
# required inputs and the tasks they feed; open risks; the agency's people (owners and assignees by
# name, whether they are still here) and its closures (the critical path is counted over working days).
PROJECT_PAGE_VERSION_SQL = """
SELECT md5(concat_ws('|',
    p.xmin::text, a.xmin::text, c.xmin::text,
    coalesce((SELECT b.xmin::text FROM projects_brief b WHERE b.project_id = p.id), ''),
    coalesce((SELECT string_agg(ph.id || ':' || ph.xmin::text, ',' ORDER BY ph.id)
       FROM projects_phase ph WHERE ph.project_id = p.id), ''),
    -- Each task with how often it moved and the links into it, looked up task by task (by index).
    coalesce((SELECT string_agg(concat_ws(':', t.id, t.xmin::text,
                (SELECT count(*) FROM projects_deadlinechange dc WHERE dc.task_id = t.id),
                (SELECT string_agg(d.id || '/' || d.xmin::text, ';' ORDER BY d.id)
                   FROM projects_taskdependency d WHERE d.successor_id = t.id)), ',' ORDER BY t.id)
       FROM projects_task t WHERE t.project_id = p.id), ''),
    coalesce((SELECT string_agg(concat_ws(':', ri.id, ri.xmin::text,
                (SELECT string_agg(l.id || '/' || l.xmin::text, ';' ORDER BY l.id)
                   FROM projects_requiredinput_tasks l WHERE l.requiredinput_id = ri.id)), ',' ORDER BY ri.id)
       FROM projects_requiredinput ri WHERE ri.project_id = p.id), ''),
    coalesce((SELECT string_agg(e.id || ':' || e.xmin::text, ',' ORDER BY e.id)
       FROM projects_escalation e WHERE e.project_id = p.id), ''),
    coalesce((SELECT string_agg(format('%%s:%%s:%%L:%%L', m.id, m.is_active, u.full_name, u.email), ',' ORDER BY m.id)
       FROM agencyops_membership m JOIN agencyops_user u ON u.id = m.user_id
       WHERE m.agency_id = p.agency_id), ''),
    coalesce((SELECT string_agg(cl.id || ':' || cl.xmin::text, ',' ORDER BY cl.id)
       FROM projects_agencyclosure cl WHERE cl.agency_id = p.agency_id), '')
)), p.name
FROM projects_project p
JOIN agencyops_agency a ON a.id = p.agency_id
JOIN agencyops_client c ON c.id = p.client_id
WHERE p.id = %(project)s AND p.agency_id = %(agency)s
"""


class ProjectPageVersion(NamedTuple):
    version: str
    project_name: str


def project_page_version(*, agency_id: int, project_id: int) -> ProjectPageVersion | None:
    """The version of everything the project page shows (and the project's name, for the page title),
    or None when the agency has no such project. Prepared: PostgreSQL took longer to plan it than to
    run it, on every view of the page."""
    with planned_cursor() as cursor:
        cursor.execute(PROJECT_PAGE_VERSION_SQL, {"agency": agency_id, "project": project_id})
        row = cursor.fetchone()
    return ProjectPageVersion(*row) if row else None
