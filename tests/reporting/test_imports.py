"""Uploading exports: preview, mapping names once, confirming, replacing overlaps, atomicity, changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import ProgrammingError, transaction
from django.db.models import Sum
from django_scopes import scope

from reporting.models import (
    CampaignChange,
    ChangeKind,
    ChangeSource,
    DailyFact,
    Import,
    ImportState,
    PlatformCampaign,
)
from reporting.services import campaigns as campaign_services
from reporting.services import imports
from tests import factories
from tests.reporting import exports

pytestmark = pytest.mark.django_db


def facts(agency, **filters) -> dict:
    with scope(agency=agency.pk):
        rows = (
            DailyFact.objects.filter(**filters)
            .values("metric", "currency")
            .annotate(total=Sum("value"))
            .order_by("metric", "currency")
        )
        return {(r["metric"], r["currency"]): r["total"] for r in rows}


def fact_count(agency) -> int:
    with scope(agency=agency.pk):
        return DailyFact.objects.count()


def preview(team, data: bytes, client=None, name="export.csv", **kwargs) -> Import:
    with scope(agency=team["agency"].pk):
        return imports.import_preview(
            actor=team["coordinator"],
            client=client or team["clients"][0],
            upload=SimpleUploadedFile(name, data),
            **kwargs,
        )


def test_a_german_google_ads_export_is_previewed_with_its_period_totals_and_new_names(team):
    record = preview(team, exports.google_ads_german_excel_csv())
    assert record.state == ImportState.PREVIEW
    assert (record.platform, record.period_start, record.period_end) == (
        "google_ads",
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
    )
    assert {"metric": "spend", "currency": "EUR", "value": "1245"} in record.summary["totals"]
    assert imports.import_new_campaign_names(record) == ["Frühling Lächeln"]
    assert fact_count(team["agency"]) == 0
    with scope(agency=team["agency"].pk):
        assert record.file.read() == exports.google_ads_german_excel_csv()


def test_confirming_maps_new_names_once_and_stores_the_facts_under_the_campaign(team):
    campaign = factories.reporting_campaign_create(
        actor=team["owner"], client=team["clients"][0], name="Spring"
    )
    factories.report_import(
        actor=team["coordinator"],
        client=team["clients"][0],
        data=exports.meta_campaign_csv(),
        mapping={"Spring Smile - Leads": campaign.pk},
    )
    assert facts(team["agency"], campaign=campaign) == {
        ("clicks", ""): Decimal(190),
        ("impressions", ""): Decimal(7000),
        ("leads", ""): Decimal(34),
        ("reach", ""): Decimal(3800),
        ("spend", "USD"): Decimal(250),
    }
    # The reach campaign was mapped to "none": remembered, and not offered again.
    second = preview(team, exports.meta_campaign_csv())
    assert imports.import_new_campaign_names(second) == []
    with scope(agency=team["agency"].pk):
        assert PlatformCampaign.objects.get(name="Spring Smile - Reach").campaign is None


def test_importing_the_same_meta_file_again_changes_nothing(team):
    client = team["clients"][0]
    factories.report_import(actor=team["coordinator"], client=client, data=exports.meta_campaign_csv())
    before, count = facts(team["agency"]), fact_count(team["agency"])
    record = preview(team, exports.meta_campaign_csv())
    assert any("changes nothing" in note for note in record.notes)
    with scope(agency=team["agency"].pk):
        imports.import_confirm(actor=team["coordinator"], record=record)
    assert facts(team["agency"]) == before
    assert fact_count(team["agency"]) == count


def test_an_overlapping_export_replaces_those_days_and_keeps_the_others(team):
    client = team["clients"][0]
    factories.report_import(actor=team["coordinator"], client=client, data=exports.linkedin_csv())
    corrected = exports.linkedin_csv().replace(
        b'"Report Start: 11/1/2026, Report End: 11/30/2026"',
        b'"Report Start: 11/2/2026, Report End: 11/2/2026"',
    )
    corrected = corrected.replace(
        b"11/2/2026,Practice Managers - Lead Gen,Q4,ACTIVE,USD,150,140.00",
        b"11/2/2026,Practice Managers - Lead Gen,Q4,ACTIVE,USD,150,200.00",
    )
    # Only the corrected day stays in the second file.
    lines = [line for line in corrected.split(b"\r\n") if not line.startswith((b"11/1/", b"11/12/"))]
    factories.report_import(actor=team["coordinator"], client=client, data=b"\r\n".join(lines))
    spend = facts(team["agency"], metric="spend")
    assert spend == {("spend", "USD"): Decimal("95.20") + Decimal("200.00") + Decimal("100.00")}
    with scope(agency=team["agency"].pk):
        days = sorted(DailyFact.objects.filter(metric="spend").values_list("date", flat=True))
    assert days == [dt.date(2026, 11, 1), dt.date(2026, 11, 2), dt.date(2026, 11, 12)]


@pytest.fixture
def fact_insert_fails_on_conversions(db):
    """A database fault in the middle of an import: PostgreSQL refuses the first 'conversions' fact."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_fact() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql;"
            "CREATE TRIGGER refuse_fact BEFORE INSERT ON reporting_dailyfact FOR EACH ROW "
            "WHEN (NEW.metric = 'conversions') EXECUTE FUNCTION refuse_fact();"
        )


