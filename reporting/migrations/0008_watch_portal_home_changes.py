"""The portal home is kept under the agency's data version (agencyops/data_version.py): the count of
reports sent to the client, which its link shows, moves with the report issues."""

from django.db import migrations

from agencyops.data_version import watch_agency_changes


class Migration(migrations.Migration):
    dependencies = [
        ("agencyops", "0005_agency_data_version"),
        ("reporting", "0007_watch_agency_changes"),
    ]

    operations = [
        watch_agency_changes("reporting_reportissue"),
    ]
