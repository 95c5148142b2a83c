"""When a weekly report is due, which week it covers, and what data it still waits for. Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Due:
    period_start: dt.date  # the Monday of the week reported on
    period_end: dt.date  # its Sunday
    due_at: dt.datetime  # when it is sent (agency time)


def latest_due(now: dt.datetime, *, weekday: int, send_at: dt.time) -> Due:
    """The most recent send moment at or before ``now`` (agency time) and the full week before its week."""
    today = now.date()
    day = today - dt.timedelta(days=(today.weekday() - weekday) % 7)
    due_at = dt.datetime.combine(day, send_at, tzinfo=now.tzinfo)
    if due_at > now:
        day -= dt.timedelta(days=7)
        due_at = dt.datetime.combine(day, send_at, tzinfo=now.tzinfo)
    week_start = day - dt.timedelta(days=day.weekday())
    return Due(week_start - dt.timedelta(days=7), week_start - dt.timedelta(days=1), due_at)


def missing_data(*, expected: dict[str, dt.date | None], period_end: dt.date) -> list[str]:
    """The feeds (platforms) that usually report for this client but have no data up to the week's last day."""
    missing = []
    for name, last_day in sorted(expected.items()):
        if last_day is None or last_day < period_end:
            through = f"data up to {last_day:%-d %b}" if last_day else "no data"
            missing.append(f"{name}: {through}, the week ends {period_end:%-d %b}")
    return missing


def hold_is_over(due: Due, *, data_lag_days: int, now: dt.datetime) -> bool:
    """The data-lag window after the send time has passed: stop holding, fail visibly instead."""
    return now >= due.due_at + dt.timedelta(days=data_lag_days)