def test_an_import_is_all_rows_or_none(team, fact_insert_fails_on_conversions):
    record = preview(team, exports.google_ads_campaign_csv())
    mapping = {"Spring Smile - Brand": None, "Spring Smile - Search": None}
    with scope(agency=team["agency"].pk), pytest.raises(ValidationError, match="disk full"):
        imports.import_confirm(actor=team["coordinator"], record=record, mapping=mapping)
    assert fact_count(team["agency"]) == 0
    with scope(agency=team["agency"].pk):
        assert PlatformCampaign.objects.count() == 0
        assert Import.objects.get(pk=record.pk).state == ImportState.PREVIEW


def test_a_number_too_large_for_a_day_is_a_row_problem(team):
    huge = exports.google_ads_campaign_csv(
        extra_rows=[
            [
                "2026-11-02",
                "Spring Smile - Brand",
                "Enabled",
                "USD",
                "20.00",
                "1",
                "1",
                "123456789012345678901",
                "0",
            ]
        ]
    )
    record = preview(team, huge)
    assert record.problems == ["row 7: 'Cost' is too large: '123456789012345678901'"]


def test_a_file_for_another_clients_campaigns_is_caught_at_preview(team):
    acme, birch = team["clients"]
    factories.report_import(actor=team["coordinator"], client=acme, data=exports.linkedin_csv())
    record = preview(team, exports.linkedin_csv(), client=birch)
    assert record.blocking == [
        "These campaigns belong to Acme Dental, not Birch Bakery: Practice Managers - Lead Gen. "
        "Upload the file for the right client."
    ]
    with scope(agency=team["agency"].pk), pytest.raises(ValidationError):
        imports.import_confirm(
            actor=team["coordinator"], record=record, mapping={"Practice Managers - Lead Gen": None}
        )


def test_unknown_files_and_files_over_the_limit_are_refused_before_anything_is_stored(team, settings):
    with pytest.raises(ValidationError, match="not a file we recognise"):
        preview(team, b"Name,Email\nBob,bob@example.test\n")
    settings.REPORTING_IMPORT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="the limit is"):
        preview(team, exports.linkedin_csv())
    with scope(agency=team["agency"].pk):
        assert Import.objects.count() == 0


def test_members_cannot_import(team):
    with scope(agency=team["agency"].pk), pytest.raises(ValidationError, match="owners and coordinators"):
        imports.import_preview(
            actor=team["members"][0],
            client=team["clients"][0],
            upload=SimpleUploadedFile("x.csv", exports.linkedin_csv()),
        )


def test_budget_and_status_changes_between_days_are_recorded_once(team):
    client = team["clients"][0]
    campaign = factories.reporting_campaign_create(actor=team["owner"], client=client, name="Search")
    factories.report_import(
        actor=team["coordinator"],
        client=client,
        data=exports.google_ads_campaign_csv(),
        mapping={"Spring Smile - Search": campaign.pk},
    )
    factories.report_import(actor=team["coordinator"], client=client, data=exports.google_ads_campaign_csv())
    with scope(agency=team["agency"].pk):
        changes = list(CampaignChange.objects.filter(campaign=campaign).order_by("kind"))
        assert [(c.changed_on, c.kind, c.source) for c in changes] == [
            (dt.date(2026, 11, 2), ChangeKind.BUDGET, ChangeSource.IMPORT),
            (dt.date(2026, 11, 2), ChangeKind.STATUS, ChangeSource.IMPORT),
        ]
        assert changes[0].summary == "Spring Smile - Search — Google Ads: daily budget 50 → 75 USD"
        assert changes[1].summary == "Spring Smile - Search — Google Ads: status enabled → paused"


def test_campaign_changes_are_append_only_in_the_database(team):
    campaign = factories.reporting_campaign_create(actor=team["owner"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        change = campaign_services.campaign_change_record(
            actor=team["members"][3],
            campaign=campaign,
            line="3 Nov: broad job titles → industry-specific audiences",
        )
        assert (change.kind, change.summary) == (
            ChangeKind.AUDIENCE,
            "broad job titles → industry-specific audiences",
        )
        assert change.changed_on.month == 11 and change.changed_on.day == 3
        with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
            CampaignChange.objects.filter(pk=change.pk).update(summary="rewritten")
        with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
            CampaignChange.objects.filter(pk=change.pk).delete()


def test_remapping_a_platform_name_moves_its_facts(team):
    client = team["clients"][0]
    campaign = factories.reporting_campaign_create(actor=team["owner"], client=client)
    factories.report_import(actor=team["coordinator"], client=client, data=exports.linkedin_csv())
    with scope(agency=team["agency"].pk):
        pc = PlatformCampaign.objects.get()
        campaign_services.platform_campaign_map(actor=team["owner"], platform_campaign=pc, campaign=campaign)
    assert facts(team["agency"], campaign=campaign)[("leads", "")] == Decimal(12)
