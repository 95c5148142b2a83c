"""The importers on exports in each platform's real layout (generated as bytes): rows, totals, problems."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest

from reporting.importers import Limits, Platform, UnrecognisedFile, parse_export
from reporting.importers.values import parse_date, parse_number, spreadsheet_safe
from tests.reporting import exports

D = Decimal
NOV1, NOV2, NOV30 = dt.date(2026, 11, 1), dt.date(2026, 11, 2), dt.date(2026, 11, 30)


def test_google_ads_campaign_report_skips_title_and_total_rows_and_reads_grouped_numbers():
    parsed = parse_export(exports.google_ads_campaign_csv())
    assert (parsed.platform, parsed.layout) == (Platform.GOOGLE_ADS, "campaign_day")
    assert (parsed.period_start, parsed.period_end) == (NOV1, NOV2)
    assert parsed.totals() == {
        ("clicks", ""): D(828),
        ("conversions", ""): D(13),
        ("impressions", ""): D(15345),
        ("spend", "USD"): D("1379.06"),
    }
    assert parsed.campaign_names == ["Spring Smile - Brand", "Spring Smile - Search"]
    assert parsed.problems == []
    # "--" is empty, not zero: the brand campaign has no conversions row at all.
    assert not [
        r for r in parsed.rows if r.campaign_name == "Spring Smile - Brand" and r.metric == "conversions"
    ]


def test_google_ads_report_carries_each_days_budget_and_status_for_change_detection():
    parsed = parse_export(exports.google_ads_campaign_csv())
    search = [s for s in parsed.states if s.campaign_name == "Spring Smile - Search"]
    assert [(s.date, s.status, s.daily_budget) for s in search] == [
        (NOV1, "enabled", D(50)),
        (NOV2, "paused", D(75)),
    ]


def test_google_ads_german_excel_csv_is_utf16_with_tabs_and_decimal_commas():
    parsed = parse_export(exports.google_ads_german_excel_csv())
    assert parsed.platform == Platform.GOOGLE_ADS
    assert (parsed.period_start, parsed.period_end) == (NOV1, NOV30)
    assert parsed.totals() == {
        ("clicks", ""): D(96),
        ("conversions", ""): D("3.5"),
        ("impressions", ""): D(2034),
        ("spend", "EUR"): D("1245.00"),
    }
    assert parsed.campaign_names == ["Frühling Lächeln"]


def test_a_bad_number_is_reported_with_its_row_and_header_and_the_row_is_left_out():
    parsed = parse_export(exports.google_ads_german_excel_csv(bad_cost="n/a"))
    assert [str(p) for p in parsed.problems] == ["row 5: 'Kosten' is not a number: 'n/a'"]
    assert {r.date for r in parsed.rows} == {NOV1}


def test_google_ads_asset_report_keeps_assets_and_formula_looking_names_as_text():
    parsed = parse_export(exports.google_ads_asset_csv())
    assert parsed.layout == "ad"
    assets = {r.breakdown_value for r in parsed.rows}
    assert assets == {"Smile brighter in one visit", '=HYPERLINK("http://x")'}
    assert {r.breakdown for r in parsed.rows} == {"asset"}
    assert parsed.totals()[("spend", "USD")] == D("402.00")
    assert spreadsheet_safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'


def test_meta_export_with_bom_skips_the_summary_row_and_reads_currency_from_the_header():
    parsed = parse_export(exports.meta_campaign_csv())
    assert (parsed.platform, parsed.layout) == (Platform.META_ADS, "campaign")
    assert parsed.totals() == {
        ("clicks", ""): D(240),
        ("impressions", ""): D(9000),
        ("leads", ""): D(34),
        ("reach", ""): D(5000),
        ("spend", "USD"): D("300.00"),
    }
    assert (parsed.period_start, parsed.period_end) == (NOV1, NOV2)
    # The reach campaign's "Results" are its reach, which has its own column: counted once.
    assert parsed.totals_by_campaign()["Spring Smile - Reach"][("reach", "")] == D(1200)


def test_meta_localized_export_with_semicolons_and_spaced_thousands():
    parsed = parse_export(exports.meta_localized_csv())
    assert parsed.layout == "ad_set"
    assert parsed.totals() == {
        ("impressions", ""): D(20000),
        ("leads", ""): D(12),
        ("reach", ""): D(12000),
        ("spend", "EUR"): D("1234.56"),
    }
    assert {r.breakdown_value for r in parsed.rows} == {"Zahnärzte 30+"}


def test_linkedin_export_reads_its_header_block_us_dates_and_skips_the_total_row():
    parsed = parse_export(exports.linkedin_csv())
    assert parsed.platform == Platform.LINKEDIN
    assert (parsed.period_start, parsed.period_end) == (NOV1, NOV30)
    assert parsed.account == "Acme Dental (508123456)"
    assert parsed.totals() == {
        ("clicks", ""): D(96),
        ("conversions", ""): D(3),
        ("impressions", ""): D(11300),
        ("leads", ""): D(12),
        ("spend", "USD"): D("335.20"),
    }
    assert {r.date for r in parsed.rows} == {NOV1, NOV2, dt.date(2026, 11, 12)}
    assert [s.daily_budget for s in parsed.states] == [D(100), D(150), D(150)]


def test_ga4_traffic_acquisition_reads_comment_dates_and_derives_engaged_sessions_from_the_rate():
    parsed = parse_export(exports.ga4_traffic_csv(), default_currency="USD")
    assert (parsed.platform, parsed.layout) == (Platform.GA4, "traffic_acquisition")
    assert (parsed.period_start, parsed.period_end) == (NOV1, NOV30)
    assert parsed.totals() == {
        ("engaged_sessions", ""): D(1450),
        ("key_events", ""): D(45),
        ("revenue", "USD"): D("1500.5"),
        ("sessions", ""): D(2400),
    }
    assert {r.breakdown_value for r in parsed.rows} == {"Organic Search", "Paid Social", "Direct"}
    assert {r.date for r in parsed.rows} == {NOV1}
    assert parsed.notes and "no 'Date' column" in parsed.notes[0]


def test_older_ga4_exports_name_key_events_conversions():
    parsed = parse_export(exports.ga4_traffic_csv(conversions_header="Conversions"), default_currency="USD")
    assert parsed.totals()[("key_events", "")] == D(45)


def test_ga4_revenue_without_a_currency_is_a_problem_not_a_guess():
    parsed = parse_export(exports.ga4_traffic_csv())
    assert parsed.rows == []
    assert "no currency" in str(parsed.problems[0])


def test_ga4_landing_page_export_stops_at_the_next_table():
    parsed = parse_export(exports.ga4_landing_page_csv(), default_currency="USD")
    assert parsed.layout == "landing_page"
    assert parsed.totals()[("sessions", "")] == D(500)
    assert {r.breakdown_value for r in parsed.rows} == {"/spring-smile", "/"}


def test_generic_csv_is_read_through_the_clients_saved_mapping():
    data = (
        "Created;Campaign;Form fills;Booked calls\n03.11.2026;Spring Smile;4;1\n04.11.2026;Spring Smile;2;0\n"
    )
    mapping = {
        "date": "Created",
        "campaign": "Campaign",
        "day_first": True,
        "metrics": {"Form fills": "form_fills", "Booked calls": "booked_calls"},
    }
    with pytest.raises(UnrecognisedFile):
        parse_export(data.encode())
    parsed = parse_export(data.encode(), mappings=[mapping])
    assert parsed.platform == Platform.GENERIC
    assert parsed.totals() == {("booked_calls", ""): D(1), ("form_fills", ""): D(6)}
    assert parsed.period_start == dt.date(2026, 11, 3)


def test_xlsx_export_is_read_like_its_csv_and_formulas_stay_text():
    rows = [
        ["Campaign report"],
        ["November 1, 2026 - November 1, 2026"],
        ["Day", "Campaign", "Currency code", "Impr.", "Clicks", "Cost"],
        [dt.datetime(2026, 11, 1), "Spring Smile - Search", "USD", 12345, 678, 1234.56],
        ["2026-11-01", "=1+1", "USD", 10, 1, "=A1*2"],
        ["Total: Account", "--", "USD", 12345, 678, 1234.56],
    ]
    parsed = parse_export(exports.xlsx(rows))
    assert parsed.platform == Platform.GOOGLE_ADS
    assert parsed.totals() == {
        ("clicks", ""): D(678),
        ("impressions", ""): D(12345),
        ("spend", "USD"): D("1234.56"),
    }
    assert [str(p) for p in parsed.problems] == ["row 5: 'Cost' is a formula, not a number: '=A1*2'"]


def test_unknown_layout_names_what_was_expected_and_the_first_lines_seen():
    with pytest.raises(UnrecognisedFile) as caught:
        parse_export(b"Name,Email\nBob,bob@example.test\n")
    message = str(caught.value)
    assert message.startswith("This is not a file we recognise; expected one of: Google Ads")
    assert "Name, Email" in message


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x00\x01\x02\x03binary", "neither text nor a valid .xlsx"),
        (b"PK\x03\x04 not really a zip", "neither text nor a valid .xlsx"),
        (exports.zip_bomb(), "compressed suspiciously"),
        (b"x" * 2000, "at most 1 KB"),
        (b"   ", "empty"),
    ],
)
def test_bad_bytes_are_refused_before_parsing(data, reason):
    with pytest.raises(UnrecognisedFile, match=reason):
        parse_export(data, limits=Limits(max_bytes=1024 * 1024 if len(data) != 2000 else 1024))


def test_an_archive_with_too_many_parts_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(30):
            archive.writestr(f"xl/part{i}.xml", "<x/>")
    with pytest.raises(UnrecognisedFile, match="30 parts"):
        parse_export(out.getvalue(), limits=Limits(max_archive_entries=20))


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("1,234.56", False, D("1234.56")),
        ("1.234,56", True, D("1234.56")),
        ("1 234,56", True, D("1234.56")),
        ("1\u202f234,56", True, D("1234.56")),
        ("1.234", True, D(1234)),
        ("12,5", False, D("12.5")),
        ("64.5%", False, D("0.645")),
        ("US$1,000.00", False, D(1000)),
        ("-12.5", False, D("-12.5")),
        ("--", False, None),
        ("", False, None),
    ],
)
def test_numbers_in_each_locale(text, decimal_comma, expected):
    assert parse_number(text, decimal_comma=decimal_comma) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-01", NOV1),
        ("20261101", NOV1),
        ("11/1/2026", NOV1),
        ("01.11.2026", NOV1),
        ("Nov 1, 2026", NOV1),
        ("1. November 2026", NOV1),
        ("1 nov. 2026", NOV1),
    ],
)
def test_dates_in_each_spelling(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "make",
    [
        exports.google_ads_campaign_csv,
        exports.google_ads_german_excel_csv,
        exports.meta_campaign_csv,
        exports.meta_localized_csv,
        exports.linkedin_csv,
        exports.ga4_traffic_csv,
        lambda: exports.xlsx(
            [
                ["Campaign report"],
                ["Day", "Campaign", "Currency code", "Impr.", "Cost"],
                ["2026-11-01", "A", "USD", 1, 2],
            ]
        ),
    ],
)
def test_damaged_exports_are_read_or_refused_never_crash(make):
    """Cut short, bytes flipped, lines dropped: the answer is rows with problems or a clear refusal."""
    import random

    original = make()
    rng = random.Random(len(original))
    for attempt in range(60):
        data = bytearray(original)
        if attempt % 3 == 0:
            data = data[: rng.randrange(1, len(data))]
        else:
            for _ in range(rng.randrange(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            parsed = parse_export(bytes(data), default_currency="USD")
        except UnrecognisedFile:
            continue
        assert all(isinstance(p.message, str) for p in parsed.problems)
