"""The portal home is kept under the agency's data version (agencyops/data_version.py): the client's
decisions it lists move it."""

from django.db import migrations

from agencyops.data_version import watch_agency_changes


class Migration(migrations.Migration):
    dependencies = [
        ("agencyops", "0005_agency_data_version"),
        ("approvals", "0004_watch_agency_changes"),
    ]

    operations = [
        watch_agency_changes("approvals_reviewerdecision"),
    ]
