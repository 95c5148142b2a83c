"""The project page's change function learns two more ways to find a change's projects (projects/page_versions.py):
rows of a client (``BY_CLIENT_ID``) and rows of another row that carries the project (``BY_PARENT``), so the
apps that add a section to the page watch their tables with this one function."""

from django.db import migrations

from projects.page_versions import CREATE_NOTE_CHANGE_FUNCTION_SQL


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0018_watch_portal_home_changes"),
    ]

    operations = [
        # CREATE OR REPLACE: the function as 0017 made it only lacks the new ways, which nothing called.
        migrations.RunSQL(CREATE_NOTE_CHANGE_FUNCTION_SQL, migrations.RunSQL.noop),
    ]
