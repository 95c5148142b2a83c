"""Every KPI defined once, as a formula over daily-fact totals, and target states with pacing. Pure.

The selectors sum the facts of a campaign and period into ``Totals`` (money per currency); these
functions turn them into KPI values and, against a target, into on track / at risk / off track.
A KPI that needs money in one currency says so instead of adding dollars to euros.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

# Metrics the importers (and mapped CSVs) produce that are money: totals keep them per currency.
MONEY = frozenset({"spend", "revenue", "conversion_value"})
# Metrics that are levels, not flows: a period's value is their average, never their sum.
AVERAGED = frozenset({"avg_position", "list_size"})

AWARENESS, LEADS, EMAIL, SEO, SALES, RETENTION = (
    "awareness",
    "lead_generation",
    "email_nurture",
    "seo_content",
    "sales",
    "retention",
)


@dataclass
class Totals:
    """A campaign's (or client's) facts over a period: counts summed, money summed per currency."""

    counts: dict[str, Decimal] = field(default_factory=dict)
    money: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # metric → currency → sum

    def count(self, metric: str) -> Decimal | None:
        return self.counts.get(metric)

    def add(self, metric: str, value: Decimal, currency: str = "") -> None:
        if metric in MONEY:
            per = self.money.setdefault(metric, {})
            per[currency] = per.get(currency, Decimal(0)) + value
        else:
            self.counts[metric] = self.counts.get(metric, Decimal(0)) + value


class MixedCurrencies(ValueError):
    """The money behind a KPI is in more than one currency: it is shown per currency, not added up."""


def _money(totals: Totals, *metrics: str) -> tuple[Decimal, str] | None:
    per: dict[str, Decimal] = {}
    for metric in metrics:
        for currency, value in totals.money.get(metric, {}).items():
            per[currency] = per.get(currency, Decimal(0)) + value
    if not per:
        return None
    if len(per) > 1:
        raise MixedCurrencies(", ".join(sorted(per)))
    ((currency, value),) = per.items()
    return value, currency


def _sum(totals: Totals, *metrics: str) -> Decimal | None:
    values = [totals.counts[m] for m in metrics if m in totals.counts]
    return sum(values, Decimal(0)) if values else None


def _ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


@dataclass(frozen=True)
class KpiValue:
    value: Decimal | None
    currency: str = ""
    note: str = ""


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    goals: frozenset[str]
    unit: str  # "count", "money", "rate" (0–1), "multiple" (ROAS), "position"
    higher_is_better: bool
    cumulative: bool  # grows through the period (leads, spend): paced; otherwise a ratio judged as it stands
    formula: Callable[[Totals], tuple[Decimal | None, str]]
    shown_beside: str = ""  # never shown alone: only next to this KPI (open rate beside clicks)

    def compute(self, totals: Totals) -> KpiValue:
        try:
            value, currency = self.formula(totals)
        except MixedCurrencies as exc:
            return KpiValue(None, note=f"Money in several currencies ({exc}); see each currency.")
        return KpiValue(value, currency)


def _count(*metrics: str) -> Callable[[Totals], tuple[Decimal | None, str]]:
    return lambda t: (_sum(t, *metrics), "")


def _rate(
    numerator: tuple[str, ...], denominator: tuple[str, ...]
) -> Callable[[Totals], tuple[Decimal | None, str]]:
    return lambda t: (_ratio(_sum(t, *numerator), _sum(t, *denominator)), "")


def _money_total(*metrics: str) -> Callable[[Totals], tuple[Decimal | None, str]]:
    def formula(t: Totals) -> tuple[Decimal | None, str]:
        found = _money(t, *metrics)
        return (found[0], found[1]) if found else (None, "")

    return formula


def _cost_per(*metrics: str) -> Callable[[Totals], tuple[Decimal | None, str]]:
    def formula(t: Totals) -> tuple[Decimal | None, str]:
        spend = _money(t, "spend")
        if spend is None:
            return None, ""
        return _ratio(spend[0], _sum(t, *metrics)), spend[1]

    return formula


def _roas(t: Totals) -> tuple[Decimal | None, str]:
    revenue, spend = _money(t, "revenue", "conversion_value"), _money(t, "spend")
    if revenue is None or spend is None:
        return None, ""
    if revenue[1] != spend[1]:
        raise MixedCurrencies(f"{revenue[1]}, {spend[1]}")
    return _ratio(revenue[0], spend[0]), ""


def _list_growth(t: Totals) -> tuple[Decimal | None, str]:
    new, gone = _sum(t, "new_subscribers"), _sum(t, "unsubscribes")
    if new is None and gone is None:
        return None, ""
    return (new or Decimal(0)) - (gone or Decimal(0)), ""


# "conversions" across platforms: Google/LinkedIn conversion actions plus lead-form leads (Meta, LinkedIn).
CONVERSIONS = ("conversions", "leads")

KPI_LIST: tuple[Kpi, ...] = (
    # Awareness
    Kpi("reach", "Reach (sum of daily reach)", frozenset({AWARENESS}), "count", True, True, _count("reach")),
    Kpi("impressions", "Impressions", frozenset({AWARENESS}), "count", True, True, _count("impressions")),
    Kpi("engagement_rate", "Engagement rate", frozenset({AWARENESS}), "rate", True, False,
        _rate(("engagements",), ("impressions",))),
    Kpi("video_completion_rate", "Video completion rate", frozenset({AWARENESS}), "rate", True, False,
        _rate(("video_completions",), ("video_plays",))),
    Kpi("profile_visits", "Profile visits", frozenset({AWARENESS}), "count", True, True, _count("profile_visits")),
    Kpi("traffic_quality", "Traffic quality (engaged-session rate)", frozenset({AWARENESS, SEO}), "rate", True,
        False, _rate(("engaged_sessions",), ("sessions",))),
    # Lead generation
    Kpi("conversions", "Conversions", frozenset({LEADS, SALES}), "count", True, True, _count(*CONVERSIONS)),
    Kpi("cost_per_lead", "Cost per lead", frozenset({LEADS}), "money", False, False, _cost_per(*CONVERSIONS)),
    Kpi("conversion_rate", "Conversion rate (per click)", frozenset({LEADS}), "rate", True, False,
        _rate(CONVERSIONS, ("clicks",))),
    Kpi("landing_page_conversion_rate", "Landing page conversion rate", frozenset({LEADS}), "rate", True, False,
        _rate(("key_events",), ("sessions",))),
    Kpi("lead_quality", "Lead quality (qualified share)", frozenset({LEADS}), "rate", True, False,
        _rate(("qualified_leads",), ("crm_leads",))),
    # Email nurture
    Kpi("email_clicks", "Clicks", frozenset({EMAIL}), "count", True, True, _count("email_clicks")),
    Kpi("email_replies", "Replies", frozenset({EMAIL}), "count", True, True, _count("email_replies")),
    Kpi("email_conversions", "Conversions", frozenset({EMAIL}), "count", True, True, _count("email_conversions")),
    Kpi("unsubscribes", "Unsubscribes", frozenset({EMAIL}), "count", False, True, _count("unsubscribes")),
    Kpi("list_growth", "List growth", frozenset({EMAIL}), "count", True, True, _list_growth),
    Kpi("open_rate", "Open rate", frozenset({EMAIL}), "rate", True, False,
        _rate(("email_opens",), ("emails_delivered",)), shown_beside="email_clicks"),
    # SEO / content
    Kpi("organic_traffic", "Organic traffic (sessions)", frozenset({SEO}), "count", True, True,
        _count("organic_sessions")),
    Kpi("ranking_position", "Average ranking, priority topics", frozenset({SEO}), "position", False, False,
        _count("avg_position")),
    Kpi("assisted_conversions", "Assisted conversions", frozenset({SEO}), "count", True, True,
        _count("assisted_conversions")),
    Kpi("organic_engagement", "Organic engagement rate", frozenset({SEO}), "rate", True, False,
        _rate(("organic_engaged_sessions",), ("organic_sessions",))),
    # Sales and retention
    Kpi("revenue", "Revenue", frozenset({SALES, RETENTION}), "money", True, True,
        _money_total("revenue", "conversion_value")),
    Kpi("roas", "Return on ad spend", frozenset({SALES}), "multiple", True, False, _roas),
    Kpi("cost_per_purchase", "Cost per purchase", frozenset({SALES}), "money", False, False, _cost_per("purchases")),
    Kpi("repeat_purchase_rate", "Repeat purchase rate", frozenset({RETENTION}), "rate", True, False,
        _rate(("repeat_purchases",), ("purchases",))),
    Kpi("spend", "Spend", frozenset({AWARENESS, LEADS, SALES, RETENTION}), "money", False, True,
        _money_total("spend")),
)  # fmt: skip
KPIS: dict[str, Kpi] = {k.key: k for k in KPI_LIST}


def kpis_for_goal(goal: str) -> list[Kpi]:
    return [k for k in KPI_LIST if goal in k.goals]


def visible_kpis(goal: str, values: dict[str, KpiValue]) -> list[Kpi]:
    """The goal's KPIs to show: one "shown beside" another appears only when that other has a value."""
    shown = []
    for kpi in kpis_for_goal(goal):
        if kpi.shown_beside and values.get(kpi.shown_beside, KpiValue(None)).value is None:
            continue
        shown.append(kpi)
    return shown


