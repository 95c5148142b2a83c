"""The project page's version (projects/page_versions.py): the change rows, their tally, the function every
watched table's triggers call, and the tables the project page and the project's task list read."""

from django.db import migrations, models

from projects.page_versions import (
    BY_AGENCY,
    BY_AGENCY_ID,
    BY_CLIENT,
    BY_INPUT_ID,
    BY_LINK,
    BY_OWN_ID,
    BY_PERSON,
    BY_TASK_ID,
    CREATE_NOTE_CHANGE_FUNCTION_SQL,
    DROP_NOTE_CHANGE_FUNCTION_SQL,
    watch_project_changes,
)


class Migration(migrations.Migration):
    dependencies = [
        ("agencyops", "0005_agency_data_version"),
        ("projects", "0016_watch_agency_changes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProjectChangeTally",
            fields=[
                ("project_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("folded", models.BigIntegerField(default=0)),
                ("last_transaction", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="ProjectChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("project_id", models.BigIntegerField()),
                ("transaction", models.BigIntegerField()),
            ],
            options={
                "indexes": [models.Index(fields=["project_id", "transaction"], name="project_change_idx")],
            },
        ),
        migrations.RunSQL(CREATE_NOTE_CHANGE_FUNCTION_SQL, DROP_NOTE_CHANGE_FUNCTION_SQL),
        watch_project_changes("projects_project", BY_OWN_ID),
        watch_project_changes("projects_brief"),
        watch_project_changes("projects_phase"),
        watch_project_changes("projects_task"),
        watch_project_changes("projects_requiredinput"),
        watch_project_changes("projects_escalation"),
        watch_project_changes("projects_deadlinechange", BY_TASK_ID),
        watch_project_changes("projects_checklistitem", BY_TASK_ID),
        watch_project_changes("projects_taskdependency", BY_LINK),
        watch_project_changes("projects_requiredinput_tasks", BY_INPUT_ID),
        watch_project_changes("agencyops_client", BY_CLIENT),
        watch_project_changes("agencyops_agency", BY_AGENCY),
        watch_project_changes("agencyops_membership", BY_AGENCY_ID),
        watch_project_changes("agencyops_user", BY_PERSON),
        watch_project_changes("projects_agencyclosure", BY_AGENCY_ID),
    ]
