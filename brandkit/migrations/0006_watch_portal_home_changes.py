"""The portal home is kept under the agency's data version (agencyops/data_version.py): the count of
files shared with the client, which its link shows, moves with the library's items."""

from django.db import migrations

from agencyops.data_version import watch_agency_changes


class Migration(migrations.Migration):
    dependencies = [
        ("agencyops", "0005_agency_data_version"),
        ("brandkit", "0005_merge_20261205_0650"),
    ]

    operations = [
        watch_agency_changes("brandkit_libraryitem"),
    ]
