"""The project page keeps its approvals section inside its cached body, under the page's version
(projects/page_versions.py): the requests, their versions, the client's decisions and the client's people
that section shows move it (approvals/project_page_watch.py)."""

from django.db import migrations

from approvals.project_page_watch import (
    BY_CLIENT_ID,
    BY_REQUEST,
    CREATE_NOTE_CHANGE_FUNCTION_SQL,
    DROP_NOTE_CHANGE_FUNCTION_SQL,
    watch_project_pages,
)
from projects.page_versions import watch_project_changes


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0005_watch_portal_home_changes"),
        ("projects", "0018_watch_portal_home_changes"),
    ]

    operations = [
        migrations.RunSQL(CREATE_NOTE_CHANGE_FUNCTION_SQL, DROP_NOTE_CHANGE_FUNCTION_SQL),
        watch_project_changes("approvals_approvalrequest"),
        watch_project_pages("approvals_assetversion", BY_REQUEST),
        watch_project_pages("approvals_reviewerdecision", BY_REQUEST),
        watch_project_pages("agencyops_clientcontact", BY_CLIENT_ID),
    ]
