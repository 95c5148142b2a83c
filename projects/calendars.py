"""The business calendar of an agency: its working week, its country's holidays and its closures."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date

import holidays
from django.db.models import QuerySet

from agencyops.models import Agency
from agencyops.planned_sql import planned_cursor
from projects import scheduling
from projects.models import AgencyClosure

# The holidays package treats GB as a whole (no Easter Monday, as in Scotland); most GB agencies are English.
DEFAULT_SUBDIVISIONS = {"GB": "ENG"}


def agency_today(agency: Agency) -> date:
    """Today's date where the agency works."""
    return agency.today()


# The agency's closures in a span of years: read by every page that counts business days, written once
# (the ORM compiled it again on each view, at several times the cost of running it). The scan reads the
# same rows through ``agency_closures``, batched with its other reads.
CLOSURES_SQL = """
SELECT c.date FROM projects_agencyclosure c WHERE c.agency_id = %s AND c.date >= %s AND c.date < %s
"""


def agency_calendar(
    agency: Agency, *, around: date | None = None, closures: Iterable[date] | None = None
) -> scheduling.BusinessCalendar:
    """The agency's calendar covering the years around a date: one query for its closures, unless the
    caller read them already (``agency_closures``, or in a query of its own making over
    ``calendar_years(around)``)."""
    around = around or agency_today(agency)
    if closures is None:
        years = calendar_years(around)
        with planned_cursor() as cursor:
            cursor.execute(CLOSURES_SQL, [agency.pk, date(years.start, 1, 1), date(years.stop, 1, 1)])
            closures = [day for (day,) in cursor.fetchall()]
    country = agency.country.upper()
    return _calendar(
        frozenset(agency.working_weekdays),
        country,
        agency.subdivision or DEFAULT_SUBDIVISIONS.get(country),
        calendar_years(around),
        frozenset(closures),
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


def calendar_years(around: date) -> range:
    """The years an agency's calendar covers around a date."""
    return range(around.year - 2, around.year + 3)


def agency_closures(agency: Agency, years: range) -> QuerySet:
    """The dates the agency is closed in these years, as a flat values_list queryset."""
    return AgencyClosure.objects.filter(
        agency=agency, date__year__gte=years.start, date__year__lt=years.stop
    ).values_list("date", flat=True)


@functools.lru_cache(maxsize=64)
def _public_holidays(country: str, subdivision: str | None, years: range) -> frozenset[date]:
    # Building a country's holidays takes milliseconds; pages ask for the same years all day.
    return scheduling.calendar_for(country=country, subdivision=subdivision, years=years).holidays


def is_known_country(country: str) -> bool:
    """Whether public holidays are known for this ISO country code."""
    return country.upper() in holidays.list_supported_countries()
