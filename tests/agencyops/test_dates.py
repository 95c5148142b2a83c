"""The one module for date labels: plain values in, the words people read out."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from agencyops import dates


def test_a_short_date_reads_weekday_day_and_month_and_adds_the_year_outside_this_one():
    assert dates.short_date(date(2026, 12, 1)) == "Tue 1 Dec"
    assert dates.short_date(date(2027, 1, 4), with_year=True) == "Mon 4 Jan 2027"
    assert dates.short_date_in(date(2026, 5, 12), this_year=2026) == "Tue 12 May"
    assert dates.short_date_in(date(2027, 5, 12), this_year=2026) == "Wed 12 May 2027"
    assert dates.day_month(date(2026, 2, 28)) == "28 Feb"


def test_a_moment_reads_like_a_person_says_it():
    assert dates.moment_label(datetime(2026, 5, 14, 15, 0)) == "Thu 14 May, 3 pm"
    assert dates.moment_label(datetime(2026, 5, 14, 9, 30)) == "Thu 14 May, 9:30 am"
    assert dates.moment_label(datetime(2026, 5, 14, 0, 5)) == "Thu 14 May, 12:05 am"
    assert dates.moment_label(datetime(2026, 5, 14, 12, 0)) == "Thu 14 May, 12 pm"


@pytest.mark.parametrize(
    ("days", "label"),
    [(0, "today"), (1, "in 1 business day"), (3, "in 3 business days"), (-2, "2 business days ago")],
)
def test_a_business_day_count_becomes_a_relative_label(days, label):
    assert dates.in_business_days(days) == label


def test_small_counts_are_spelled_out_in_business_day_phrases():
    assert dates.business_days_label(1) == "one business day"
    assert dates.business_days_label(2) == "two business days"
    assert dates.business_days_label(12) == "12 business days"
    assert [dates.weekday_abbr(n) for n in (0, 6)] == ["Mon", "Sun"]
    assert dates.weekday_name(date(2026, 12, 2)) == "Wednesday"
