"""LinkedIn Campaign Manager campaign performance exports.

A header block comes before the table: "Campaign Performance Report (in UTC)",
"Report Start: 11/1/2026, Report End: 11/30/2026", "Account: …". Dates are M/D/YYYY; a "Total"
row closes the table. Spend, impressions, clicks, leads, conversions.
"""

from __future__ import annotations

import re

from reporting.importers.base import ParsedExport, Platform
from reporting.importers.reading import Table
from reporting.importers.tabular import Column, RowOptions, find_header, read_rows, starts_with_any
from reporting.importers.values import parse_date

COLUMNS = (
    Column("date", aliases=("start date (in utc)", "start date", "date")),
    Column("campaign", aliases=("campaign name", "campaign")),
    Column("breakdown", "ad", aliases=("creative name", "ad name")),
    Column("status", aliases=("campaign status",)),
    Column("budget", aliases=("daily budget", "campaign daily budget")),
    Column("currency", aliases=("currency",)),
    Column("metric", "spend", aliases=("total spent", "amount spent", "spend")),
    Column("metric", "impressions", aliases=("impressions",)),
    Column("metric", "clicks", aliases=("clicks",)),
    Column("metric", "leads", aliases=("leads",)),
    Column("metric", "conversions", aliases=("conversions",)),
    Column("metric", "engagements", aliases=("total engagements",)),
    Column("metric", "video_completions", aliases=("video completions",)),
    Column("metric", "reach", aliases=("reach", "approximate member reach")),
)
_START = re.compile(r"report start:\s*([\d/.-]+)", re.I)
_END = re.compile(r"report end:\s*([\d/.-]+)", re.I)
_ACCOUNT = re.compile(r"^account(?: name)?:\s*(.+)$", re.I)


def detect(table: Table) -> bool:
    preamble = " ".join(" ".join(r) for r in table.cells[:8]).lower()
    if "campaign performance report" in preamble or "report start:" in preamble:
        return find_header(table.cells, COLUMNS, required={"campaign"}) is not None
    return False


def parse(table: Table, *, default_currency: str = "") -> ParsedExport:
    found = find_header(table.cells, COLUMNS, required={"campaign"})
    assert found is not None
    result = ParsedExport(Platform.LINKEDIN, "ad" if found.has("breakdown") else "campaign_day")
    for row in table.cells[: found.index]:
        text = ", ".join(c for c in row if c)
        start, end, account = _START.search(text), _END.search(text), _ACCOUNT.match(text.strip())
        try:
            if start:
                result.period_start = parse_date(start[1])
            if end:
                result.period_end = parse_date(end[1])
        except ValueError:
            pass
        if account:
            result.account = account[1].strip()
    options = RowOptions(
        platform=Platform.LINKEDIN,
        layout=result.layout,
        default_currency=default_currency,
        default_date=result.period_start if not found.has("date") else None,
        is_total=starts_with_any(("total",)),
    )
    return read_rows(table.cells, found, options, result).finish()
