"""Alert rules evaluated over a campaign's daily KPI values. Pure.

A threshold rule breaks when the KPI is past its threshold on each of the last ``days`` days with data
("cost per lead above 60 for two days"); a pacing rule when spend so far exceeds the share of the budget
the days elapsed allow by the given percentage; an anomaly rule when the latest day falls outside the
range of the 14 days before it (with at least 7 of them known).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

ANOMALY_HISTORY_DAYS = 14
ANOMALY_MIN_HISTORY = 7


@dataclass(frozen=True)
class Breach:
    on: dt.date
    message: str


def _fmt(value: Decimal) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != value.to_integral() else f"{int(value):,}"


def threshold_breach(
    series: list[tuple[dt.date, Decimal | None]], *, label: str, threshold: Decimal, above: bool, days: int
) -> Breach | None:
    known = [(d, v) for d, v in sorted(series) if v is not None]
    if len(known) < days or days < 1:
        return None
    recent = known[-days:]
    if all((v > threshold) if above else (v < threshold) for _, v in recent):
        word = "above" if above else "below"
        values = ", ".join(_fmt(v) for _, v in recent)
        span = "the last day" if days == 1 else f"the last {days} days"
        return Breach(recent[-1][0], f"{label} {word} {_fmt(threshold)} on {span} ({values})")
    return None


def pacing_breach(
    *, spend: Decimal, budget: Decimal, start: dt.date, end: dt.date, as_of: dt.date, limit_percent: Decimal
) -> Breach | None:
    if budget <= 0 or as_of < start:
        return None
    total = (end - start).days + 1
    gone = min((as_of - start).days + 1, total)
    allowed = budget * Decimal(gone) / Decimal(total)
    pace = spend / allowed * 100
    if pace > limit_percent:
        return Breach(as_of, f"Spend pacing at {pace:.0f}% of budget (limit {_fmt(limit_percent)}%)")
    return None


def anomaly_breach(series: list[tuple[dt.date, Decimal | None]], *, label: str) -> Breach | None:
    known = [(d, v) for d, v in sorted(series) if v is not None]
    if len(known) < ANOMALY_MIN_HISTORY + 1:
        return None
    last_day, last = known[-1]
    history = [v for d, v in known[:-1] if (last_day - d).days <= ANOMALY_HISTORY_DAYS]
    if len(history) < ANOMALY_MIN_HISTORY:
        return None
    low, high = min(history), max(history)
    if last < low or last > high:
        where = "above" if last > high else "below"
        return Breach(
            last_day,
            f"{label} of {_fmt(last)} on {last_day:%-d %b} is {where} the range of the previous "
            f"{len(history)} days ({_fmt(low)}–{_fmt(high)})",
        )
    return None
