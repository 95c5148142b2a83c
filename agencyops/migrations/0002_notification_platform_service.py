"""Notifications, now the platform's: the approvals table taken over as is, plus delivery and preferences.

State-only for the existing table (approvals/0002 prepared it); then the columns that record how each
notification went out, and the per-person preferences.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Q


def mark_earlier_mail_delivered(apps, schema_editor):
    # Everything stored before this migration was mailed at once and read in the inbox it went to.
    Notification = apps.get_model("agencyops", "Notification")
    Notification._base_manager.update(mailed_at=F("created_at"), read_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("agencyops", "0001_initial"),
        ("approvals", "0002_notification_moves_to_platform"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("recipient_email", models.EmailField(max_length=254)),
                        ("kind", models.CharField(max_length=40)),
                        ("subject", models.CharField(max_length=200)),
                        ("body", models.TextField()),
                        ("url", models.CharField(blank=True, max_length=300)),
                        ("target_type", models.CharField(blank=True, max_length=60)),
                        ("target_id", models.PositiveBigIntegerField(blank=True, null=True)),
                        ("dedupe_key", models.CharField(max_length=160)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "agency",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="agencyops.agency",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "approvals_notification",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [
                            models.Index(
                                fields=["agency", "recipient", "created_at"],
                                name="approvals_n_agency__27c19e_idx",
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("agency", "dedupe_key"), name="notification_once_per_key"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="notification",
            name="channel",
            field=models.CharField(default="mail", max_length=10),
        ),
        migrations.AddField(
            model_name="notification",
            name="mailed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="digested_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_earlier_mail_delivered, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=Q(read_at__isnull=True), fields=["recipient", "agency"], name="notification_unread"
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=Q(channel="digest", digested_at__isnull=True),
                fields=["agency", "recipient"],
                name="notification_digest_pending",
            ),
        ),
        migrations.CreateModel(
            name="NotificationPreference",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=40)),
                ("channel", models.CharField(max_length=10)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="agencyops.agency"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notification_preferences",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("agency", "user", "kind"), name="notification_preference_once"
                    ),
                    models.CheckConstraint(
                        condition=Q(channel__in=["in_app", "mail", "digest", "off"]),
                        name="notification_preference_channel_known",
                    ),
                ],
            },
        ),
    ]
