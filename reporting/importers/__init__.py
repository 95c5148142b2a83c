"""Platform exports in, normalized daily facts and problems out. Pure: bytes and plain values only.

``parse_export(data)`` refuses bad bytes before parsing (size, not text, a suspicious archive),
detects the platform from the file itself and hands the table to that platform's module.
"""

from __future__ import annotations

from typing import Any

from reporting.importers import ga4, generic, google_ads, linkedin, meta_ads
from reporting.importers.base import (
    MONEY_METRICS,
    CampaignState,
    FactRow,
    ParsedExport,
    Platform,
    Problem,
    UnrecognisedFile,
)
from reporting.importers.reading import Limits, Table, read_table

__all__ = [
    "MONEY_METRICS",
    "CampaignState",
    "FactRow",
    "Limits",
    "ParsedExport",
    "Platform",
    "Problem",
    "UnrecognisedFile",
    "detect_platform",
    "parse_export",
]

# Most specific first: a GA4 file starts with "#" lines, LinkedIn with its report title, Meta has
# "Reporting starts"; Google's "Campaign" + "Impr."/"Cost" header is the loosest test.
PLATFORMS = (
    (Platform.GA4, ga4),
    (Platform.LINKEDIN, linkedin),
    (Platform.META_ADS, meta_ads),
    (Platform.GOOGLE_ADS, google_ads),
)


def _first_lines(table: Table, count: int = 5) -> str:
    lines = [", ".join(c for c in row)[:160] for row in table.cells[:count]]
    return "\n".join(lines)


def detect_platform(table: Table, mappings: list[dict[str, Any]] | None = None) -> tuple[str, Any]:
    """The platform (and, for a generic file, the saved mapping) whose layout this table has."""
    for platform, module in PLATFORMS:
        if module.detect(table):
            return platform, None
    for mapping in mappings or []:
        if generic.detect(table, mapping):
            return Platform.GENERIC, mapping
    expected = ", ".join(Platform.LABELS.values())
    raise UnrecognisedFile(
        f"This is not a file we recognise; expected one of: {expected}. "
        f"The first lines were:\n{_first_lines(table)}"
    )


def parse_export(
    data: bytes,
    *,
    limits: Limits | None = None,
    mappings: list[dict[str, Any]] | None = None,
    default_currency: str = "",
) -> ParsedExport:
    """Read any supported export: UnrecognisedFile when the bytes are refused or the layout is unknown."""
    table = read_table(data, limits=limits or Limits())
    platform, mapping = detect_platform(table, mappings)
    if platform == Platform.GENERIC:
        parsed = generic.parse(table, mapping=mapping, default_currency=default_currency)
        parsed.mapping_index = (mappings or []).index(mapping)
        return parsed
    module = dict(PLATFORMS)[platform]
    return module.parse(table, default_currency=default_currency)
