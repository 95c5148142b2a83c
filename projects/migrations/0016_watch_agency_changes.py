"""What the owner's home view shows of projects, their plans, closures and risks moves the agency's data
version (agencyops/data_version.py)."""

from django.db import migrations

from agencyops.data_version import watch_agency_changes


class Migration(migrations.Migration):
    dependencies = [
        ("agencyops", "0005_agency_data_version"),
        ("projects", "0015_task_project_counts_index"),
    ]

    operations = [
        watch_agency_changes("projects_project"),
        watch_agency_changes("projects_task"),
        watch_agency_changes("projects_taskdependency"),
        watch_agency_changes("projects_escalation"),
        watch_agency_changes("projects_agencyclosure"),
    ]
