"""The reads every request makes before its page's own, for the tests that count a page's queries.

A staff page (and an API call signed in by its session) first reads the session, then, in one statement,
the person with their membership in the page's agency (its agency, the bell's unread count) and the agencies
of the shell's switcher (agencyops.tenancy.signed_in_membership).
"""

import re

STAFF_PAGE_READS = 2


def tables_read(queries: list[dict]) -> set[str]:
    """The tables the captured ``queries`` name after FROM or JOIN (common table expressions left out): for
    the tests that check every table a kept page reads moves the version it is kept under."""
    read: set[str] = set()
    for query in queries:
        sql = query["sql"]
        named = set(re.findall(r'(?:FROM|JOIN)\s+"?([a-z][a-z0-9_]*)"?', sql, flags=re.IGNORECASE))
        ctes = set(
            re.findall(
                r'(?:WITH|,)\s+"?([a-z][a-z0-9_]*)"?\s+AS\s+(?:MATERIALIZED\s+)?\(', sql, re.IGNORECASE
            )
        )
        read |= {name for name in named - ctes if "_" in name}
    return read


def tables_watched(trigger_infix: str) -> set[str]:
    """Tables carrying all three of a change log's statement triggers, named ``<table><infix><event>``
    (``_agency_change_on_``: agencyops.data_version; ``_project_change_on_``: projects.page_versions)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE t.tgname LIKE %s
            GROUP BY c.relname HAVING count(*) = 3
            """,
            [f"%{trigger_infix}%"],
        )
        return {name for (name,) in cursor.fetchall()}
