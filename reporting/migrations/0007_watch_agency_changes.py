"""What the owner's home view shows of open alerts moves the agency's data version
(agencyops/data_version.py)."""

from django.db import migrations

from agencyops.data_version import watch_agency_changes


class Migration(migrations.Migration):
    dependencies = [
        ("agencyops", "0005_agency_data_version"),
        ("reporting", "0006_send_time_default"),
    ]

    operations = [
        watch_agency_changes("reporting_alert"),
        watch_agency_changes("reporting_alertrule"),
        watch_agency_changes("reporting_campaign"),
    ]
