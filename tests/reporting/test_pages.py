"""The reporting pages: campaigns and changes, upload → preview → confirm, KPIs, retainer hours, time logging."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from projects.models import TimeEntry
from projects.services import time_entries
from reporting.models import CampaignChange, DailyFact, Import, ImportState
from tests import factories
from tests.reads import STAFF_PAGE_READS
from tests.reporting import exports

pytestmark = pytest.mark.django_db


def page(name: str, agency, *args) -> str:
    return reverse(name, args=[agency.slug, *args])


def test_a_coordinator_uploads_a_german_google_ads_export_previews_it_and_imports_it(team, as_coordinator):
    agency, client = team["agency"], team["clients"][0]
    campaign = factories.reporting_campaign_create(actor=team["owner"], client=client, name="Frühling")
    upload = SimpleUploadedFile("Kampagnenbericht.csv", exports.google_ads_german_excel_csv(bad_cost="n/a"))
    response = as_coordinator.post(
        page("reporting_import_list", agency), {"client": client.pk, "file": upload}
    )
    assert response.status_code == 302
    with scope(agency=agency.pk):
        record = Import.objects.get()
    preview = as_coordinator.get(response["Location"]).content.decode()
    assert "row 5: &#x27;Kosten&#x27; is not a number: &#x27;n/a&#x27;" in preview
    assert "spend 1234.56 EUR" in preview
    assert "Frühling Lächeln" in preview
    done = as_coordinator.post(
        page("reporting_import_detail", agency, record.pk), {"map_0": str(campaign.pk)}
    )
    assert done.status_code == 302
    with scope(agency=agency.pk):
        record.refresh_from_db()
        assert record.state == ImportState.CONFIRMED
        assert DailyFact.objects.filter(campaign=campaign, metric="spend").get().value == Decimal("1234.56")


def test_an_unrecognised_upload_shows_the_reason_on_the_page(team, as_coordinator):
    upload = SimpleUploadedFile("contacts.csv", b"Name,Email\nBob,b@x.test\n")
    response = as_coordinator.post(
        page("reporting_import_list", team["agency"]), {"client": team["clients"][0].pk, "file": upload}
    )
    assert response.status_code == 400
    assert "not a file we recognise" in response.content.decode()


def test_members_see_imports_but_cannot_upload(team, as_member):
    listing = as_member.get(page("reporting_import_list", team["agency"]))
    assert listing.status_code == 200 and "Upload an export" not in listing.content.decode()
    upload = SimpleUploadedFile("l.csv", exports.linkedin_csv())
    assert (
        as_member.post(
            page("reporting_import_list", team["agency"]), {"client": team["clients"][0].pk, "file": upload}
        ).status_code
        == 403
    )


def test_a_change_entered_in_one_line_appears_on_the_campaign_timeline(team, as_member):
    campaign = factories.reporting_campaign_create(
        actor=team["owner"], client=team["clients"][0], name="Leads"
    )
    url = page("reporting_campaign_change_add", team["agency"], campaign.pk)
    response = as_member.post(url, {"line": "Paused the retargeting ad set"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="changes"' in html and "<h1>" not in html  # the partial only
    assert "Paused the retargeting ad set" in html
    with scope(agency=team["agency"].pk):
        assert CampaignChange.objects.get().kind == "status"
    empty = as_member.post(url, {"line": " "}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 400


@pytest.mark.parametrize("size", [2, 10])
def test_reporting_list_pages_cost_the_same_queries_for_few_or_many_rows(
    team, as_owner, size, django_assert_num_queries
):
    client = team["clients"][0]
    for i in range(size):
        campaign = factories.reporting_campaign_create(
            actor=team["owner"], client=client, name=f"C{i}", starts_on=dt.date(2026, 1, 1)
        )
        with scope(agency=team["agency"].pk):
            from reporting.services import campaigns as campaign_services

            campaign_services.campaign_change_record(
                actor=team["owner"], campaign=campaign, line="New creative"
            )
    for _ in range(size):
        factories.report_import(
            actor=team["coordinator"],
            client=client,
            data=exports.linkedin_csv(),
            mapping={"Practice Managers - Lead Gen": campaign.pk},
        )
    agency = team["agency"]
    # the first reads and the page's own queries
    with django_assert_num_queries(STAFF_PAGE_READS + 2):
        assert (
            as_owner.get(page("reporting_campaign_list", agency))
            .content.decode()
            .count("/reports/campaigns/")
            >= size
        )
    with django_assert_num_queries(STAFF_PAGE_READS + 2):
        assert (
            as_owner.get(page("reporting_import_list", agency)).content.decode().count("/reports/imports/")
            >= size
        )
    # The KPI table: campaigns, their targets and the facts summed per campaign.
    with django_assert_num_queries(STAFF_PAGE_READS + 3):
        assert "Cost per lead" in as_owner.get(page("reporting_kpis", agency)).content.decode()


def test_the_retainer_page_shows_hours_used_against_included(team, as_owner, logged_in):
    owner = team["owner"]
    project = factories.project_create(actor=owner, client=team["clients"][0], name="Cobalt retainer")
    designer = team["members"][1]
    with scope(agency=team["agency"].pk):
        time_entries.project_retainer_terms_set(
            actor=owner,
            project=project,
            included_hours=Decimal(20),
            monthly_fee=Decimal(2000),
            currency="USD",
        )
        task = project.tasks.first()
    as_designer = logged_in(designer.user)
    response = as_designer.post(
        page("task_time_log", team["agency"], task.pk), {"minutes": "150", "note": "Social set"}
    )
    assert response.status_code == 302
    html = as_owner.get(page("reporting_retainers", team["agency"])).content.decode()
    assert "Cobalt retainer" in html
    assert '<td class="right">2.5</td><td class="right">20.0</td>' in html
    assert "800.00 USD" in html  # 2,000 USD for 2.5 hours


def test_a_timer_started_from_my_work_stops_from_the_task_page(team, logged_in):
    designer = team["members"][1]
    project = factories.project_create(actor=team["owner"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        task = project.tasks.first()
    http = logged_in(designer.user)
    started = http.post(
        page("task_time_log", team["agency"], task.pk),
        {"timer": "on", "next": page("my_work", team["agency"])},
    )
    assert started["Location"] == page("my_work", team["agency"])
    task_page = http.get(page("task_detail", team["agency"], task.pk)).content.decode()
    assert "Stop timer" in task_page
    with scope(agency=team["agency"].pk):
        entry = TimeEntry.objects.get()
    http.post(page("time_entry_stop", team["agency"], entry.pk))
    with scope(agency=team["agency"].pk):
        entry.refresh_from_db()
    assert not entry.is_running and entry.minutes >= 1
    assert "Log time" in http.get(page("my_work", team["agency"])).content.decode()


def test_only_owners_see_and_set_cost_rates(team, as_owner, as_coordinator):
    member = team["members"][0]
    url = page("reporting_cost_rates", team["agency"])
    assert as_coordinator.get(url).status_code == 403
    assert (
        as_owner.post(url, {"membership": member.pk, "hourly_cost": "55.50", "currency": "usd"}).status_code
        == 302
    )
    assert 'value="55.50"' in as_owner.get(url).content.decode()
    assert (
        as_owner.post(url, {"membership": member.pk, "hourly_cost": "lots", "currency": "USD"}).status_code
        == 400
    )


def test_a_coordinator_sets_a_tasks_kind_of_work_from_its_page(team, as_coordinator, as_member):
    project = factories.project_create(actor=team["owner"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        task = project.tasks.first()
    assert (
        as_member.post(page("task_category", team["agency"], task.pk), {"category": "reporting"}).status_code
        == 403
    )
    as_coordinator.post(page("task_category", team["agency"], task.pk), {"category": "reporting"})
    with scope(agency=team["agency"].pk):
        task.refresh_from_db()
    assert task.category == "reporting"
    assert (
        "Kind of work: Reporting"
        in as_member.get(page("task_detail", team["agency"], task.pk)).content.decode()
    )


def test_a_coordinator_sets_a_target_and_retainer_terms_from_the_pages(team, as_coordinator, as_member):
    campaign = factories.reporting_campaign_create(
        actor=team["owner"], client=team["clients"][0], name="Leads"
    )
    project = factories.project_create(actor=team["owner"], client=team["clients"][0], name="Acme retainer")
    target_url = page("reporting_campaign_target_set", team["agency"], campaign.pk)
    target = {
        "kpi": "cost_per_lead",
        "comparison": "at_most",
        "value": "45",
        "currency": "USD",
        "period": "month",
    }
    assert as_member.post(target_url, target).status_code == 403
    assert (
        as_coordinator.post(target_url, {**target, "currency": ""}).status_code == 400
    )  # money needs a currency
    assert as_coordinator.post(target_url, target).status_code == 302
    assert (
        "at most 45 USD per month"
        in as_coordinator.get(page("reporting_campaign_detail", team["agency"], campaign.pk)).content.decode()
    )
    terms = {"project": project.pk, "included_hours": "12", "monthly_fee": "1800", "currency": "USD"}
    assert as_coordinator.post(page("reporting_retainer_terms", team["agency"]), terms).status_code == 302
    assert "Acme retainer" in as_coordinator.get(page("reporting_retainers", team["agency"])).content.decode()
