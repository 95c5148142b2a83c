"""Any CSV or .xlsx (a CRM, an email tool, call tracking) read through a column mapping saved per client.

A mapping is plain data::

    {"date": "Created", "campaign": "Campaign", "day_first": false, "decimal_comma": false,
     "currency": "USD", "metrics": {"Form fills": "form_fills", "Booked calls": "booked_calls"}}
"""

from __future__ import annotations

import re
from typing import Any

from reporting.importers.base import ParsedExport, Platform
from reporting.importers.reading import Table
from reporting.importers.tabular import Column, RowOptions, find_header, normalize_header, read_rows

METRIC_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def validate_mapping(mapping: Any) -> list[str]:
    """What is wrong with a mapping someone saved (empty list when it can be used)."""
    errors = []
    if not isinstance(mapping, dict):
        return ["A mapping is an object with 'date' and 'metrics'."]
    if not isinstance(mapping.get("date"), str) or not mapping["date"].strip():
        errors.append("Name the column that holds the date.")
    metrics = mapping.get("metrics")
    if not isinstance(metrics, dict) or not metrics:
        errors.append("Map at least one column to a metric.")
    else:
        for header, metric in metrics.items():
            if not isinstance(header, str) or not isinstance(metric, str) or not METRIC_NAME.match(metric):
                errors.append(f"'{header}' → '{metric}': metric names are lower case letters, digits and _.")
    if "campaign" in mapping and not isinstance(mapping["campaign"], str):
        errors.append("The campaign column is a column name.")
    return errors


def _columns(mapping: dict[str, Any]) -> tuple[Column, ...]:
    cols = [Column("date", aliases=(normalize_header(mapping["date"])[0],))]
    if mapping.get("campaign"):
        cols.append(Column("campaign", aliases=(normalize_header(mapping["campaign"])[0],)))
    for header, metric in mapping["metrics"].items():
        cols.append(Column("metric", metric, aliases=(normalize_header(header)[0],)))
    return tuple(cols)


def detect(table: Table, mapping: dict[str, Any]) -> bool:
    if validate_mapping(mapping):
        return False
    return find_header(table.cells, _columns(mapping), required={"date"}) is not None


def parse(table: Table, *, mapping: dict[str, Any], default_currency: str = "") -> ParsedExport:
    found = find_header(table.cells, _columns(mapping), required={"date"})
    assert found is not None
    result = ParsedExport(Platform.GENERIC, "mapped")
    options = RowOptions(
        platform=Platform.GENERIC,
        layout="mapped",
        decimal_comma=bool(mapping.get("decimal_comma")) or table.delimiter == ";",
        day_first=bool(mapping.get("day_first")),
        default_currency=str(mapping.get("currency") or default_currency),
    )
    return read_rows(table.cells, found, options, result).finish()
