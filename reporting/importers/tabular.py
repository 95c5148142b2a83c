"""The table walk every platform shares: find the header, read each row into daily facts and problems.

A platform module says which headers mean what (in each language it exports), where its preamble
ends and which rows are totals; this module does the rest the same way for all of them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from reporting.importers.base import MONEY_METRICS, CampaignState, FactRow, ParsedExport, Problem
from reporting.importers.values import parse_date, parse_number

_CURRENCY_SUFFIX = re.compile(r"\s*\(([A-Z]{3})\)\s*$")

# The most specific breakdown present names the row: an asset inside an ad inside an ad set.
BREAKDOWN_ORDER = ("asset", "ad", "ad_set", "landing_page", "channel")


@dataclass(frozen=True)
class Column:
    kind: str  # date, date_end, campaign, breakdown, metric, status, budget, currency, results, result_indicator
    name: str = ""  # the metric or breakdown it fills
    aliases: tuple[str, ...] = ()


def normalize_header(text: str) -> tuple[str, str]:
    """Lower-cased header without a currency suffix, and that currency ("Amount spent (USD)")."""
    currency = ""
    m = _CURRENCY_SUFFIX.search(text)
    if m:
        currency = m[1]
        text = text[: m.start()]
    return " ".join(text.replace("\ufeff", "").lower().split()), currency


@dataclass
class Header:
    index: int  # row index in the table
    columns: dict[int, Column]
    titles: dict[int, str]  # the header text as the file had it, for problem messages
    currencies: dict[int, str]
    localized: bool = False

    def has(self, kind: str, name: str | None = None) -> bool:
        return any(c.kind == kind and (name is None or c.name == name) for c in self.columns.values())


def find_header(
    cells: list[list[str]],
    columns: Iterable[Column],
    *,
    required: Iterable[str],
    localized_aliases: frozenset[str] = frozenset(),
    search_rows: int = 40,
    start: int = 0,
) -> Header | None:
    """The first row (within the first ``search_rows``) that has every required column kind."""
    alias_map: dict[str, Column] = {}
    for column in columns:
        for alias in column.aliases:
            alias_map[alias] = column
    required = set(required)
    for index in range(start, min(len(cells), start + search_rows)):
        found: dict[int, Column] = {}
        titles: dict[int, str] = {}
        currencies: dict[int, str] = {}
        localized = False
        for col, text in enumerate(cells[index]):
            key, currency = normalize_header(text)
            column = alias_map.get(key)
            if column is None or any(c == column for c in found.values()):
                continue
            found[col], titles[col], currencies[col] = column, text.replace("\ufeff", "").strip(), currency
            localized = localized or key in localized_aliases
        kinds = {c.kind for c in found.values()}
        if required <= kinds and any(c.kind in ("metric", "results") for c in found.values()):
            return Header(index, found, titles, currencies, localized)
    return None


@dataclass
class RowOptions:
    platform: str
    layout: str
    decimal_comma: bool = False
    day_first: bool = False
    default_currency: str = ""
    default_date: dt.date | None = None  # for exports without a day column: the period's first day
    is_total: Callable[[list[str]], bool] = lambda row: False
    stop: Callable[[list[str]], bool] = lambda row: False
    result_metric: Callable[[str], str] = lambda indicator: "results"
    derived: Callable[[dict[str, Decimal]], dict[str, Decimal]] = lambda metrics: {}
    notes: list[str] = field(default_factory=list)


def read_rows(
    cells: list[list[str]], header: Header, options: RowOptions, result: ParsedExport
) -> ParsedExport:
    """Every data row below the header: facts for good rows, one problem per bad row (the row is left out)."""
    cols = header.columns
    by_kind: dict[str, list[int]] = {}
    for i, c in cols.items():
        by_kind.setdefault(c.kind, []).append(i)
    metric_names_in_file = {c.name for c in cols.values() if c.kind == "metric"}
    breakdown_cols = sorted(
        (i for i in by_kind.get("breakdown", [])), key=lambda i: BREAKDOWN_ORDER.index(cols[i].name)
    )

    def cell(row: list[str], kind: str) -> str:
        for i in by_kind.get(kind, []):
            if i < len(row):
                return row[i]
        return ""

    value_cols = [
        (i, c.kind, c.name, header.titles[i], header.currencies.get(i, ""))
        for i, c in sorted(cols.items())
        if c.kind in ("metric", "results", "budget")
    ]
    dates: dict[str, dt.date] = {}  # a file repeats each day once per campaign: parse it once
    seen_states: set[tuple[dt.date, str]] = set()
    for index in range(header.index + 1, len(cells)):
        row = cells[index]
        line = index + 1
        if not any(c.strip() for c in row):
            continue
        if options.stop(row):
            break
        if options.is_total(row):
            continue
        campaign = cell(row, "campaign").strip() if "campaign" in by_kind else ""
        if "campaign" in by_kind and not campaign:
            # A summary row (Meta puts the account total first, with no campaign name).
            continue
        breakdown, breakdown_value = "", ""
        for i in breakdown_cols:
            if i < len(row) and row[i].strip():
                breakdown, breakdown_value = cols[i].name, row[i].strip()
                break
        problems: list[str] = []
        day: dt.date | None = options.default_date
        if "date" in by_kind:
            text = cell(row, "date")
            try:
                day = dates.get(text) or dates.setdefault(text, parse_date(text, day_first=options.day_first))
            except ValueError as exc:
                title = header.titles[by_kind["date"][0]]
                problems.append(f"'{title}' {exc}: '{text}'")
        if day is None:
            problems.append("has no date")
        row_currency = cell(row, "currency").strip().upper() if "currency" in by_kind else ""
        metrics: dict[str, Decimal] = {}
        money_currency: dict[str, str] = {}
        for i, kind, name, title, header_currency in value_cols:
            text = row[i] if i < len(row) else ""
            try:
                value = parse_number(text, decimal_comma=options.decimal_comma)
            except ValueError as exc:
                problems.append(f"'{title}' {exc}: '{text}'")
                continue
            if value is None:
                continue
            if kind == "results":
                name = options.result_metric(cell(row, "result_indicator"))
                if not name or name in metric_names_in_file:
                    continue  # the same figure has its own column: never count it twice
            elif kind == "budget":
                name = "daily_budget"
            metrics[name] = metrics[name] + value if name in metrics else value
            money_currency[name] = row_currency or header_currency or options.default_currency
        for name, value in options.derived(metrics).items():
            metrics.setdefault(name, value)
        missing_currency = [n for n in metrics if n in MONEY_METRICS and not money_currency.get(n)]
        if missing_currency:
            problems.append(
                f"has money ({', '.join(sorted(missing_currency))}) but no currency; "
                "choose the account's currency when uploading"
            )
        if problems:
            result.problems.extend(Problem(line, p) for p in problems)
            continue
        assert day is not None
        budget = metrics.pop("daily_budget", None)
        status = cell(row, "status").strip()
        if (budget is not None or status) and not breakdown and (day, campaign) not in seen_states:
            seen_states.add((day, campaign))
            result.states.append(
                CampaignState(day, campaign, status.lower(), budget, money_currency.get("daily_budget", ""))
            )
        append = result.rows.append
        for name, value in metrics.items():
            currency = money_currency.get(name, "") if name in MONEY_METRICS else ""
            append(FactRow(day, campaign, name, value, currency, breakdown, breakdown_value))
    return result


def starts_with_any(prefixes: tuple[str, ...]) -> Callable[[list[str]], bool]:
    """A total row: its first non-empty cell starts with one of these words (any case)."""

    def check(row: list[str]) -> bool:
        first = next((c.strip().lower() for c in row if c.strip()), "")
        return first.startswith(prefixes)

    return check
