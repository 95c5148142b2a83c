"""Platform exports in their real layouts, built as bytes for the tests (no files checked in)."""

from __future__ import annotations

import csv
import io
import zipfile


def _csv(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def google_ads_campaign_csv(extra_rows: list[list[str]] | None = None) -> bytes:
    rows = [
        ["Campaign report"],
        ["November 1, 2026 - November 2, 2026"],
        [
            "Day",
            "Campaign",
            "Campaign status",
            "Currency code",
            "Budget",
            "Impr.",
            "Clicks",
            "Cost",
            "Conversions",
        ],
        [
            "2026-11-01",
            "Spring Smile - Search",
            "Enabled",
            "USD",
            "50.00",
            "12,345",
            "678",
            "1,234.56",
            "12.00",
        ],
        ["2026-11-01", "Spring Smile - Brand", "Enabled", "USD", "20.00", "1,000", "100", "99.50", "--"],
        ["2026-11-02", "Spring Smile - Search", "Paused", "USD", "75.00", "2,000", "50", "45.00", "1.00"],
        *(extra_rows or []),
        ["Total: Account", "--", "--", "USD", "--", "15,345", "828", "1,379.06", "13.00"],
        ["Total: Campaigns", "--", "--", "USD", "--", "15,345", "828", "1,379.06", "13.00"],
    ]
    return _csv(rows).encode("utf-8")


def google_ads_german_excel_csv(bad_cost: str | None = None) -> bytes:
    """The "Excel CSV" download: UTF-16 (with BOM), tab-separated, German headers and decimal comma."""
    rows = [
        ["Kampagnenbericht"],
        ["1. November 2026 - 30. November 2026"],
        ["Tag", "Kampagne", "Kampagnenstatus", "Währungscode", "Impr.", "Klicks", "Kosten", "Conversions"],
        ["2026-11-01", "Frühling Lächeln", "Aktiviert", "EUR", "1.234", "56", "1.234,56", "3,5"],
        ["2026-11-02", "Frühling Lächeln", "Aktiviert", "EUR", "800", "40", bad_cost or "10,44", "0"],
        ["Gesamt: Konto", "--", "--", "EUR", "2.034", "96", "1.245,00", "3,5"],
    ]
    return _csv(rows, "\t").encode("utf-16")


def google_ads_asset_csv() -> bytes:
    rows = [
        ["Asset report"],
        ["November 1, 2026 - November 1, 2026"],
        ["Day", "Campaign", "Ad group", "Asset", "Currency code", "Impr.", "Clicks", "Cost", "Conversions"],
        [
            "2026-11-01",
            "Spring Smile - Search",
            "Whitening",
            "Smile brighter in one visit",
            "USD",
            "5,000",
            "300",
            "400.00",
            "6",
        ],
        [
            "2026-11-01",
            "Spring Smile - Search",
            "Whitening",
            '=HYPERLINK("http://x")',
            "USD",
            "100",
            "1",
            "2.00",
            "0",
        ],
        ["Total: Account", "--", "--", "--", "USD", "5,100", "301", "402.00", "6"],
    ]
    return _csv(rows).encode("utf-8")


META_HEADER = [
    "Reporting starts",
    "Reporting ends",
    "Campaign name",
    "Campaign delivery",
    "Results",
    "Result indicator",
    "Reach",
    "Impressions",
    "Cost per result",
    "Amount spent (USD)",
    "Link clicks",
]


def meta_campaign_csv() -> bytes:
    """UTF-8 with a BOM, a summary row first (no campaign name), daily rows, results with their indicator."""
    rows = [
        META_HEADER,
        ["2026-11-01", "2026-11-02", "", "", "", "", "5000", "9000", "", "300.00", "240"],
        [
            "2026-11-01",
            "2026-11-01",
            "Spring Smile - Leads",
            "active",
            "20",
            "actions:offsite_conversion.fb_pixel_lead",
            "2000",
            "4000",
            "7.50",
            "150.00",
            "100",
        ],
        [
            "2026-11-02",
            "2026-11-02",
            "Spring Smile - Leads",
            "active",
            "14",
            "actions:offsite_conversion.fb_pixel_lead",
            "1800",
            "3000",
            "7.14",
            "100.00",
            "90",
        ],
        [
            "2026-11-02",
            "2026-11-02",
            "Spring Smile - Reach",
            "inactive",
            "1200",
            "reach",
            "1200",
            "2000",
            "0.04",
            "50.00",
            "50",
        ],
    ]
    return ("\ufeff" + _csv(rows)).encode("utf-8")


def meta_localized_csv() -> bytes:
    """German Ads Manager: ";" separated, "1 234,56" numbers, currency inside the spend header."""
    rows = [
        [
            "Berichtsbeginn",
            "Berichtsende",
            "Kampagnenname",
            "Anzeigengruppenname",
            "Ergebnisse",
            "Ergebnisindikator",
            "Reichweite",
            "Impressionen",
            "Ausgegebener Betrag (EUR)",
        ],
        ["2026-11-01", "2026-11-01", "", "", "", "", "12 000", "20 000", "1 234,56"],
        [
            "2026-11-01",
            "2026-11-01",
            "Herbst Leads",
            "Zahnärzte 30+",
            "12",
            "actions:lead",
            "12 000",
            "20 000",
            "1 234,56",
        ],
    ]
    return ("\ufeff" + _csv(rows, ";")).encode("utf-8")


def linkedin_csv(total_row: bool = True) -> bytes:
    rows = [
        ["Campaign Performance Report (in UTC)"],
        ["Report Start: 11/1/2026, Report End: 11/30/2026"],
        ["Account: Acme Dental (508123456)"],
        [],
        [
            "Start Date (in UTC)",
            "Campaign Name",
            "Campaign Group Name",
            "Campaign Status",
            "Currency",
            "Daily Budget",
            "Total Spent",
            "Impressions",
            "Clicks",
            "Leads",
            "Conversions",
        ],
        [
            "11/1/2026",
            "Practice Managers - Lead Gen",
            "Q4",
            "ACTIVE",
            "USD",
            "100",
            "95.20",
            "4300",
            "31",
            "4",
            "1",
        ],
        [
            "11/2/2026",
            "Practice Managers - Lead Gen",
            "Q4",
            "ACTIVE",
            "USD",
            "150",
            "140.00",
            "5000",
            "45",
            "6",
            "2",
        ],
        [
            "11/12/2026",
            "Practice Managers - Lead Gen",
            "Q4",
            "ACTIVE",
            "USD",
            "150",
            "100.00",
            "2000",
            "20",
            "2",
            "0",
        ],
    ]
    if total_row:
        rows.append(["Total", "", "", "", "USD", "", "335.20", "11300", "96", "12", "3"])
    return _csv(rows).encode("utf-8")


def ga4_traffic_csv(conversions_header: str = "Key events") -> bytes:
    lines = [
        "# ----------------------------------------",
        "# Traffic acquisition: Session primary channel group (Default Channel Group)",
        "# Account: Acme Dental",
        "# Property: Acme Dental Website",
        "# ----------------------------------------",
        "#",
        "# Start date: 20261101",
        "# End date: 20261130",
    ]
    rows = [
        [
            "Session primary channel group (Default Channel Group)",
            "Sessions",
            "Engaged sessions",
            "Engagement rate",
            conversions_header,
            "Total revenue",
        ],
        ["Organic Search", "1200", "800", "0.6666666667", "30", "1500.5"],
        ["Paid Social", "900", "", "0.5", "12", "0"],
        ["Direct", "300", "200", "0.6666666667", "3", "0"],
    ]
    return ("\n".join(lines) + "\n" + _csv(rows)).encode("utf-8")


def ga4_landing_page_csv() -> bytes:
    lines = ["# Landing page", "# Start date: 20261101", "# End date: 20261101"]
    rows = [
        [
            "Date",
            "Landing page + query string",
            "Sessions",
            "Engaged sessions",
            "Key events",
            "Total revenue",
        ],
        ["20261101", "/spring-smile", "400", "300", "20", "0"],
        ["20261101", "/", "100", "50", "1", "0"],
    ]
    text = "\n".join(lines) + "\n" + _csv(rows) + "\n# ----\n# Second table\nDate,Sessions\n20261101,999\n"
    return text.encode("utf-8")


def xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A small archive that unpacks into a very large part."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    return out.getvalue()
