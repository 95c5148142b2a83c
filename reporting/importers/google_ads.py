"""Google Ads reports: campaign / day and ad / asset level, English or German, CSV, "Excel CSV" or .xlsx.

Layout: a title line ("Campaign report"), a date-range line, the header, daily rows, then
"Total: …" (German "Gesamt: …") rows. "--" is empty; numbers are quoted and comma-grouped
("1,234.56") or, in German, "1.234,56". The "Excel CSV" download is UTF-16 with tabs.
"""

from __future__ import annotations

from reporting.importers.base import ParsedExport, Platform
from reporting.importers.reading import Table
from reporting.importers.tabular import Column, Header, RowOptions, find_header, read_rows, starts_with_any
from reporting.importers.values import parse_date_range

COLUMNS = (
    Column("date", aliases=("day", "tag", "date", "datum", "jour")),
    Column("campaign", aliases=("campaign", "kampagne", "campagne")),
    Column("breakdown", "ad_set", aliases=("ad group", "anzeigengruppe", "groupe d'annonces")),
    Column("breakdown", "ad", aliases=("ad", "ad name", "anzeige", "annonce")),
    Column("breakdown", "asset", aliases=("asset", "asset text", "text des assets")),
    Column("status", aliases=("campaign status", "kampagnenstatus", "état de la campagne")),
    Column("budget", aliases=("budget", "daily budget", "tagesbudget")),
    Column("currency", aliases=("currency code", "currency", "währungscode", "währung", "code de la devise")),
    Column("metric", "impressions", aliases=("impr.", "impressions", "impressionen")),
    Column("metric", "clicks", aliases=("clicks", "klicks", "clics")),
    Column("metric", "spend", aliases=("cost", "kosten", "coût")),
    Column("metric", "conversions", aliases=("conversions", "conv.")),
    Column(
        "metric",
        "conversion_value",
        aliases=("conv. value", "conversion value", "conv.-wert", "valeur de conv."),
    ),
    Column("metric", "video_views", aliases=("video views", "videoaufrufe")),
)
GERMAN = frozenset({"tag", "kampagne", "kosten", "klicks", "impressionen", "währungscode", "anzeigengruppe"})
TITLES = ("campaign report", "ad report", "asset report", "kampagnenbericht", "anzeigenbericht", "bericht")


def header(table: Table) -> Header | None:
    found = find_header(table.cells, COLUMNS, required={"campaign"}, localized_aliases=GERMAN)
    if found is None:
        return None
    names = {c.name for c in found.columns.values()}
    # "Impr.", "Cost" or "Currency code" tell a Google table from others with a "Campaign" column.
    if not ({"impressions", "spend"} & names) or found.has("date_end"):
        return None
    return found


def detect(table: Table) -> bool:
    return header(table) is not None


def parse(table: Table, *, default_currency: str = "") -> ParsedExport:
    found = header(table)
    assert found is not None
    is_ad_level = found.has("breakdown")
    result = ParsedExport(Platform.GOOGLE_ADS, "ad" if is_ad_level else "campaign_day")
    for row in table.cells[: found.index]:
        text = " ".join(c for c in row if c)
        period = parse_date_range(text, day_first=found.localized)
        if period:
            result.period_start, result.period_end = period
    decimal_comma = found.localized or table.delimiter == ";"
    options = RowOptions(
        platform=Platform.GOOGLE_ADS,
        layout=result.layout,
        decimal_comma=decimal_comma,
        day_first=found.localized,
        default_currency=default_currency,
        is_total=starts_with_any(("total", "gesamt", "totaux")),
    )
    return read_rows(table.cells, found, options, result).finish()
