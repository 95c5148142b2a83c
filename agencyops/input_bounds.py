"""The ranges a client-supplied date or count must fall in, so an absurd value is refused, never a crash.

Pure: callers pass today's date in the agency's time zone. Services apply these (pages and the API share
them); API fields declare the same maximums so the OpenAPI schema states them.
"""

from __future__ import annotations

from datetime import date

EARLIEST_DATE = date(2000, 1, 1)
YEARS_AHEAD = 10
# A year of business days: more rework than that is a new project, not a change request.
MAX_REWORK_DAYS = 260
# Pages a PDF version may have (see approvals.files) bound the page a comment may pin.
MAX_PAGE = 1000


def latest_date(today: date) -> date:
    """The furthest date a plan, deadline or decision may name: ten years from today."""
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def date_out_of_range(value: date, *, today: date) -> str | None:
    """The message for a date outside the plausible range, or None when it is inside."""
    latest = latest_date(today)
    if EARLIEST_DATE <= value <= latest:
        return None
    return f"Choose a date between {EARLIEST_DATE:%-d %b %Y} and {latest:%-d %b %Y}."
