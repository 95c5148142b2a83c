"""The business calendar of an agency: its working week, its country's holidays and its closures."""

from __future__ import annotations

import functools
import zoneinfo
from datetime import date

import holidays
from django.utils import timezone

from agencyops.models import Agency
from projects import scheduling
from projects.models import AgencyClosure

# The holidays package treats GB as a whole (no Easter Monday, as in Scotland); most GB agencies are English.
DEFAULT_SUBDIVISIONS = {"GB": "ENG"}


def agency_today(agency: Agency) -> date:
    """Today's date where the agency works."""
    return timezone.now().astimezone(zoneinfo.ZoneInfo(agency.time_zone)).date()


def calendar_years(around: date) -> range:
    """The years a calendar built around a date covers: two before it to two after it."""
    return range(around.year - 2, around.year + 3)


def agency_calendar(agency: Agency, *, around: date | None = None) -> scheduling.BusinessCalendar:
    """The agency's calendar covering the years around a date (one query for its closures)."""
    around = around or agency_today(agency)
    years = calendar_years(around)
    closures = AgencyClosure.objects.filter(
        agency=agency, date__year__gte=years.start, date__year__lt=years.stop
    )
    return calendar_with_closures(
        agency, around=around, closures=frozenset(closures.values_list("date", flat=True))
    )


def calendar_with_closures(
    agency: Agency, *, around: date, closures: frozenset[date]
) -> scheduling.BusinessCalendar:
    """The agency's calendar around a date, from its closures in ``calendar_years(around)`` as a caller
    read them (in a query of its own making), so the calendar costs no query here."""
    country = agency.country.upper()
    return _calendar(
        frozenset(agency.working_weekdays),
        country,
        agency.subdivision or DEFAULT_SUBDIVISIONS.get(country),
        calendar_years(around),
        closures,
    )


@functools.lru_cache(maxsize=256)
def _calendar(
    working_weekdays: frozenset[int],
    country: str,
    subdivision: str | None,
    years: range,
    closures: frozenset[date],
) -> scheduling.BusinessCalendar:
    # A calendar is immutable and keyed here by everything it is made of, so pages asking with the same
    # facts (every request of an agency, most days) share one, with the dates it has already ranked.
    return scheduling.BusinessCalendar(
        working_weekdays=working_weekdays,
        holidays=_public_holidays(country, subdivision, years),
        closures=closures,
    )


@functools.lru_cache(maxsize=64)
def _public_holidays(country: str, subdivision: str | None, years: range) -> frozenset[date]:
    # Building a country's holidays takes milliseconds; pages ask for the same years all day.
    return scheduling.calendar_for(country=country, subdivision=subdivision, years=years).holidays


def is_known_country(country: str) -> bool:
    """Whether public holidays are known for this ISO country code."""
    return country.upper() in holidays.list_supported_countries()
