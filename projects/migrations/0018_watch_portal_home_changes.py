"""The portal home is kept under the agency's data version (agencyops/data_version.py): the inputs a
client owes, which it lists per project, move it."""

from django.db import migrations

from agencyops.data_version import watch_agency_changes


class Migration(migrations.Migration):
    dependencies = [
        ("agencyops", "0005_agency_data_version"),
        ("projects", "0017_project_page_version"),
    ]

    operations = [
        watch_agency_changes("projects_requiredinput"),
    ]
