"""Campaign changes from one typed line, and the changes a platform's daily states reveal. Pure.

"3 Nov: broad job titles → industry-specific audiences" becomes (2026-11-03, audience, the text);
a campaign whose status goes enabled → paused, or whose daily budget goes 50 → 75, between two days
of imports becomes a status or budget change.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from reporting.importers.base import CampaignState
from reporting.importers.values import parse_date

KIND_WORDS = (
    ("bid_strategy", ("bid strategy", "bidding", "target cpa", "target roas", "max conversions", "bid ")),
    ("landing_page", ("landing page", "landing-page", "lp ")),
    ("budget", ("budget", "spend cap")),
    ("status", ("paused", "pause", "restarted", "restart", "resumed", "resume", "stopped", "relaunched")),
    ("audience", ("audience", "targeting", "lookalike", "job title", "interests", "geo", "retarget")),
    ("offer", ("offer", "discount", "promo", "free ")),
    ("creative", ("creative", "new ad", "new ads", "video", "image", "headline", "copy")),
)
_LEADING_DATE = re.compile(
    r"^\s*(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\.\d{1,2}\.\d{4}|"
    r"\d{1,2}\.?\s+[A-Za-zäé]+\.?(?:\s+\d{4})?|[A-Za-z]+\.?\s+\d{1,2}(?:,?\s+\d{4})?)\s*[:\-–—]\s*"
)


@dataclass(frozen=True)
class ChangeLine:
    changed_on: dt.date
    kind: str
    summary: str


def guess_kind(text: str) -> str:
    lowered = f" {text.lower()} "
    for kind, words in KIND_WORDS:
        if any(w in lowered for w in words):
            return kind
    return "other"


def parse_change_line(text: str, *, today: dt.date) -> ChangeLine:
    """One line a person typed: an optional leading date ("3 Nov:", "2026-11-03 -"), then what changed."""
    line = " ".join(text.split())
    if not line:
        raise ValueError("Say what changed.")
    changed_on = today
    m = _LEADING_DATE.match(line)
    if m:
        date_text = m[1]
        if not re.search(r"\d{4}", date_text):
            date_text = f"{date_text} {today.year}"
        try:
            changed_on = parse_date(date_text)
            line = line[m.end() :]
        except ValueError:
            pass
        else:
            if changed_on > today and not re.search(r"\d{4}", m[1]):
                changed_on = changed_on.replace(year=today.year - 1)
    if changed_on > today:
        raise ValueError("A change is recorded when it has happened; the date is in the future.")
    if len(line) > 300:
        raise ValueError("Keep it to one line (300 characters at most).")
    if not line.strip():
        raise ValueError("Say what changed.")
    return ChangeLine(changed_on, guess_kind(line), line)


@dataclass(frozen=True)
class KnownState:
    status: str = ""
    daily_budget: Decimal | None = None
    on: dt.date | None = None


@dataclass(frozen=True)
class DetectedChange:
    changed_on: dt.date
    kind: str  # "status" or "budget"
    summary: str


def _money(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"


def detect_state_changes(
    states: Iterable[CampaignState], *, known: KnownState, platform_label: str
) -> tuple[list[DetectedChange], KnownState]:
    """The status and budget changes in one campaign's daily states, after what the last import showed.

    States on or before ``known.on`` were seen already: re-importing a file detects nothing twice.
    """
    changes: list[DetectedChange] = []
    current = known
    for state in sorted(states, key=lambda s: s.date):
        if known.on is not None and state.date <= known.on:
            continue
        if state.status and current.status and state.status != current.status:
            changes.append(
                DetectedChange(
                    state.date, "status", f"{platform_label}: status {current.status} → {state.status}"
                )
            )
        if (
            state.daily_budget is not None
            and current.daily_budget is not None
            and state.daily_budget != current.daily_budget
        ):
            currency = f" {state.currency}" if state.currency else ""
            changes.append(
                DetectedChange(
                    state.date,
                    "budget",
                    f"{platform_label}: daily budget {_money(current.daily_budget)} → "
                    f"{_money(state.daily_budget)}{currency}",
                )
            )
        current = KnownState(
            status=state.status or current.status,
            daily_budget=state.daily_budget if state.daily_budget is not None else current.daily_budget,
            on=state.date,
        )
    return changes, current
