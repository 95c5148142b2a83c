"""The agency's data version (agencyops/data_version.py): the change rows, their tally, the function every
watched table's triggers call, and the platform's own watched tables (what the owner's home view shows of
agencies, clients, contacts, memberships and people)."""

from django.db import migrations, models

from agencyops.data_version import (
    BY_MEMBERSHIPS,
    BY_OWN_ID,
    CREATE_NOTE_CHANGE_FUNCTION_SQL,
    DROP_NOTE_CHANGE_FUNCTION_SQL,
    watch_agency_changes,
)


class Migration(migrations.Migration):
    dependencies = [
        ("agencyops", "0004_agency_brand_colour"),
    ]

    operations = [
        migrations.CreateModel(
            name="AgencyChangeTally",
            fields=[
                ("agency_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("folded", models.BigIntegerField(default=0)),
                ("last_transaction", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="AgencyChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("agency_id", models.BigIntegerField()),
                ("transaction", models.BigIntegerField()),
            ],
            options={
                "indexes": [models.Index(fields=["agency_id", "transaction"], name="agency_change_idx")],
            },
        ),
        migrations.RunSQL(CREATE_NOTE_CHANGE_FUNCTION_SQL, DROP_NOTE_CHANGE_FUNCTION_SQL),
        watch_agency_changes("agencyops_agency", BY_OWN_ID),
        watch_agency_changes("agencyops_user", BY_MEMBERSHIPS),
        watch_agency_changes("agencyops_membership"),
        watch_agency_changes("agencyops_client"),
        watch_agency_changes("agencyops_clientcontact"),
    ]
