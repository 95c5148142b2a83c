"""Dashboard and insight pages: pickers, charts beside tables, CSV of each table, the portal's versions."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django_scopes import scopes_disabled

from reporting import dashboard_views, dashboards
from reporting.models import InsightDraft, InsightState
from tests.reads import STAFF_PAGE_READS
from tests.reporting import story

pytestmark = pytest.mark.django_db
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30", "compare": "previous"}


def url(team, name):
    return reverse(f"reporting_dashboard_{name}", args=[team["agency"].slug])


def test_the_campaign_dashboard_shows_a_chart_beside_its_numbers_and_each_table_downloads_as_csv(
    team, as_coordinator
):
    data = story.build(team)
    params = {**NOVEMBER, "client": data["client"].pk}
    page = as_coordinator.get(url(team, "campaigns"), params).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and '<desc id="campaigns-desc">' in page
    # Each number sits in the link to the rows behind it (tests/reporting/test_rows_behind.py).
    linked = 'class="rows-link" title="The rows behind this number">{}</a></td>'
    assert linked.format("4100.00") in page and linked.format("-18.0") in page
    response = as_coordinator.get(url(team, "campaigns"), {**params, "format": "csv", "table": "campaigns"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["Campaign", "Spend", "Currency", "Results", "Cost per result"]
    assert ["General", "3000.00", "USD", "50.0000", "60.00"] == rows[1][:5]
    assert (
        as_coordinator.get(url(team, "campaigns"), {**params, "format": "csv", "table": "nope"}).status_code
        == 404
    )


def test_a_bad_range_is_a_clear_400_and_another_agencys_client_a_404(team, other_team, as_coordinator):
    bad = as_coordinator.get(url(team, "website"), {"from": "yesterday"})
    assert bad.status_code == 400 and "not a date" in bad.content.decode()
    too_long = as_coordinator.get(url(team, "website"), {"from": "2020-01-01", "to": "2026-01-01"})
    assert too_long.status_code == 400 and "at most 400 days" in too_long.content.decode()
    assert (
        as_coordinator.get(url(team, "website"), {"client": other_team["clients"][0].pk}).status_code == 404
    )
    assert as_coordinator.get(url(team, "website"), {"compare": "decade"}).status_code == 400


def test_a_csv_cell_that_looks_like_a_formula_is_written_as_text_and_negative_numbers_stay_numbers():
    board = dashboards.Dashboard(
        "content", "Content output", SimpleNamespace(name="Acme Dental"), dt.date(2026, 11, 1),
        dt.date(2026, 11, 30), None, None,
        [dashboards.Table("t", "T", ["Name", "Change"], [['=HYPERLINK("http://x")', D("-18.0")], ["@SUM(A1)", None]])],
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(dashboard_views.table_csv(board, "t").content.decode())))
    assert rows == [["Name", "Change"], ['\'=HYPERLINK("http://x")', "-18.0"], ["'@SUM(A1)", ""]]


def test_the_portal_retainer_dashboard_never_shows_hours_or_rates_and_has_no_content_dashboard(team):
    contact = team["contacts"][0]
    http = HttpClient()
    http.force_login(contact.user, backend="django.contrib.auth.backends.ModelBackend")
    slug = team["agency"].slug
    page = http.get(reverse("portal_dashboard_retainer", args=[slug]))
    assert page.status_code == 200
    text = page.content.decode()
    assert (
        "Deliverables this month" in text and "Open change requests" in text and "Next reporting date" in text
    )
    assert "hour" not in text.lower() and "rate" not in text.lower()
    assert http.get(f"/portal/{slug}/dashboards/content/").status_code == 404
    # A contact cannot ask for another client's numbers.
    other = team["clients"][1]
    assert (
        http.get(reverse("portal_dashboard_campaigns", args=[slug]), {"client": other.pk}).status_code == 404
    )


def test_a_coordinator_drafts_edits_and_approves_an_insight_from_the_pages(team, as_coordinator):
    data = story.build(team)
    slug = team["agency"].slug
    created = as_coordinator.post(
        reverse("reporting_insight_list", args=[slug]),
        {"client": data["client"].pk, "from": "2026-11-01", "to": "2026-11-30"},
    )
    with scopes_disabled():
        draft = InsightDraft.objects.get()
    assert created["Location"] == reverse("reporting_insight_detail", args=[slug, draft.pk])
    page = as_coordinator.get(created["Location"]).content.decode()
    assert "on 3 November (campaign change)" in page
    as_coordinator.post(created["Location"], {"text": "Lead cost fell 18% after the audience change."})
    as_coordinator.post(reverse("reporting_insight_approve", args=[slug, draft.pk]))
    with scopes_disabled():
        draft.refresh_from_db()
    assert (draft.state, draft.text) == (
        InsightState.APPROVED,
        "Lead cost fell 18% after the audience change.",
    )
    refused = as_coordinator.post(created["Location"], {"text": "Changed after approval"})
    assert refused.status_code == 400
    with scopes_disabled():
        draft.refresh_from_db()
    assert draft.text == "Lead cost fell 18% after the audience change."


def test_the_insight_list_query_count_does_not_grow_with_drafts(
    team, as_coordinator, django_assert_num_queries
):
    from django_scopes import scope

    from reporting.services import insights

    with scope(agency=team["agency"].pk):
        for client in team["clients"] * 3:
            insights.insight_draft_create(
                actor=team["owner"],
                client=client,
                period_start=story.NOVEMBER[0],
                period_end=story.NOVEMBER[1],
            )
    with django_assert_num_queries(STAFF_PAGE_READS + 2):
        page = as_coordinator.get(reverse("reporting_insight_list", args=[team["agency"].slug]))
    assert page.content.decode().count("/reports/insights/") >= 6
