"""What changed, why it likely happened, and what we recommend next. Pure: plain values in, facts and prose out.

The selector (``reporting.insight_selectors``) sums each campaign's facts for the period and the one it is
compared with, and gathers the events the app recorded (campaign changes, deadline moves, decisions,
change requests, approvals). This module decides — with the explicit thresholds below — which movements
are worth a headline, which events plausibly explain them, and what to recommend; ``write`` turns those
facts into sentences. Nothing here invents a number: every figure in the prose comes from the facts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from reporting import kpis

# --- thresholds -----------------------------------------------------------------------------------

# A movement is a headline only when it is at least this large relative to the previous period ...
MIN_RELATIVE = Decimal("0.10")
# ... and its absolute size matters: ≥ 20 results/clicks, ≥ 5% of the period's spend for money,
# ≥ 0.2 percentage points for rates.
MIN_COUNT_CHANGE = Decimal(20)
MIN_SPEND_SHARE = Decimal("0.05")
MIN_RATE_CHANGE = Decimal("0.002")
# No headline from fewer than this many events (the counts behind the figure) in either period.
MIN_EVENTS = 30
# An event explains a movement when it happened between this many days before the period and its middle.
WINDOW_BEFORE_DAYS = 14
# Budget shifts: only between campaigns whose cost per result differs by at least this much.
MIN_SHIFT_GAP = Decimal("0.10")
SHIFT_MIN, SHIFT_MAX = Decimal("0.10"), Decimal("0.30")


@dataclass(frozen=True)
class MetricDef:
    key: str
    label: str
    unit: str  # "count", "money", "rate"
    higher_is_better: bool | None  # None: neither (spend)
    events: str  # the count behind the figure, for the minimum-events rule


METRICS: dict[str, MetricDef] = {
    m.key: m
    for m in (
        MetricDef("spend", "spend", "money", None, "clicks"),
        MetricDef("impressions", "impressions", "count", True, "impressions"),
        MetricDef("clicks", "clicks", "count", True, "clicks"),
        MetricDef("ctr", "click-through rate", "rate", True, "clicks"),
        MetricDef("results", "results", "count", True, "results"),
        MetricDef("cost_per_result", "cost per result", "money", False, "results"),
        MetricDef("conversion_rate", "conversion rate", "rate", True, "results"),
    )
}
# Lead-generation campaigns call their results leads (the seed's "LinkedIn lead cost").
GOAL_RESULT_WORDS = {kpis.LEADS: ("leads", "lead cost"), kpis.SALES: ("purchases", "cost per purchase")}

# Which metrics an event plausibly touches. An event kind not here (or "other") explains nothing.
EVENT_TOUCHES: dict[str, frozenset[str]] = {
    "budget": frozenset({"spend", "impressions", "clicks", "results"}),
    "status": frozenset({"spend", "impressions", "clicks", "results"}),
    "audience": frozenset({"cost_per_result", "ctr", "conversion_rate"}),
    "creative": frozenset({"ctr", "cost_per_result"}),
    "offer": frozenset({"conversion_rate", "cost_per_result"}),
    "landing_page": frozenset({"conversion_rate", "cost_per_result"}),
    "bid_strategy": frozenset({"cost_per_result", "spend", "clicks"}),
    # A launch that slipped moves the campaign's first-week volume.
    "launch_slip": frozenset({"spend", "impressions", "clicks", "results"}),
}


# --- inputs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """One campaign's period totals in the shape this module needs (money in one currency or none)."""

    spend: Decimal | None = None
    impressions: Decimal | None = None
    clicks: Decimal | None = None
    results: Decimal | None = None
    currency: str = ""

    def value(self, key: str) -> Decimal | None:
        if key in ("spend", "impressions", "clicks", "results"):
            return getattr(self, key)
        if key == "ctr":
            return _ratio(self.clicks, self.impressions)
        if key == "cost_per_result":
            return _ratio(self.spend, self.results)
        if key == "conversion_rate":
            return _ratio(self.results, self.clicks)
        raise KeyError(key)

    def events(self, key: str) -> Decimal:
        return self.value(METRICS[key].events) or Decimal(0)


