"""KPI formulas and target states with pacing, on plain values; then the KPI table over imported facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django_scopes import scope

from reporting import kpis, selectors
from reporting.kpis import AT_RISK, NO_DATA, OFF_TRACK, ON_TRACK, Totals
from reporting.services import campaigns as campaign_services
from tests import factories
from tests.reporting import exports

D = Decimal


def totals(counts: dict | None = None, money: dict | None = None) -> Totals:
    t = Totals()
    for metric, value in (counts or {}).items():
        t.add(metric, D(value))
    for (metric, currency), value in (money or {}).items():
        t.add(metric, D(value), currency)
    return t


def test_cost_per_lead_divides_spend_by_leads_and_conversions_in_the_spend_currency():
    t = totals({"leads": 30, "conversions": 10, "clicks": 800}, {("spend", "USD"): "1800"})
    assert kpis.KPIS["cost_per_lead"].compute(t) == kpis.KpiValue(D(45), "USD")
    assert kpis.KPIS["conversion_rate"].compute(t).value == D("0.05")
    assert kpis.KPIS["conversions"].compute(t).value == D(40)


def test_money_in_two_currencies_is_never_added_up():
    t = totals({"leads": 10}, {("spend", "USD"): "100", ("spend", "EUR"): "100"})
    value = kpis.KPIS["cost_per_lead"].compute(t)
    assert value.value is None
    assert value.note == "Money in several currencies (EUR, USD); see each currency."
    assert kpis.KPIS["spend"].compute(t).value is None


def test_roas_needs_revenue_and_spend_in_one_currency():
    assert kpis.KPIS["roas"].compute(
        totals(money={("revenue", "USD"): "500", ("spend", "USD"): "125"})
    ).value == D(4)
    assert (
        kpis.KPIS["roas"].compute(totals(money={("revenue", "EUR"): "500", ("spend", "USD"): "125"})).value
        is None
    )


def test_awareness_and_email_formulas():
    t = totals(
        {
            "impressions": 10000,
            "engagements": 250,
            "video_plays": 400,
            "video_completions": 100,
            "sessions": 200,
            "engaged_sessions": 130,
            "new_subscribers": 50,
            "unsubscribes": 8,
            "email_opens": 300,
            "emails_delivered": 1000,
        }
    )
    assert kpis.KPIS["engagement_rate"].compute(t).value == D("0.025")
    assert kpis.KPIS["video_completion_rate"].compute(t).value == D("0.25")
    assert kpis.KPIS["traffic_quality"].compute(t).value == D("0.65")
    assert kpis.KPIS["list_growth"].compute(t).value == D(42)
    assert kpis.KPIS["open_rate"].compute(t).value == D("0.3")


def test_open_rate_is_shown_only_beside_clicks():
    without_clicks = {
        k.key: k.compute(totals({"email_opens": 3, "emails_delivered": 10})) for k in kpis.KPI_LIST
    }
    assert "open_rate" not in [k.key for k in kpis.visible_kpis(kpis.EMAIL, without_clicks)]
    with_clicks = {
        k.key: k.compute(totals({"email_opens": 3, "emails_delivered": 10, "email_clicks": 1}))
        for k in kpis.KPI_LIST
    }
    assert "open_rate" in [k.key for k in kpis.visible_kpis(kpis.EMAIL, with_clicks)]


def test_every_goal_has_kpis_and_a_missing_metric_has_no_value():
    for goal in (kpis.AWARENESS, kpis.LEADS, kpis.EMAIL, kpis.SEO, kpis.SALES, kpis.RETENTION):
        assert kpis.kpis_for_goal(goal)
    assert kpis.KPIS["lead_quality"].compute(totals({"leads": 5})).value is None


def test_period_bounds_and_elapsed_share():
    assert kpis.period_bounds("month", dt.date(2026, 2, 14)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert kpis.period_bounds("quarter", dt.date(2026, 11, 5)) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
    )
    assert kpis.period_bounds("week", dt.date(2026, 11, 5)) == (dt.date(2026, 11, 2), dt.date(2026, 11, 8))
    assert kpis.elapsed_share(dt.date(2026, 11, 1), dt.date(2026, 11, 30), dt.date(2026, 11, 15)) == D("0.5")
    assert kpis.elapsed_share(dt.date(2026, 11, 1), dt.date(2026, 11, 30), dt.date(2026, 12, 15)) == D(1)


@pytest.mark.parametrize(
    ("actual", "elapsed", "expected"),
    [
        ("48", "0.5", AT_RISK),  # half the month gone at 40% of 120: at risk, not off track
        ("60", "0.5", ON_TRACK),  # exactly on pace
        ("30", "0.5", OFF_TRACK),  # on pace for 60 of 120
        ("120", "0.2", ON_TRACK),  # already there
        ("110", "1", OFF_TRACK),  # the month is over and the target missed
    ],
)
def test_a_floor_on_a_cumulative_kpi_is_judged_by_its_pace(actual, elapsed, expected):
    state = kpis.target_state(
        actual=D(actual), target=D(120), at_least=True, cumulative=True, elapsed=D(elapsed)
    )
    assert state == expected


def test_a_ceiling_on_spend_is_at_risk_when_on_course_to_pass_it_and_off_track_once_passed():
    def state(actual, elapsed):
        return kpis.target_state(
            actual=D(actual), target=D(1000), at_least=False, cumulative=True, elapsed=D(elapsed)
        )

    assert state(400, "0.5") == ON_TRACK
    assert state(600, "0.5") == AT_RISK
    assert state(1001, "0.6") == OFF_TRACK


def test_a_ratio_target_is_judged_as_it_stands_with_an_early_grace():
    def cpl(actual, elapsed="0.5"):
        return kpis.target_state(
            actual=D(actual), target=D(45), at_least=False, cumulative=False, elapsed=D(elapsed)
        )

    assert cpl(44) == ON_TRACK
    assert cpl(50) == AT_RISK
    assert cpl(70) == OFF_TRACK
    assert cpl(70, "0.1") == AT_RISK
    assert (
        kpis.target_state(actual=None, target=D(45), at_least=False, cumulative=False, elapsed=D(1))
        == NO_DATA
    )


@pytest.mark.django_db
def test_the_kpi_table_shows_imported_figures_against_targets(team, django_assert_num_queries):
    client = team["clients"][0]
    owner = team["owner"]
    leads = factories.reporting_campaign_create(
        actor=owner, client=client, name="Leads", starts_on=dt.date(2026, 10, 1)
    )
    factories.report_import(
        actor=team["coordinator"],
        client=client,
        data=exports.linkedin_csv(),
        mapping={"Practice Managers - Lead Gen": leads.pk},
    )
    for _ in range(3):  # more campaigns: the query count must not grow
        factories.reporting_campaign_create(
            actor=owner, client=client, goal="awareness", starts_on=dt.date(2026, 10, 1)
        )
    with scope(agency=team["agency"].pk):
        campaign_services.kpi_target_set(
            actor=owner, campaign=leads, kpi="cost_per_lead", comparison="at_most", value="45", currency="USD"
        )
        campaign_services.kpi_target_set(
            actor=owner, campaign=leads, kpi="conversions", comparison="at_least", value="40"
        )
        with django_assert_num_queries(3):
            table = selectors.kpi_table(team["agency"], as_of=dt.date(2026, 11, 15))
    row = next(r for r in table if r.campaign.pk == leads.pk)
    lines = {line.kpi.key: line for line in row.lines}
    # 335.20 USD over 12 leads + 3 conversions = 22.35 per lead: under the 45 ceiling.
    assert lines["cost_per_lead"].value == kpis.KpiValue(D("335.20") / 15, "USD")
    assert lines["cost_per_lead"].state == ON_TRACK
    # 15 conversions half-way through the month: on pace for 30 of 40 → at risk.
    assert lines["conversions"].state == AT_RISK
    assert lines["conversion_rate"].target is None and lines["conversion_rate"].state == ""
    assert len(table) == 4


@pytest.mark.django_db
def test_landing_pages_are_ranked_by_sessions_with_their_conversion_rate(team):
    client = team["clients"][0]
    factories.report_import(
        actor=team["coordinator"], client=client, data=exports.ga4_landing_page_csv(), default_currency="USD"
    )
    with scope(agency=team["agency"].pk):
        pages = selectors.landing_page_performance(
            team["agency"], client_id=client.pk, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30)
        )
    assert [(p.path, p.sessions, p.conversion_rate) for p in pages] == [
        ("/spring-smile", D(400), D("0.05")),
        ("/", D(100), D("0.01")),
    ]


@pytest.mark.django_db
def test_a_ranking_is_averaged_over_the_days_and_organic_traffic_comes_from_the_site(team):
    client = team["clients"][0]
    seo = factories.reporting_campaign_create(
        actor=team["owner"], client=client, name="Content", goal="seo_content"
    )
    rankings = b"Date,Campaign,Position\n2026-11-02,Content hub,4\n2026-11-03,Content hub,6\n"
    with scope(agency=team["agency"].pk):
        campaign_services.column_mapping_save(
            actor=team["owner"], client=client, name="Rank tracker",
            mapping={"date": "Date", "campaign": "Campaign", "metrics": {"Position": "avg_position"}},
        )  # fmt: skip
    factories.report_import(
        actor=team["coordinator"], client=client, data=rankings, mapping={"Content hub": seo.pk}
    )
    factories.report_import(
        actor=team["coordinator"], client=client, data=exports.ga4_traffic_csv(), default_currency="USD"
    )
    with scope(agency=team["agency"].pk):
        (row,) = selectors.kpi_table(team["agency"], as_of=dt.date(2026, 11, 20), campaign_ids=[seo.pk])
    lines = {line.kpi.key: line.value.value for line in row.lines}
    assert lines["ranking_position"] == D(5)
    assert lines["organic_traffic"] == D(1200)
    assert lines["organic_engagement"] == D(800) / D(1200)
