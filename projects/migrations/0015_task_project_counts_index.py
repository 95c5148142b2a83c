# The project lists count each page's projects' tasks from this index alone; it replaces the
# foreign key's own index (created first, so a project's tasks are never without one).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencyops", "0004_agency_brand_colour"),
        ("projects", "0014_task_home_placement_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                fields=["project"], include=("status", "due_date"), name="task_project_counts_idx"
            ),
        ),
        migrations.AlterField(
            model_name="task",
            name="project",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="tasks",
                to="projects.project",
            ),
        ),
    ]