def _ratio(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None or not b:
        return None
    return a / b


def figures_from_totals(totals: kpis.Totals) -> Figures:
    """A campaign's KPI totals as figures; money in several currencies gives no money figures."""
    try:
        spend = kpis._money(totals, "spend")
    except kpis.MixedCurrencies:
        spend = None
    return Figures(
        spend=spend[0] if spend else None,
        impressions=totals.count("impressions"),
        clicks=totals.count("clicks"),
        results=kpis._sum(totals, *kpis.CONVERSIONS),
        currency=spend[1] if spend else "",
    )


@dataclass(frozen=True)
class CampaignPeriods:
    campaign_id: int
    name: str
    goal: str
    current: Figures
    previous: Figures


@dataclass(frozen=True)
class Event:
    """Something the app recorded: a campaign change, a deadline move, a decision, a change request."""

    campaign_id: int
    on: dt.date
    kind: str  # a key of EVENT_TOUCHES, or anything else (explains nothing)
    summary: str
    source: str  # "campaign change", "decision log", "change request", "deadline history", "approval"


@dataclass(frozen=True)
class TargetLine:
    campaign_id: int
    campaign: str
    kpi_label: str
    state: str  # kpis.ON_TRACK / AT_RISK / OFF_TRACK
    actual: Decimal | None
    target: Decimal
    comparison: str  # "at least" / "at most"
    currency: str = ""


# --- facts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Movement:
    campaign_id: int
    campaign: str
    metric: str
    label: str
    previous: Decimal
    current: Decimal
    change: Decimal  # relative, signed (-0.18 = dropped 18%)
    currency: str = ""

    @property
    def direction(self) -> str:
        return "rose" if self.change > 0 else "dropped"

    @property
    def percent(self) -> int:
        return int((abs(self.change) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def good(self) -> bool | None:
        better = METRICS[self.metric].higher_is_better
        return None if better is None else (self.change > 0) == better


@dataclass(frozen=True)
class Cause:
    movement: Movement
    event: Event


@dataclass(frozen=True)
class Recommendation:
    kind: str  # "target", "budget_shift", "creative", "landing_page"
    text_facts: dict


@dataclass
class Insight:
    period_start: dt.date
    period_end: dt.date
    compare_start: dt.date
    compare_end: dt.date
    movements: list[Movement] = field(default_factory=list)
    causes: list[Cause] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)

    def as_json(self) -> dict:
        """The facts as stored with a draft (dates and decimals as strings)."""

        def plain(value):
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            if isinstance(value, dt.date | Decimal):
                return str(value)
            return value

        return plain(
            {
                "period": [self.period_start, self.period_end],
                "compare": [self.compare_start, self.compare_end],
                "movements": [asdict(m) for m in self.movements],
                "causes": [{"movement": asdict(c.movement), "event": asdict(c.event)} for c in self.causes],
                "recommendations": [asdict(r) for r in self.recommendations],
            }
        )


def _label(metric: str, goal: str) -> str:
    words = GOAL_RESULT_WORDS.get(goal)
    if words and metric == "results":
        return words[0]
    if words and metric == "cost_per_result":
        return words[1]
    return METRICS[metric].label


def _matters(metric: MetricDef, previous: Decimal, current: Decimal, figures: CampaignPeriods) -> bool:
    delta = abs(current - previous)
    if metric.unit == "count":
        return delta >= MIN_COUNT_CHANGE
    if metric.unit == "rate":
        return delta >= MIN_RATE_CHANGE
    # Money: spend moved by ≥ 5% of spend; a cost per result whose change, over the results, is ≥ 5% of spend.
    spend = figures.current.spend or Decimal(0)
    if metric.key == "spend":
        return delta >= MIN_SPEND_SHARE * max(previous, current)
    results = figures.current.results or Decimal(0)
    return spend > 0 and delta * results >= MIN_SPEND_SHARE * spend


def movements(campaigns: list[CampaignPeriods]) -> list[Movement]:
    """The movements worth a headline, biggest first: ±10%, an absolute change that matters, ≥ 30 events."""
    found = []
    for c in campaigns:
        if c.current.currency and c.previous.currency and c.current.currency != c.previous.currency:
            money_comparable = False
        else:
            money_comparable = True
        for metric in METRICS.values():
            if metric.unit == "money" and not money_comparable:
                continue
            current, previous = c.current.value(metric.key), c.previous.value(metric.key)
            if current is None or previous is None or previous == 0:
                continue
            if c.current.events(metric.key) < MIN_EVENTS or c.previous.events(metric.key) < MIN_EVENTS:
                continue
            change = (current - previous) / previous
            if abs(change) < MIN_RELATIVE or not _matters(metric, previous, current, c):
                continue
            found.append(
                Movement(
                    c.campaign_id,
                    c.name,
                    metric.key,
                    _label(metric.key, c.goal),
                    previous,
                    current,
                    change,
                    c.current.currency if metric.unit == "money" else "",
                )
            )
    found.sort(key=lambda m: (-abs(m.change), m.campaign, m.metric))
    return found


def window(period_start: dt.date, period_end: dt.date) -> tuple[dt.date, dt.date]:
    """From 14 days before the period to its middle: when an event can explain the period's numbers."""
    middle = period_start + dt.timedelta(days=(period_end - period_start).days // 2)
    return period_start - dt.timedelta(days=WINDOW_BEFORE_DAYS), middle


def causes(
    moved: list[Movement], events: list[Event], period_start: dt.date, period_end: dt.date
) -> list[Cause]:
    """Each movement with the events that plausibly touch its metric, inside the window (latest first)."""
    first, last = window(period_start, period_end)
    found = []
    for movement in moved:
        matching = [
            e
            for e in events
            if e.campaign_id == movement.campaign_id
            and first <= e.on <= last
            and movement.metric in EVENT_TOUCHES.get(e.kind, frozenset())
        ]
        matching.sort(key=lambda e: (e.on, e.summary), reverse=True)
        found.extend(Cause(movement, e) for e in matching)
    return found


def _round5(share: Decimal) -> Decimal:
    return (share * 20).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 20


def budget_shift(campaigns: list[CampaignPeriods]) -> Recommendation | None:
    """Shift budget from the weakest to the strongest campaign, in proportion to their cost per result.

    Only campaigns with the same goal and currency and at least 30 results are compared; the share is
    (weak − strong) / (weak + strong), rounded to 5% and kept between 10% and 30%.
    """
    best: Recommendation | None = None
    by_goal: dict[tuple[str, str], list[tuple[Decimal, CampaignPeriods]]] = {}
    for c in campaigns:
        cost = c.current.value("cost_per_result")
        if cost is None or (c.current.results or 0) < MIN_EVENTS:
            continue
        by_goal.setdefault((c.goal, c.current.currency), []).append((cost, c))
    gap_seen = Decimal(0)
    for (goal, currency), group in sorted(by_goal.items()):
        if len(group) < 2:
            continue
        group.sort(key=lambda pair: (pair[0], pair[1].name))
        (strong_cost, strong), (weak_cost, weak) = group[0], group[-1]
        gap = (weak_cost - strong_cost) / weak_cost
        if gap < MIN_SHIFT_GAP or gap <= gap_seen:
            continue
        gap_seen = gap
        share = min(SHIFT_MAX, max(SHIFT_MIN, _round5((weak_cost - strong_cost) / (weak_cost + strong_cost))))
        best = Recommendation(
            "budget_shift",
            {
                "share": int(share * 100),
                "from_campaign": weak.name,
                "to_campaign": strong.name,
                "from_cost": _money(weak_cost),
                "to_cost": _money(strong_cost),
                "currency": currency,
                "result_label": _label("cost_per_result", goal),
            },
        )
    return best


def recommendations(
    moved: list[Movement], targets: list[TargetLine], campaigns: list[CampaignPeriods]
) -> list[Recommendation]:
    """Off-track targets first, then at-risk ones, then a budget shift, new creative, landing-page fixes."""
    found: list[Recommendation] = []
    order = {kpis.OFF_TRACK: 0, kpis.AT_RISK: 1}
    for line in sorted(
        (t for t in targets if t.state in order), key=lambda t: (order[t.state], t.campaign, t.kpi_label)
    ):
        found.append(
            Recommendation(
                "target",
                {
                    "state": kpis.STATE_LABELS[line.state],
                    "campaign": line.campaign,
                    "kpi": line.kpi_label,
                    "actual": _number(line.actual),
                    "target": _number(line.target),
                    "comparison": line.comparison,
                    "currency": line.currency,
                },
            )
        )
    shift = budget_shift(campaigns)
    if shift is not None:
        found.append(shift)
    for m in moved:
        if m.metric == "ctr" and m.change < 0:
            found.append(Recommendation("creative", {"campaign": m.campaign, "percent": m.percent}))
        if m.metric == "conversion_rate" and m.change < 0:
            found.append(Recommendation("landing_page", {"campaign": m.campaign, "percent": m.percent}))
    return found


def analyse(
    *,
    campaigns: list[CampaignPeriods],
    events: list[Event],
    targets: list[TargetLine],
    period: tuple[dt.date, dt.date],
    compare: tuple[dt.date, dt.date],
) -> Insight:
    """The facts of a client's period: headline movements, their likely causes, and what to do next."""
    moved = movements(campaigns)
    return Insight(
        period[0],
        period[1],
        compare[0],
        compare[1],
        moved,
        causes(moved, events, *period),
        recommendations(moved, targets, campaigns),
    )


# --- the deterministic writer ---------------------------------------------------------------------


def _number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    if abs(value) < 1 and value != 0:
        return f"{value:.4f}".rstrip("0").rstrip(".")
    if value == value.to_integral():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def format_value(metric: str, value: Decimal, currency: str = "") -> str:
    unit = METRICS[metric].unit
    if unit == "rate":
        return f"{(value * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
    if unit == "money":
        return f"{_money(value)} {currency}".strip()
    return _number(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def day_text(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B')}"


def _first_lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def movement_sentence(m: Movement) -> str:
    return (
        f"{m.campaign} {m.label} {m.direction} {m.percent}% "
        f"(from {format_value(m.metric, m.previous, m.currency)} to {format_value(m.metric, m.current, m.currency)})."
    )


def _event_phrase(e: Event) -> str:
    what = _first_lower(e.summary.rstrip("."))
    if e.source == "decision log":
        what = f"the decision to {what}"
    elif e.source == "change request":
        what = f"the change request “{e.summary.rstrip('.')}”"
    return f"{what} on {day_text(e.on)} ({e.source})"


def cause_sentence(c: Cause) -> str:
    m = c.movement
    return f"{m.campaign} {m.label} {m.direction} {m.percent}% after {_event_phrase(c.event)}."


def grouped_cause_sentences(found: list[Cause]) -> list[str]:
    """One sentence per campaign and event, naming every figure it moved (in the order of the movements)."""
    groups: dict[tuple[int, Event], list[Movement]] = {}
    for c in found:
        groups.setdefault((c.movement.campaign_id, c.event), []).append(c.movement)
    sentences = []
    for (_, event), moved in groups.items():
        parts = [f"{m.label} {m.direction} {m.percent}%" for m in moved]
        joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        sentences.append(f"{moved[0].campaign} {joined} after {_event_phrase(event)}.")
    return sentences


def recommendation_sentence(r: Recommendation) -> str:
    f = r.text_facts
    if r.kind == "target":
        unit = f" {f['currency']}" if f["currency"] else ""
        return (
            f"{f['state']}: {f['campaign']} {f['kpi'].lower()} is {f['actual']}{unit} against a target of "
            f"{f['comparison']} {f['target']}{unit}; this comes first."
        )
    if r.kind == "budget_shift":
        return (
            f"Shift {f['share']}% of next month's budget from {f['from_campaign']} into {f['to_campaign']} "
            f"({f['result_label']} {f['from_cost']} vs {f['to_cost']} {f['currency']})."
        )
    if r.kind == "creative":
        return f"Test new creative angles in {f['campaign']}: click-through rate dropped {f['percent']}%."
    if r.kind == "landing_page":
        return f"Fix the landing page of {f['campaign']}: its conversion rate dropped {f['percent']}%."
    raise ValueError(r.kind)


def write(insight: Insight) -> str:
    """Plain sentences under three headings, from the facts only."""
    explained = {(c.movement.campaign_id, c.movement.metric) for c in insight.causes}
    changed = [movement_sentence(m) for m in insight.movements if (m.campaign_id, m.metric) not in explained]
    lines = ["What changed"]
    if insight.movements:
        seen: set[tuple[int, str]] = set()
        for c in insight.causes:
            key = (c.movement.campaign_id, c.movement.metric)
            if key not in seen:
                seen.add(key)
                lines.append(f"- {movement_sentence(c.movement)}")
        lines.extend(f"- {s}" for s in changed)
    else:
        lines.append(
            f"- No figure moved by {int(MIN_RELATIVE * 100)}% or more on at least {MIN_EVENTS} events "
            f"between {day_text(insight.compare_start)}–{day_text(insight.compare_end)} and "
            f"{day_text(insight.period_start)}–{day_text(insight.period_end)}."
        )
    lines += ["", "Why it likely happened"]
    if insight.causes:
        lines.extend(f"- {sentence}" for sentence in grouped_cause_sentences(insight.causes))
    else:
        lines.append("- Nothing recorded in the app explains these movements.")
    lines += ["", "What we recommend next"]
    if insight.recommendations:
        lines.extend(f"- {recommendation_sentence(r)}" for r in insight.recommendations)
    else:
        lines.append("- Keep the current plan: every target is on track.")
    return "\n".join(lines)


# --- checking prose against the facts ---------------------------------------------------------------

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _canonical(token: str) -> str:
    """ "4,100.00" → "4100", "0.0500" → "0.05", "03" → "3": a number as written, without grouping and padding."""
    plain = token.replace(",", "")
    if "." in plain:
        plain = plain.rstrip("0").rstrip(".")
    whole, _, fraction = plain.partition(".")
    whole = whole.lstrip("0") or "0"
    return f"{whole}.{fraction}" if fraction else whole


def numbers_in(text: str) -> set[str]:
    """Every number written in ``text``, canonical (a date's parts are numbers too)."""
    return {_canonical(t) for t in _NUMBER.findall(text)}


def numbers_not_in_facts(prose: str, facts: dict, writer_text: str) -> list[str]:
    """The numbers of ``prose`` that appear neither in the facts nor in the writer's sentences made from
    them, in the order written: a non-empty answer means the prose invented a figure."""
    import json

    # Dates in the facts are ISO ("2026-11-03"): their parts count as written ("3 November").
    allowed = numbers_in(json.dumps(facts)) | numbers_in(writer_text)
    seen: list[str] = []
    for token in _NUMBER.findall(prose):
        number = _canonical(token)
        if number not in allowed and token not in seen:
            seen.append(token)
    return seen
