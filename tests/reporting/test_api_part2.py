"""Reporting part 2 API: dashboards' numbers, insights, report definitions and issues, alerts, portal reports."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django_scopes import scope

from reporting.services import alerts as alert_services
from reporting.services import insights, reports
from tests import factories
from tests.reporting import story

pytestmark = pytest.mark.django_db


def url(name, agency, *args):
    return reverse(name, args=[agency.slug, *args])


def test_the_campaign_dashboard_api_gives_the_numbers_behind_it(team):
    data = story.build(team)
    api = factories.token_client(team["coordinator"].user)
    body = api.get(
        url("api_reporting_dashboard_campaigns", team["agency"]),
        {"client": data["client"].pk, "from": "2026-11-01", "to": "2026-11-30", "compare": "previous"},
    ).json()
    assert (body["name"], body["compare_start"], body["compare_end"]) == (
        "campaigns",
        "2026-10-01",
        "2026-10-31",
    )
    campaigns = next(t for t in body["tables"] if t["key"] == "campaigns")
    rows = {r[0]: dict(zip(campaigns["columns"], r, strict=True)) for r in campaigns["rows"]}
    assert rows["Industry-specific"]["Cost per result"] == "41.00"
    assert rows["Industry-specific"]["Cost per result change %"] == "-18.0"


def test_dashboard_queries_are_refused_clearly(team, other_team):
    api = factories.token_client(team["coordinator"].user)
    dashboard = url("api_reporting_dashboard_website", team["agency"])
    client = team["clients"][0].pk
    assert api.get(dashboard, {"client": client, "from": "2020-01-01", "to": "2026-01-01"}).status_code == 400
    assert api.get(dashboard, {"client": client, "from": "soon"}).status_code == 400
    assert api.get(dashboard, {"client": client, "compare": "decade"}).status_code == 400
    assert api.get(dashboard, {"client": "acme"}).status_code == 400
    assert api.get(dashboard, {"client": other_team["clients"][0].pk}).status_code == 404


def test_an_insight_is_drafted_edited_and_approved_through_the_api(team):
    data = story.build(team)
    coordinator = factories.token_client(team["coordinator"].user)
    member = factories.token_client(team["members"][0].user)
    created = coordinator.post(
        url("api_reporting_insight_list", team["agency"]),
        {"client": data["client"].pk, "period_start": "2026-11-01", "period_end": "2026-11-30"},
        format="json",
    )
    assert created.status_code == 201
    draft = created.json()
    assert "on 3 November (campaign change)" in draft["text"]
    assert draft["facts"]["movements"]
    detail = url("api_reporting_insight_detail", team["agency"], draft["id"])
    assert (
        member.patch(detail, {"text": "Edited by the designer."}, format="json").json()["text"]
        == "Edited by the designer."
    )
    approve = url("api_reporting_insight_approve", team["agency"], draft["id"])
    assert member.post(approve).status_code == 403
    assert coordinator.post(approve).json()["state"] == "approved"
    assert coordinator.patch(detail, {"text": "Too late."}, format="json").status_code == 400
    assert (
        member.post(url("api_reporting_insight_list", team["agency"]), {}, format="json").status_code == 403
    )


def test_a_report_is_scheduled_and_its_issues_listed_with_a_pinned_query_count(
    team, settings, tmp_path, django_assert_num_queries
):
    settings.MEDIA_ROOT = tmp_path
    api = factories.token_client(team["coordinator"].user)
    contact = team["contacts"][0]
    created = api.post(
        url("api_reporting_report_definition_list", team["agency"]),
        {"client": team["clients"][0].pk, "sections": ["campaigns", "retainer"], "contacts": [contact.pk],
         "weekday": 0, "send_at": "10:00", "wait_for_data": False},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201 and created.json()["contacts"] == [contact.pk]
    bad = api.post(
        url("api_reporting_report_definition_list", team["agency"]),
        {"client": team["clients"][0].pk, "sections": ["horoscope"]},
        format="json",
    )
    assert bad.status_code == 400
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
    for weeks in range(3):
        (issue_id,) = reports.report_issues_schedule(now=later + dt.timedelta(days=7 * weeks))
        with scope(agency=team["agency"].pk):
            reports.report_issue_build(issue_id=issue_id, now=later + dt.timedelta(days=7 * weeks))
    api.get(url("api_reporting_report_list", team["agency"]))
    with django_assert_num_queries(4):
        issues = api.get(url("api_reporting_report_list", team["agency"])).json()["results"]
    assert [i["state"] for i in issues] == ["sent"] * 3 and all(i["has_pdf"] for i in issues)
    pdf = api.get(url("api_reporting_report_pdf", team["agency"], issues[0]["id"]))
    assert base64.b64decode(pdf.json()["content_base64"]).startswith(b"%PDF")
    assert api.post(url("api_reporting_report_retry", team["agency"], issues[0]["id"])).status_code == 400
    # The client's contact sees the same issues in the portal API; the other client's contact none.
    own = factories.token_client(contact.user).get(
        reverse("api_portal_report_list", args=[team["agency"].slug])
    )
    assert [r["id"] for r in own.json()["results"]] == [i["id"] for i in issues]
    other = factories.token_client(team["contacts"][1].user)
    assert other.get(reverse("api_portal_report_list", args=[team["agency"].slug])).json()["results"] == []
    assert (
        other.get(reverse("api_portal_report_pdf", args=[team["agency"].slug, issues[0]["id"]])).status_code
        == 404
    )


def test_alerts_list_open_episodes_and_rules_are_added_through_the_api(team):
    data = story.build(team)
    api = factories.token_client(team["coordinator"].user)
    created = api.post(
        url("api_reporting_alert_list", team["agency"]),
        {
            "campaign": data["industry"].pk,
            "kind": "threshold",
            "kpi": "cost_per_lead",
            "threshold": "40",
            "days": 2,
        },
        format="json",
    )
    assert created.status_code == 201
    assert (
        api.post(
            url("api_reporting_alert_list", team["agency"]),
            {"campaign": data["industry"].pk, "kind": "threshold", "kpi": "happiness", "threshold": "1"},
            format="json",
        ).status_code
        == 400
    )
    with scope(agency=team["agency"].pk):
        alert_services.alerts_check(
            agency=team["agency"], client_id=data["client"].pk, as_of=dt.date(2026, 11, 21)
        )
    (alert,) = api.get(url("api_reporting_alert_list", team["agency"])).json()["results"]
    assert alert["message"].startswith("Industry-specific: Cost per lead above 40")
    assert D(created.json()["threshold"]) == D(40)


def test_insight_list_query_count_is_pinned(team, django_assert_num_queries):
    with scope(agency=team["agency"].pk):
        for client in team["clients"] * 4:
            insights.insight_draft_create(
                actor=team["owner"],
                client=client,
                period_start=story.NOVEMBER[0],
                period_end=story.NOVEMBER[1],
            )
    api = factories.token_client(team["coordinator"].user)
    api.get(url("api_reporting_insight_list", team["agency"]))
    with django_assert_num_queries(4):
        assert len(api.get(url("api_reporting_insight_list", team["agency"])).json()["results"]) == 8
