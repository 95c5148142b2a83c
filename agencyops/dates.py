"""Date labels the product shows people: "Tue 1 Dec", "Tuesday", "in 3 business days".

Pure and English, like the rest of the UI (no locale, so a server's locale never changes a label).
Counting business days is projects.scheduling's job; the labels here take the number it returns.
"""

from __future__ import annotations

from datetime import date, datetime

WEEKDAY_ABBRS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_ABBRS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def weekday_abbr(weekday: int) -> str:
    """0 → "Mon" … 6 → "Sun"."""
    return WEEKDAY_ABBRS[weekday]


def weekday_name(d: date) -> str:
    """ "Tuesday"."""
    return WEEKDAY_NAMES[d.weekday()]


def day_month(d: date, *, with_year: bool = False) -> str:
    """ "1 Dec" (or "1 Dec 2027")."""
    text = f"{d.day} {MONTH_ABBRS[d.month - 1]}"
    return f"{text} {d.year}" if with_year else text


def short_date(d: date, *, with_year: bool = False) -> str:
    """ "Tue 1 Dec" (or "Tue 1 Dec 2027")."""
    return f"{WEEKDAY_ABBRS[d.weekday()]} {day_month(d, with_year=with_year)}"


def short_date_in(d: date, *, this_year: int) -> str:
    """ "Tue 1 Dec" within ``this_year``, "Mon 4 Jan 2027" outside it."""
    return short_date(d, with_year=d.year != this_year)


def moment_label(local: datetime) -> str:
    """ "Thu 14 May, 3 pm" / "Thu 14 May, 3:30 pm" for a datetime already in the agency's time zone."""
    hour = local.hour % 12 or 12
    minutes = "" if local.minute == 0 else f":{local.minute:02d}"
    return f"{short_date(local.date())}, {hour}{minutes} {'am' if local.hour < 12 else 'pm'}"


def count_word(n: int) -> str:
    """Small counts spelled out ("two"), larger ones in digits ("11")."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def business_days_label(n: int) -> str:
    """ "one business day", "two business days", "12 business days"."""
    return f"{count_word(n)} business {'day' if n == 1 else 'days'}"


def in_business_days(n: int) -> str:
    """ "today", "in 3 business days", "2 business days ago" (digits, for lists and badges)."""
    if n == 0:
        return "today"
    unit = "business day" if abs(n) == 1 else "business days"
    return f"in {n} {unit}" if n > 0 else f"{-n} {unit} ago"
