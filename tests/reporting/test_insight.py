"""What changed, why, what next: thresholds, the event→metric map and window, recommendations, the writer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from reporting import insight, kpis
from reporting.insight import CampaignPeriods, Event, Figures, TargetLine

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
FEBRUARY = (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


def linkedin(*, leads_now=100, spend_now=D("4100"), leads_before=100, spend_before=D("5000"), clicks=2000):
    return CampaignPeriods(
        1,
        "LinkedIn",
        kpis.LEADS,
        current=Figures(
            spend=spend_now, impressions=D(90000), clicks=D(clicks), results=D(leads_now), currency="USD"
        ),
        previous=Figures(
            spend=spend_before,
            impressions=D(90000),
            clicks=D(clicks),
            results=D(leads_before),
            currency="USD",
        ),
    )


def test_a_lead_cost_that_dropped_18_percent_is_a_headline():
    found = {m.metric: m for m in insight.movements([linkedin()])}
    assert set(found) == {"cost_per_result", "spend"}
    moved = found["cost_per_result"]
    assert (moved.metric, moved.label, moved.direction, moved.percent) == (
        "cost_per_result",
        "lead cost",
        "dropped",
        18,
    )
    assert moved.current == D("41") and moved.previous == D("50")


def test_a_movement_under_ten_percent_is_not_a_headline():
    assert insight.movements([linkedin(spend_now=D("4600"))]) == []


def test_no_headline_from_fewer_than_30_events_in_either_period():
    small = linkedin(leads_now=29, leads_before=29, spend_now=D("1189"), spend_before=D("1450"))
    assert "cost_per_result" not in [m.metric for m in insight.movements([small])]
    enough = linkedin(leads_now=30, leads_before=30, spend_now=D("1230"), spend_before=D("1500"))
    assert [m.metric for m in insight.movements([enough])] == ["cost_per_result", "spend"]


def test_a_count_must_move_by_at_least_20_to_matter():
    # 40 → 55 leads is +37%, but only 15 more; 40 → 60 is 20 more.
    few = linkedin(leads_before=40, leads_now=55, spend_before=D("2000"), spend_now=D("2750"))
    assert "results" not in [m.metric for m in insight.movements([few])]
    more = linkedin(leads_before=40, leads_now=60, spend_before=D("2000"), spend_now=D("3000"))
    assert "results" in [m.metric for m in insight.movements([more])]


def test_money_in_another_currency_than_last_period_is_never_compared():
    c = linkedin()
    eur = CampaignPeriods(
        1, "LinkedIn", kpis.LEADS, c.current, Figures(**{**c.previous.__dict__, "currency": "EUR"})
    )
    assert [m.metric for m in insight.movements([eur])] == []


def event(kind, on, summary="x", campaign_id=1, source="campaign change"):
    return Event(campaign_id, on, kind, summary, source)


def test_an_audience_change_in_the_window_explains_a_lead_cost_drop_and_is_cited_with_its_date():
    moved = [m for m in insight.movements([linkedin()]) if m.metric == "cost_per_result"]
    audience = event(
        "audience", dt.date(2026, 3, 3), "Switching from broad job titles to industry-specific audiences"
    )
    (cause,) = insight.causes(moved, [audience], *MARCH)
    assert insight.cause_sentence(cause) == (
        "LinkedIn lead cost dropped 18% after switching from broad job titles to industry-specific audiences "
        "on 3 March (campaign change)."
    )


def test_a_decoy_event_is_never_cited():
    # Lead cost 50 → 40.87 USD and conversion rate 5% → 5.75%; spend, clicks and leads hardly move.
    quiet_volume = linkedin(leads_now=115, spend_now=D("4700"))
    moved = insight.movements([quiet_volume])
    assert {m.metric for m in moved} == {"cost_per_result", "conversion_rate"}
    decoys = [
        event("status", dt.date(2026, 3, 3), "Paused the retargeting ads"),  # touches spend, not lead cost
        event("other", dt.date(2026, 3, 4), "Renamed the campaign"),  # touches nothing
        event("audience", dt.date(2026, 2, 14), "Added lookalikes"),  # 15 days before the period
        event("audience", dt.date(2026, 3, 17), "Narrowed geo"),  # after the middle of the period
        event("audience", dt.date(2026, 3, 5), "Other campaign's audience", campaign_id=2),
    ]
    kept = event("audience", dt.date(2026, 2, 15), "Industry audiences")  # exactly 14 days before
    found = insight.causes(moved, [*decoys, kept], *MARCH)
    assert {c.event for c in found} == {kept}
    text = insight.write(
        insight.analyse(
            campaigns=[quiet_volume], events=[*decoys, kept], targets=[], period=MARCH, compare=FEBRUARY
        )
    )
    for decoy in decoys:
        assert decoy.summary.lower() not in text.lower()
    assert "industry audiences on 15 February" in text


def test_the_window_runs_from_14_days_before_the_period_to_its_middle():
    assert insight.window(*MARCH) == (dt.date(2026, 2, 15), dt.date(2026, 3, 16))


def test_a_pause_explains_spend_and_a_landing_page_change_explains_conversion_rate():
    paused = CampaignPeriods(
        3,
        "Search",
        kpis.LEADS,
        current=Figures(spend=D(3000), impressions=D(50000), clicks=D(1500), results=D(60), currency="USD"),
        previous=Figures(spend=D(5000), impressions=D(80000), clicks=D(2500), results=D(150), currency="USD"),
    )
    moved = insight.movements([paused])
    assert {"spend", "impressions", "clicks", "results", "conversion_rate"} <= {m.metric for m in moved}
    found = insight.causes(
        moved,
        [
            event("status", dt.date(2026, 3, 10), "Paused search ads", 3),
            event("landing_page", dt.date(2026, 3, 2), "New form", 3),
        ],
        *MARCH,
    )
    by_event = {}
    for c in found:
        by_event.setdefault(c.event.summary, set()).add(c.movement.metric)
    assert by_event["Paused search ads"] == {"spend", "impressions", "clicks", "results"}
    assert by_event["New form"] == {"conversion_rate", "cost_per_result"} & {m.metric for m in moved}


def test_budget_moves_from_the_weaker_to_the_stronger_campaign_in_proportion_to_cost_per_result():
    strong = CampaignPeriods(
        1,
        "Industry-specific",
        kpis.LEADS,
        Figures(spend=D(4000), clicks=D(900), results=D(100), currency="USD"),
        Figures(),
    )
    weak = CampaignPeriods(
        2,
        "General",
        kpis.LEADS,
        Figures(spend=D(6000), clicks=D(900), results=D(100), currency="USD"),
        Figures(),
    )
    shift = insight.budget_shift([strong, weak])
    assert insight.recommendation_sentence(shift) == (
        "Shift 20% of next month's budget from General into Industry-specific (lead cost 60.00 vs 40.00 USD)."
    )
    close = CampaignPeriods(
        2,
        "General",
        kpis.LEADS,
        Figures(spend=D(4200), clicks=D(900), results=D(100), currency="USD"),
        Figures(),
    )
    assert insight.budget_shift([strong, close]) is None  # 5% apart: no shift
    other_currency = CampaignPeriods(
        2,
        "General",
        kpis.LEADS,
        Figures(spend=D(6000), clicks=D(900), results=D(100), currency="EUR"),
        Figures(),
    )
    assert insight.budget_shift([strong, other_currency]) is None


def test_off_track_targets_come_first_then_at_risk_then_creative_and_landing_page_fixes():
    falling = CampaignPeriods(
        4,
        "Meta",
        kpis.LEADS,
        current=Figures(spend=D(3000), impressions=D(100000), clicks=D(700), results=D(35), currency="USD"),
        previous=Figures(
            spend=D(3000), impressions=D(100000), clicks=D(1000), results=D(100), currency="USD"
        ),
    )
    targets = [
        TargetLine(4, "Meta", "Conversions", kpis.AT_RISK, D(35), D(120), "at least"),
        TargetLine(4, "Meta", "Cost per lead", kpis.OFF_TRACK, D("85.71"), D(45), "at most", "USD"),
        TargetLine(4, "Meta", "Spend", kpis.ON_TRACK, D(3000), D(5000), "at most", "USD"),
    ]
    result = insight.analyse(campaigns=[falling], events=[], targets=targets, period=MARCH, compare=FEBRUARY)
    sentences = [insight.recommendation_sentence(r) for r in result.recommendations]
    assert sentences == [
        "Off track: Meta cost per lead is 85.71 USD against a target of at most 45 USD; this comes first.",
        "At risk: Meta conversions is 35 against a target of at least 120; this comes first.",
        "Fix the landing page of Meta: its conversion rate dropped 50%.",
        "Test new creative angles in Meta: click-through rate dropped 30%.",
    ]


def test_the_writer_uses_only_numbers_from_the_facts():
    result = insight.analyse(
        campaigns=[linkedin()],
        events=[event("audience", dt.date(2026, 3, 3), "Industry-specific audiences")],
        targets=[],
        period=MARCH,
        compare=FEBRUARY,
    )
    text = insight.write(result)
    assert text.splitlines()[0] == "What changed"
    assert "- LinkedIn lead cost dropped 18% (from 50.00 USD to 41.00 USD)." in text
    assert "Keep the current plan" in text
    facts = result.as_json()
    assert facts["movements"][0]["metric"] == "cost_per_result"
    assert facts["causes"][0]["event"]["on"] == "2026-03-03"


def test_a_quiet_period_says_so_instead_of_inventing_a_headline():
    text = insight.write(
        insight.analyse(
            campaigns=[linkedin(spend_now=D(5000))], events=[], targets=[], period=MARCH, compare=FEBRUARY
        )
    )
    assert "No figure moved by 10% or more on at least 30 events" in text
