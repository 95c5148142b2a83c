"""Notifications become a platform service (agencyops.Notification).

The table keeps its name and rows. The link to an approval request becomes a generic object reference
(target_type + target_id), because the platform must not point at a product app's table; then the model
leaves this app's state and agencyops/0002 takes it over without touching the database.
"""

from django.db import migrations, models
from django.db.models import F


def copy_request_reference(apps, schema_editor):
    Notification = apps.get_model("approvals", "Notification")
    Notification._base_manager.filter(approval_request__isnull=False).update(
        target_type="approvals.approvalrequest", target_id=F("approval_request_id")
    )


def copy_request_reference_back(apps, schema_editor):
    Notification = apps.get_model("approvals", "Notification")
    Notification._base_manager.filter(target_type="approvals.approvalrequest").update(
        approval_request_id=F("target_id")
    )


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="target_type",
            field=models.CharField(blank=True, default="", max_length=60),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notification",
            name="target_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(copy_request_reference, copy_request_reference_back),
        migrations.RemoveField(model_name="notification", name="approval_request"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]
