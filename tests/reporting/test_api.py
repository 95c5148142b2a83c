"""The reporting API: upload → preview → confirm, problems, metrics, KPIs, time entries; query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from projects.models import TimeEntry
from tests import factories
from tests.factories import token_client
from tests.reporting import exports

pytestmark = pytest.mark.django_db


def url(name: str, agency, **kwargs) -> str:
    return reverse(name, kwargs={"agency_slug": agency.slug, **kwargs})


def test_a_coordinator_uploads_previews_maps_and_confirms_an_export(team):
    agency, client = team["agency"], team["clients"][0]
    campaign = factories.reporting_campaign_create(actor=team["owner"], client=client, name="Spring")
    api = token_client(team["coordinator"].user)
    upload = SimpleUploadedFile("meta.csv", exports.meta_campaign_csv())
    response = api.post(
        url("api_reporting_import_list", agency), {"client": client.pk, "file": upload}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    preview = response.json()
    assert preview["platform"] == "meta_ads" and preview["state"] == "preview"
    assert preview["new_campaign_names"] == ["Spring Smile - Leads", "Spring Smile - Reach"]
    assert {"metric": "spend", "currency": "USD", "value": "300"} in preview["summary"]["totals"]

    missing = api.post(url("api_reporting_import_confirm", agency, pk=preview["id"]), {}, format="json")
    assert missing.status_code == 400
    assert "Spring Smile - Leads" in missing.json()["mapping"][0]

    mapping = {"Spring Smile - Leads": campaign.pk, "Spring Smile - Reach": None}
    done = api.post(
        url("api_reporting_import_confirm", agency, pk=preview["id"]), {"mapping": mapping}, format="json"
    )
    assert done.status_code == 200 and done.json()["state"] == "confirmed"

    metrics = api.get(
        url("api_reporting_metrics", agency),
        {
            "start": "2026-11-01",
            "end": "2026-11-30",
            "interval": "month",
            "campaign": campaign.pk,
            "metric": "spend,leads",
        },
    )
    assert metrics.json() == [
        {"period": "2026-11-01", "metric": "leads", "currency": "", "value": "34.0000"},
        {"period": "2026-11-01", "metric": "spend", "currency": "USD", "value": "250.0000"},
    ]


def test_an_unknown_file_is_a_400_with_the_reason_and_the_problem_report_is_listed(team):
    agency, client = team["agency"], team["clients"][0]
    api = token_client(team["coordinator"].user)
    bad = api.post(
        url("api_reporting_import_list", agency),
        {"client": client.pk, "file": SimpleUploadedFile("x.csv", b"Name,Email\nBob,b@x.test\n")},
        format="multipart",
    )
    assert bad.status_code == 400
    assert "not a file we recognise" in bad.json()["file"][0]
    german = api.post(
        url("api_reporting_import_list", agency),
        {
            "client": client.pk,
            "file": SimpleUploadedFile("g.csv", exports.google_ads_german_excel_csv(bad_cost="n/a")),
        },
        format="multipart",
    )
    problems = api.get(url("api_reporting_import_problems", agency, pk=german.json()["id"]))
    assert problems.json() == {"problems": ["row 5: 'Kosten' is not a number: 'n/a'"], "blocking": []}


def test_members_read_reports_but_do_not_import(team):
    api = token_client(team["members"][0].user)
    response = api.post(
        url("api_reporting_import_list", team["agency"]),
        {"client": team["clients"][0].pk, "file": SimpleUploadedFile("l.csv", exports.linkedin_csv())},
        format="multipart",
    )
    assert response.status_code == 403
    assert api.get(url("api_reporting_campaign_list", team["agency"])).status_code == 200


def test_metric_ranges_are_capped_and_checked(team, settings):
    settings.REPORTING_METRICS_MAX_DAYS = 31
    api = token_client(team["owner"].user)
    too_long = api.get(
        url("api_reporting_metrics", team["agency"]), {"start": "2026-01-01", "end": "2026-03-01"}
    )
    assert too_long.status_code == 400 and "at most 31 days" in too_long.json()["end"][0]
    backwards = api.get(
        url("api_reporting_metrics", team["agency"]), {"start": "2026-03-01", "end": "2026-01-01"}
    )
    assert backwards.status_code == 400


def test_kpis_show_values_and_target_states(team):
    client = team["clients"][0]
    campaign = factories.reporting_campaign_create(
        actor=team["owner"], client=client, starts_on=dt.date(2026, 10, 1)
    )
    factories.report_import(
        actor=team["coordinator"],
        client=client,
        data=exports.linkedin_csv(),
        mapping={"Practice Managers - Lead Gen": campaign.pk},
    )
    api = token_client(team["owner"].user)
    target = api.post(
        url("api_reporting_campaign_target", team["agency"], pk=campaign.pk),
        {"kpi": "cost_per_lead", "comparison": "at_most", "value": "20", "currency": "USD"},
        format="json",
    )
    assert target.status_code == 200, target.json()
    rows = api.get(
        url("api_reporting_kpis", team["agency"]), {"as_of": "2026-11-30", "campaign": campaign.pk}
    ).json()
    cpl = next(line for line in rows[0]["lines"] if line["kpi"] == "cost_per_lead")
    assert Decimal(cpl["value"]) == (Decimal("335.20") / 15).quantize(Decimal("0.000001"))
    assert cpl["state"] == "at_risk"  # 22.35 against a 20 ceiling: within a quarter of it


def test_a_change_is_recorded_in_one_line_through_the_api(team):
    campaign = factories.reporting_campaign_create(actor=team["owner"], client=team["clients"][0])
    api = token_client(team["members"][3].user)
    response = api.post(
        url("api_reporting_campaign_change", team["agency"], pk=campaign.pk),
        {"line": "2026-11-03: new landing page with the booking form"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "landing_page" and response.json()["changed_on"] == "2026-11-03"
    detail = api.get(url("api_reporting_campaign_detail", team["agency"], pk=campaign.pk)).json()
    assert [c["summary"] for c in detail["changes"]] == ["new landing page with the booking form"]


def test_time_is_logged_edited_and_timed_through_the_api(team):
    project = factories.project_create(actor=team["owner"], client=team["clients"][0])
    with scope(agency=team["agency"].pk):
        task = project.tasks.first()
    designer = team["members"][1]
    api = token_client(designer.user)
    logged = api.post(
        url("api_reporting_time_entry_list", team["agency"]),
        {"task": task.pk, "minutes": 50, "note": "Layouts"},
        format="json",
    )
    assert logged.status_code == 201 and logged.json()["minutes"] == 50
    edited = api.patch(
        url("api_reporting_time_entry_detail", team["agency"], pk=logged.json()["id"]),
        {"minutes": 55, "work_date": logged.json()["work_date"], "note": "Layouts and export"},
        format="json",
    )
    assert edited.json()["minutes"] == 55
    timer = api.post(
        url("api_reporting_time_entry_list", team["agency"]), {"task": task.pk, "timer": True}, format="json"
    )
    assert timer.json()["running"] is True
    stopped = api.post(url("api_reporting_time_entry_stop", team["agency"], pk=timer.json()["id"]))
    assert stopped.json()["running"] is False and stopped.json()["minutes"] >= 1
    no_minutes = api.post(
        url("api_reporting_time_entry_list", team["agency"]), {"task": task.pk}, format="json"
    )
    assert no_minutes.status_code == 400
    other = token_client(team["members"][0].user)
    refused = other.delete(url("api_reporting_time_entry_detail", team["agency"], pk=logged.json()["id"]))
    assert refused.status_code == 400
    with scope(agency=team["agency"].pk):
        assert TimeEntry.objects.filter(deleted_at__isnull=True).count() == 2


@pytest.mark.parametrize("size", [2, 12])
def test_list_endpoints_cost_the_same_queries_for_few_or_many_rows(team, size, django_assert_num_queries):
    owner, client = team["owner"], team["clients"][0]
    project = factories.project_create(actor=owner, client=client)
    with scope(agency=team["agency"].pk):
        task = project.tasks.first()
    from projects.services import time_entries

    for i in range(size):
        campaign = factories.reporting_campaign_create(actor=owner, client=client, name=f"Campaign {i}")
        with scope(agency=team["agency"].pk):
            time_entries.time_entry_log(actor=team["members"][i % 5], task=task, minutes=10 + i)
    for _ in range(size // 2):
        factories.report_import(
            actor=team["coordinator"],
            client=client,
            data=exports.linkedin_csv(),
            mapping={"Practice Managers - Lead Gen": campaign.pk},
        )
    api = token_client(owner.user)
    api.get(
        url("api_reporting_campaign_list", team["agency"])
    )  # the token's first lookup is cached by nothing; warm alike
    # token + membership, then the page's count and rows
    with django_assert_num_queries(4):
        assert len(api.get(url("api_reporting_campaign_list", team["agency"])).json()["results"]) == size
    with django_assert_num_queries(4):
        assert len(api.get(url("api_reporting_import_list", team["agency"])).json()["results"]) == size // 2
    with django_assert_num_queries(4):
        assert len(api.get(url("api_reporting_time_entry_list", team["agency"])).json()["results"]) == size
    with django_assert_num_queries(5):
        assert len(api.get(url("api_reporting_kpis", team["agency"]), {"as_of": "2026-11-15"}).json()) == size
    with django_assert_num_queries(3):
        api.get(url("api_reporting_metrics", team["agency"]), {"start": "2026-11-01", "end": "2026-11-30"})


def test_a_change_request_is_linked_to_a_campaign_and_another_agencys_is_a_404(team, other_team):
    from approvals import services as approval_services

    owner, client = team["owner"], team["clients"][0]
    campaign = factories.reporting_campaign_create(actor=owner, client=client)
    project = factories.project_create(actor=owner, client=client)
    with scope(agency=team["agency"].pk):
        change = approval_services.change_request_create(
            requester=owner, project=project, description="Add Spanish ads", reason="other"
        )
    api = token_client(owner.user)
    linked = api.post(
        url("api_reporting_campaign_link", team["agency"], pk=campaign.pk),
        {"change_request": change.pk},
        format="json",
    )
    assert linked.status_code == 201 and linked.json()["change_request_id"] == change.pk
    other_project = factories.project_create(actor=other_team["owner"], client=other_team["clients"][0])
    with scope(agency=other_team["agency"].pk):
        foreign = approval_services.change_request_create(
            requester=other_team["owner"], project=other_project, description="x", reason="other"
        )
    refused = api.post(
        url("api_reporting_campaign_link", team["agency"], pk=campaign.pk),
        {"change_request": foreign.pk},
        format="json",
    )
    assert refused.status_code == 404


def test_a_column_mapping_is_saved_through_the_api_and_a_bad_one_refused(team):
    api = token_client(team["coordinator"].user)
    endpoint = url("api_reporting_column_mappings", team["agency"])
    good = {"date": "Created", "metrics": {"Form fills": "form_fills"}}
    assert (
        api.post(
            endpoint, {"client": team["clients"][0].pk, "name": "CRM", "mapping": good}, format="json"
        ).status_code
        == 201
    )
    bad = api.post(
        endpoint, {"client": team["clients"][0].pk, "name": "CRM", "mapping": {"metrics": []}}, format="json"
    )
    assert bad.status_code == 400
    assert [m["name"] for m in api.get(endpoint).json()["results"]] == ["CRM"]
