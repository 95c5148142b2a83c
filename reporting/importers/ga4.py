"""Google Analytics 4 traffic acquisition and landing-page exports.

"#" comment lines come first, with "# Start date: 20261101" and "# End date: 20261130"; then the
table: a channel group or landing page, sessions, engaged sessions, engagement rate, key events
(older exports: conversions), revenue. Without a "Date" column the figures are the period's and
are stored on its first day. Revenue carries no currency in the file: the uploader names it.
"""

from __future__ import annotations

import re
from decimal import Decimal

from reporting.importers.base import ParsedExport, Platform
from reporting.importers.reading import Table
from reporting.importers.tabular import Column, RowOptions, find_header, read_rows, starts_with_any
from reporting.importers.values import parse_date

COLUMNS = (
    Column("date", aliases=("date", "datum")),
    Column("campaign", aliases=("session campaign", "session campaign name", "first user campaign")),
    Column(
        "breakdown",
        "channel",
        aliases=(
            "session primary channel group (default channel group)",
            "session default channel group",
            "session primary channel group",
            "first user primary channel group (default channel group)",
            "default channel group",
            "session source / medium",
        ),
    ),
    Column("breakdown", "landing_page", aliases=("landing page + query string", "landing page")),
    Column("metric", "sessions", aliases=("sessions", "sitzungen")),
    Column("metric", "engaged_sessions", aliases=("engaged sessions", "sitzungen mit interaktionen")),
    Column("metric", "engagement_rate_input", aliases=("engagement rate", "interaktionsrate")),
    Column("metric", "key_events", aliases=("key events", "conversions", "schlüsselereignisse")),
    Column("metric", "revenue", aliases=("total revenue", "purchase revenue", "gesamtumsatz")),
    Column("metric", "users", aliases=("total users", "users", "active users", "aktive nutzer")),
    Column("metric", "new_users", aliases=("new users", "neue nutzer")),
)
_DATE_COMMENT = re.compile(r"#\s*(start|end) date:\s*(\d{8})", re.I)


def _comment(row: list[str]) -> bool:
    return bool(row) and row[0].lstrip().startswith("#")


def detect(table: Table) -> bool:
    if not any(_comment(r) for r in table.cells[:15]):
        return False
    return find_header(table.cells, COLUMNS, required=set()) is not None


def _engaged_from_rate(metrics: dict[str, Decimal]) -> dict[str, Decimal]:
    """A rate cannot be summed across days: keep engaged sessions, derived from the rate if needed."""
    rate = metrics.pop("engagement_rate_input", None)
    if rate is not None and "engaged_sessions" not in metrics and "sessions" in metrics:
        return {"engaged_sessions": (metrics["sessions"] * rate).quantize(Decimal(1))}
    return {}


def parse(table: Table, *, default_currency: str = "") -> ParsedExport:
    found = find_header(table.cells, COLUMNS, required=set())
    assert found is not None
    layout = "landing_page" if found.has("breakdown", "landing_page") else "traffic_acquisition"
    result = ParsedExport(Platform.GA4, layout)
    for row in table.cells[: found.index]:
        m = _DATE_COMMENT.search(",".join(row))
        if m:
            try:
                day = parse_date(m[2])
            except ValueError:
                continue
            if m[1].lower() == "start":
                result.period_start = day
            else:
                result.period_end = day
    start, end = result.period_start, result.period_end
    if not found.has("date") and start and end and end != start:
        result.notes.append(
            f"The file has no 'Date' column: its figures for {start:%d %b %Y} to "
            f"{end:%d %b %Y} are stored on {start:%d %b %Y}."
        )
    options = RowOptions(
        platform=Platform.GA4,
        layout=layout,
        default_currency=default_currency,
        default_date=None if found.has("date") else result.period_start,
        is_total=starts_with_any(("grand total", "total", "gesamtsumme")),
        stop=_comment,  # a second table (GA4 exports several, each after its own comments)
        derived=_engaged_from_rate,
    )
    read_rows(table.cells, found, options, result)
    result.rows = [r for r in result.rows if r.metric != "engagement_rate_input"]
    return result.finish()
