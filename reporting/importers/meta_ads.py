"""Meta Ads Manager exports at campaign, ad set or ad level, English or localized, CSV or .xlsx.

UTF-8 with a BOM; the currency sits inside a header ("Amount spent (USD)"); every row has
"Reporting starts" / "Reporting ends"; the first data row is the account summary with no campaign
name; "Results" mean what "Result indicator" says. Localized downloads use ";" and "1 234,56".
"""

from __future__ import annotations

from reporting.importers.base import ParsedExport, Platform, Problem
from reporting.importers.reading import Table
from reporting.importers.tabular import Column, RowOptions, find_header, read_rows
from reporting.importers.values import parse_date

COLUMNS = (
    Column("date_start", aliases=("reporting starts", "berichtsbeginn", "début des rapports")),
    Column("date_end", aliases=("reporting ends", "berichtsende", "fin des rapports")),
    Column("date", aliases=("day", "tag", "jour")),
    Column("campaign", aliases=("campaign name", "kampagnenname", "nom de la campagne")),
    Column(
        "breakdown",
        "ad_set",
        aliases=("ad set name", "anzeigengruppenname", "nom de l'ensemble de publicités"),
    ),
    Column("breakdown", "ad", aliases=("ad name", "anzeigenname", "nom de la publicité")),
    Column("status", aliases=("campaign delivery", "delivery", "auslieferung", "diffusion")),
    Column("budget", aliases=("campaign budget", "kampagnenbudget", "budget de la campagne")),
    Column("currency", aliases=("currency", "währung", "devise")),
    Column("results", aliases=("results", "ergebnisse", "résultats")),
    Column("result_indicator", aliases=("result indicator", "ergebnisindikator", "indicateur de résultat")),
    Column("metric", "spend", aliases=("amount spent", "ausgegebener betrag", "montant dépensé")),
    Column("metric", "reach", aliases=("reach", "reichweite", "couverture")),
    Column("metric", "impressions", aliases=("impressions", "impressionen")),
    Column("metric", "clicks", aliases=("link clicks", "link-klicks", "clics sur un lien")),
    Column("metric", "leads", aliases=("leads", "leads (form)")),
    Column("metric", "engagements", aliases=("post engagements", "post engagement", "beitragsinteraktionen")),
    Column("metric", "video_plays", aliases=("video plays", "videowiedergaben")),
    Column(
        "metric",
        "video_completions",
        aliases=("video plays at 100%", "videowiedergaben zu 100 %", "lectures de vidéos à 100 %"),
    ),
    Column("metric", "profile_visits", aliases=("instagram profile visits", "instagram-profilaufrufe")),
    Column("metric", "purchases", aliases=("purchases", "käufe", "achats")),
    Column("metric", "conversion_value", aliases=("purchases conversion value", "conversionwert für käufe")),
)
LOCALIZED = frozenset(
    {"berichtsbeginn", "berichtsende", "kampagnenname", "début des rapports", "ausgegebener betrag"}
)


def result_metric(indicator: str) -> str:
    """What a "Results" figure counts, from Meta's result indicator ("actions:offsite_conversion.fb_pixel_lead")."""
    text = indicator.lower()
    if "lead" in text:
        return "leads"
    if "purchase" in text:
        return "purchases"
    if "link_click" in text:
        return "clicks"
    if "thruplay" in text or "video_view" in text:
        return "video_plays"
    if "reach" in text:
        return "reach"
    if "profile_visit" in text:
        return "profile_visits"
    return "results"


def _header(table: Table):
    return find_header(
        table.cells, COLUMNS, required={"date_start"}, localized_aliases=LOCALIZED, search_rows=5
    )


def detect(table: Table) -> bool:
    return _header(table) is not None


def parse(table: Table, *, default_currency: str = "") -> ParsedExport:
    found = _header(table)
    assert found is not None
    layout = (
        "ad" if found.has("breakdown", "ad") else "ad_set" if found.has("breakdown", "ad_set") else "campaign"
    )
    result = ParsedExport(Platform.META_ADS, layout)
    decimal_comma = found.localized or table.delimiter == ";"
    start_col = next(i for i, c in found.columns.items() if c.kind == "date_start")
    end_col = next((i for i, c in found.columns.items() if c.kind == "date_end"), start_col)
    if not found.has("campaign"):
        result.problems.append(
            Problem(None, "The export has no 'Campaign name' column; add it in Ads Manager and export again.")
        )
        return result
    # Without a "Day" breakdown each row covers the reporting period: it is stored on its first day.
    if not found.has("date"):
        found.columns[start_col] = Column("date", aliases=())
        spans = set()
        for row in table.cells[found.index + 1 :]:
            if len(row) > end_col and row[start_col] and row[end_col] and row[start_col] != row[end_col]:
                spans.add((row[start_col], row[end_col]))
        if spans:
            start, end = sorted(spans)[0]
            try:
                result.period_start = parse_date(start)
                result.period_end = parse_date(end)
            except ValueError:
                pass
            result.notes.append(
                f"The rows cover {start} to {end}, not single days: they are stored on {start}. "
                "Export with the breakdown by day for daily figures."
            )
    options = RowOptions(
        platform=Platform.META_ADS,
        layout=layout,
        decimal_comma=decimal_comma,
        day_first=found.localized,
        default_currency=default_currency,
        result_metric=result_metric,
    )
    return read_rows(table.cells, found, options, result).finish()
