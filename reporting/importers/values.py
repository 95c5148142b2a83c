"""Numbers and dates as the platforms write them, in English and localized exports.

"1,234.56", "1.234,56", "1 234,56", "12.5%", "--" (empty), "US$1,234.00"; "2026-11-01", "20261101",
"11/1/2026", "01.11.2026", "Nov 1, 2026", "1. November 2026".
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

EMPTY_MARKERS = frozenset({"", "--", "-", "—", "–", " --"})
FORMULA_STARTS = ("=", "+", "@", "-")
LARGEST = Decimal(10) ** 14  # what a daily fact can hold; no platform reports a day this big
_PLAIN = re.compile(r"\d{1,15}(\.\d+)?\Z")
_GROUPED_COMMA = re.compile(r"^\d{1,3}(,\d{3})+$")
_GROUPED_DOT = re.compile(r"^\d{1,3}(\.\d{3})+$")
_MONEY_SIGNS = re.compile(r"(US\$|A\$|C\$|CA\$|R\$|[$€£¥₹]|USD|EUR|GBP|CHF)")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


def looks_like_formula(text: str) -> bool:
    """A cell a spreadsheet would run as a formula: stored as text, never evaluated or re-exported raw."""
    if not text or text[0] not in FORMULA_STARTS:
        return False
    if text[0] == "-":
        return not re.match(r"^-\s*[\d.,]", text) and text not in EMPTY_MARKERS
    if text[0] == "+":
        return not re.match(r"^\+\s*[\d.,]", text)
    return True


def spreadsheet_safe(text: str) -> str:
    """Text as it may be written into a CSV or workbook: a leading apostrophe defuses a formula."""
    return "'" + text if looks_like_formula(text) else text


def parse_number(text: str, *, decimal_comma: bool = False) -> Decimal | None:
    """A Decimal, None for an empty cell; ValueError with a reason for anything else."""
    raw = text.strip()
    if _PLAIN.match(raw) and not (
        decimal_comma and "." in raw
    ):  # the common case, "1234" or "12.50": no locale question to answer
        value = Decimal(raw)
        if value >= LARGEST:
            raise ValueError("is too large")
        return value
    if raw in EMPTY_MARKERS:
        return None
    if looks_like_formula(raw):
        raise ValueError("is a formula, not a number")
    cleaned = _SPACES.sub("", _MONEY_SIGNS.sub("", raw))
    percent = cleaned.endswith("%")
    if percent:
        cleaned = cleaned[:-1]
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, cleaned = True, cleaned[1:-1]
    if cleaned.startswith("-"):
        negative, cleaned = not negative, cleaned[1:]
    if "," in cleaned and "." in cleaned:
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        if not decimal_comma and _GROUPED_COMMA.match(cleaned):
            cleaned = cleaned.replace(",", "")
        else:
            cleaned = cleaned.replace(",", ".")
    elif "." in cleaned and decimal_comma and _GROUPED_DOT.match(cleaned):
        cleaned = cleaned.replace(".", "")
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", cleaned):
        raise ValueError("is not a number")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above admits only decimals
        raise ValueError("is not a number") from exc
    if percent:
        value = value / 100
    if value >= LARGEST:
        raise ValueError("is too large")
    return -value if negative else value


MONTHS = {
    # English, German, French, Spanish (full and short forms, lower case, no dots)
    **{
        m: i
        for i, m in enumerate(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
        )
    },
    **{
        m: i
        for i, m in enumerate(
            [
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ],
            1,
        )
    },
    **{
        m: i
        for i, m in enumerate(
            [
                "januar",
                "februar",
                "märz",
                "april",
                "mai",
                "juni",
                "juli",
                "august",
                "september",
                "oktober",
                "november",
                "dezember",
            ],
            1,
        )
    },
    "jän": 1,
    "mär": 3,
    "okt": 10,
    "dez": 12,
    "mrz": 3,
    "sept": 9,
    **{
        m: i
        for i, m in enumerate(
            [
                "janvier",
                "février",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "août",
                "septembre",
                "octobre",
                "novembre",
                "décembre",
            ],
            1,
        )
    },
}


def parse_date(text: str, *, day_first: bool = False) -> dt.date:
    """A date in any of the platforms' spellings; ValueError otherwise.

    Slashed dates are month first (LinkedIn, US exports) unless ``day_first``.
    """
    raw = text.strip().strip('"')
    if not raw:
        raise ValueError("is empty, a date was expected")
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?", raw)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", raw)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{4})/(\d{1,2})/(\d{1,2})", raw)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", raw)
    if m:
        a, b = int(m[1]), int(m[2])
        month, day = (b, a) if day_first else (a, b)
        return dt.date(int(m[3]), month, day)
    m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", raw)
    if m:
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    words = re.findall(r"[^\W\d_]+|\d+", raw.lower())
    numbers = [int(w) for w in words if w.isdigit()]
    months = [MONTHS[w] for w in words if w in MONTHS]
    if len(numbers) == 2 and len(months) == 1:
        day, year = (numbers[0], numbers[1]) if numbers[1] > 31 else (numbers[1], numbers[0])
        return dt.date(year, months[0], day)
    raise ValueError("is not a date")


def parse_date_range(text: str, *, day_first: bool = False) -> tuple[dt.date, dt.date] | None:
    """The period of a line such as "November 1, 2026 - November 30, 2026"; None if it is not one."""
    raw = text.strip().strip('"')
    for separator in (" - ", " – ", " — ", " bis ", " to ", " au "):
        if separator in raw:
            left, right = raw.split(separator, 1)
            try:
                return parse_date(left, day_first=day_first), parse_date(right, day_first=day_first)
            except ValueError:
                return None
    return None
