"""What the owner's home view shows of approvals and change requests moves the agency's data version
(agencyops/data_version.py)."""

from django.db import migrations

from agencyops.data_version import watch_agency_changes


class Migration(migrations.Migration):
    dependencies = [
        ("agencyops", "0005_agency_data_version"),
        ("approvals", "0003_merge_20261205_0345"),
    ]

    operations = [
        watch_agency_changes("approvals_approvalrequest"),
        watch_agency_changes("approvals_assetversion"),
        watch_agency_changes("approvals_changerequest"),
        watch_agency_changes("approvals_changerequestdecision"),
    ]
