"""The wording of escalations: how dates, counts, names and titles read inside a sentence.

Pure module, no Django. `projects.risks` decides what is at risk; the functions here only turn
plain values into the sentences a colleague would write, so the wording can be read (and
changed) in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from agencyops import dates

__all__ = [
    "business_days",
    "count_word",
    "day_phrase",
    "full_date",
    "hours_text",
    "is_plural",
    "join_names",
    "mid_sentence",
    "quoted",
    "times",
]


# Past a week, a bare weekday name no longer says which week is meant.
_WEEKDAY_NAME_REACH = 6


def full_date(d: date, *, today: date) -> str:
    """ "Mon 14 Dec", with the year when it is not today's year ("Mon 4 Jan 2027")."""
    return dates.short_date_in(d, this_year=today.year)


def day_phrase(d: date, *, today: date, relative: bool = True) -> str:
    """ "today", "tomorrow"/"yesterday" (when `relative`), a weekday name within six days
    either side, else the full date."""
    offset = (d - today).days
    if offset == 0:
        return "today"
    if relative and offset == 1:
        return "tomorrow"
    if relative and offset == -1:
        return "yesterday"
    if abs(offset) <= _WEEKDAY_NAME_REACH:
        return dates.weekday_name(d)
    return full_date(d, today=today)


def count_word(n: int) -> str:
    """Small counts spelled out ("two"), larger ones in digits ("11")."""
    return dates.count_word(n)


def business_days(n: int) -> str:
    """ "one business day", "two business days", "12 business days"."""
    return dates.business_days_label(n)


def times(n: int) -> str:
    """ "once", "twice", "three times", "11 times"."""
    if n == 1:
        return "once"
    if n == 2:
        return "twice"
    return f"{count_word(n)} times"


def hours_text(hours: float) -> str:
    """Whole hours without decimals ("52"), others to one decimal ("52.5")."""
    rounded = round(hours, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def join_names(names: Sequence[str]) -> str:
    """ "Casey", "Casey and Dana", "Casey, Dana and Lee"."""
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def quoted(title: str) -> str:
    """A title in curly quotes, as the product shows titles inside sentences."""
    return f"\u201c{title.strip()}\u201d"


def mid_sentence(text: str) -> str:
    """Sentence-case text as it reads inside a sentence: "Landing page copy" → "landing page copy".

    Acronyms keep their capitals ("SEO audit", "QA")."""
    text = text.strip()
    if not text or (len(text) > 1 and text[1].isupper()):
        return text
    return text[0].lower() + text[1:]


# Endings of singular nouns that still end in "s" ("access", "status", "analysis", "news").
_SINGULAR_S_ENDINGS = ("ss", "us", "is", "news")


def is_plural(noun_phrase: str) -> bool:
    """Whether a noun phrase such as "Brand photos" takes "were" (a guess from its last word)."""
    words = noun_phrase.strip().split()
    if not words:
        return False
    last = words[-1].lower().strip(".,;:!?)")
    return len(last) > 2 and last.endswith("s") and not last.endswith(_SINGULAR_S_ENDINGS)