# --- periods and pacing --------------------------------------------------------------------------


def period_bounds(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The week (Mon–Sun), month or quarter containing ``day``."""
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if kind == "quarter":
        first_month = 3 * ((day.month - 1) // 3) + 1
        last_month = first_month + 2
        return dt.date(day.year, first_month, 1), dt.date(
            day.year, last_month, calendar.monthrange(day.year, last_month)[1]
        )
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def elapsed_share(start: dt.date, end: dt.date, as_of: dt.date) -> Decimal:
    """How much of the period has passed by the end of ``as_of`` (0 before it starts, 1 once over)."""
    if as_of < start:
        return Decimal(0)
    total = (end - start).days + 1
    gone = min((as_of - start).days + 1, total)
    return Decimal(gone) / Decimal(total)


ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA = "on_track", "at_risk", "off_track", "no_data"
STATE_LABELS = {ON_TRACK: "On track", AT_RISK: "At risk", OFF_TRACK: "Off track", NO_DATA: "No data yet"}
# How far below pace a floor may fall, or above it a ceiling may rise, and still only be "at risk".
AT_RISK_BAND = Decimal("0.25")
# Before this share of the period has passed, a ratio KPI is too young to call off track.
EARLY = Decimal("0.25")


def target_state(
    *, actual: Decimal | None, target: Decimal, at_least: bool, cumulative: bool, elapsed: Decimal
) -> str:
    """On track, at risk or off track, with pacing for figures that build up through the period.

    Leads ≥ 120 a month, half the month gone, 48 so far (40%): on pace for 96 → at risk, not off track.
    """
    if actual is None:
        return NO_DATA
    if cumulative:
        if elapsed <= 0:
            return NO_DATA
        projected = actual / elapsed
        if at_least:
            if actual >= target or projected >= target:
                return ON_TRACK
            if elapsed >= 1:
                return OFF_TRACK
            return AT_RISK if projected >= target * (1 - AT_RISK_BAND) else OFF_TRACK
        # A ceiling (spend ≤ budget): over it is off track; on course to pass it is at risk.
        if actual > target:
            return OFF_TRACK
        return ON_TRACK if projected <= target else AT_RISK
    # A ratio (cost per lead, conversion rate) is judged as it stands.
    good = actual >= target if at_least else actual <= target
    if good:
        return ON_TRACK
    near = actual >= target * (1 - AT_RISK_BAND) if at_least else actual <= target * (1 + AT_RISK_BAND)
    if near or elapsed < EARLY:
        return AT_RISK
    return OFF_TRACK
