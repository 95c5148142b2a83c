"""Time logged against tasks: minutes and timers, edits with history, roll-ups and retainer months."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import ProgrammingError, transaction
from django_scopes import scope

from projects import time_selectors
from projects.models import TaskCategory, TimeEntryAction, TimeEntryRevision
from projects.services import time_entries as time
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(team):
    owner = team["owner"]
    project = factories.project_create(actor=owner, client=team["clients"][0], name="Monthly retainer")
    other = factories.project_create(actor=owner, client=team["clients"][1], name="Holiday emails")
    with scope(agency=team["agency"].pk):
        tasks = list(project.tasks.order_by("pk")[:2]) + [other.tasks.order_by("pk").first()]
    return {"project": project, "other": other, "tasks": tasks, **team}


def test_a_designer_logs_minutes_and_the_retainer_month_shows_hours_used(work):
    designer = work["members"][1]
    project = work["project"]
    with scope(agency=work["agency"].pk):
        time.project_retainer_terms_set(
            actor=work["owner"],
            project=project,
            included_hours=Decimal(10),
            monthly_fee=Decimal(1500),
            currency="usd",
        )
        time.time_entry_log(
            actor=designer,
            task=work["tasks"][0],
            minutes=90,
            work_date=dt.date(2026, 11, 3),
            note="Hero banner",
        )
        time.time_entry_log(
            actor=designer, task=work["tasks"][1], minutes=150, work_date=dt.date(2026, 11, 20)
        )
        time.time_entry_log(
            actor=designer, task=work["tasks"][1], minutes=60, work_date=dt.date(2026, 10, 30)
        )
        project.refresh_from_db()
        months = time_selectors.retainer_months(
            project, first=dt.date(2026, 10, 1), last=dt.date(2026, 11, 30)
        )
    assert [(m.month, m.hours_used) for m in months] == [
        (dt.date(2026, 10, 1), Decimal(1)),
        (dt.date(2026, 11, 1), Decimal(4)),
    ]
    november = months[1]
    assert november.hours_left == Decimal(6)
    assert november.effective_hourly_rate == Decimal("375.00")
    assert november.currency == "USD"


def test_a_timer_counts_the_minutes_between_start_and_stop_and_only_one_runs_at_a_time(work):
    writer = work["members"][2]
    with scope(agency=work["agency"].pk):
        with time_machine.travel(dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC), tick=False):
            first = time.time_timer_start(actor=writer, task=work["tasks"][0])
        with time_machine.travel(dt.datetime(2026, 11, 3, 9, 25, 10, tzinfo=dt.UTC), tick=False):
            second = time.time_timer_start(actor=writer, task=work["tasks"][1])
        first.refresh_from_db()
        assert (first.minutes, first.is_running) == (26, False)
        assert time_selectors.running_timer_for(writer) == second
        with time_machine.travel(dt.datetime(2026, 11, 3, 10, 0, tzinfo=dt.UTC), tick=False):
            stopped = time.time_timer_stop(actor=writer, entry=second)
        assert stopped.minutes == 35
        assert time_selectors.running_timer_for(writer) is None


def test_edits_keep_history_and_history_cannot_be_rewritten(work):
    member = work["members"][0]
    with scope(agency=work["agency"].pk):
        entry = time.time_entry_log(
            actor=member, task=work["tasks"][0], minutes=30, work_date=dt.date(2026, 11, 3)
        )
        time.time_entry_edit(
            actor=member, entry=entry, minutes=45, work_date=dt.date(2026, 11, 3), note="Included the call"
        )
        time.time_entry_delete(actor=work["coordinator"], entry=entry)
        history = list(TimeEntryRevision.objects.filter(entry=entry).values_list("action", "minutes"))
        assert history == [
            (TimeEntryAction.LOGGED, 30),
            (TimeEntryAction.EDITED, 45),
            (TimeEntryAction.DELETED, 45),
        ]
        assert (
            time_selectors.time_rollup(
                work["agency"], start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30), by="project"
            )
            == []
        )
        with pytest.raises(ProgrammingError), transaction.atomic():
            TimeEntryRevision.objects.filter(entry=entry).update(minutes=1)


def test_only_the_person_or_a_coordinator_changes_an_entry_and_bad_minutes_are_refused(work):
    a, b = work["members"][0], work["members"][1]
    with scope(agency=work["agency"].pk):
        entry = time.time_entry_log(
            actor=a, task=work["tasks"][0], minutes=30, work_date=dt.date(2026, 11, 3)
        )
        with pytest.raises(ValidationError, match="Only the person"):
            time.time_entry_edit(actor=b, entry=entry, minutes=10, work_date=dt.date(2026, 11, 3), note="")
        with pytest.raises(ValidationError, match="between 1 minute and 24 hours"):
            time.time_entry_log(actor=a, task=work["tasks"][0], minutes=0)
        with pytest.raises(ValidationError, match="today or earlier"):
            time.time_entry_log(actor=a, task=work["tasks"][0], minutes=5, work_date=dt.date(2999, 1, 1))


def test_time_rolls_up_per_project_client_person_and_category(work):
    m1, m2 = work["members"][0], work["members"][1]
    with scope(agency=work["agency"].pk):
        time.task_category_set(
            actor=work["coordinator"], task=work["tasks"][0], category=TaskCategory.REPORTING
        )
        time.time_entry_log(actor=m1, task=work["tasks"][0], minutes=60, work_date=dt.date(2026, 11, 3))
        time.time_entry_log(actor=m2, task=work["tasks"][0], minutes=30, work_date=dt.date(2026, 11, 4))
        time.time_entry_log(actor=m2, task=work["tasks"][2], minutes=120, work_date=dt.date(2026, 11, 4))
        span = {"start": dt.date(2026, 11, 1), "end": dt.date(2026, 11, 30)}
        by_project = {
            r["label"]: r["minutes"] for r in time_selectors.time_rollup(work["agency"], by="project", **span)
        }
        by_client = {
            r["label"]: r["minutes"] for r in time_selectors.time_rollup(work["agency"], by="client", **span)
        }
        by_member = {
            r["key"]: r["minutes"] for r in time_selectors.time_rollup(work["agency"], by="member", **span)
        }
        by_category = {
            r["key"]: r["minutes"] for r in time_selectors.time_rollup(work["agency"], by="category", **span)
        }
    assert by_project == {"Monthly retainer": 90, "Holiday emails": 120}
    assert by_client == {"Acme Dental": 90, "Birch Bakery": 120}
    assert by_member == {m1.pk: 60, m2.pk: 150}
    assert by_category == {"reporting": 90, "": 120}


def test_cost_rates_are_set_by_owners_only_and_price_the_hours(work):
    m1 = work["members"][0]
    with scope(agency=work["agency"].pk):
        with pytest.raises(ValidationError, match="Only owners"):
            time.member_cost_rate_set(
                actor=work["coordinator"], membership=m1, hourly_cost=Decimal(50), currency="USD"
            )
        time.member_cost_rate_set(actor=work["owner"], membership=m1, hourly_cost=Decimal(50), currency="USD")
        time.time_entry_log(actor=m1, task=work["tasks"][0], minutes=90, work_date=dt.date(2026, 11, 3))
        costs = time_selectors.cost_by_project(
            work["agency"], start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30)
        )
    assert costs == [
        {
            "project_id": work["project"].pk,
            "project": "Monthly retainer",
            "currency": "USD",
            "cost": Decimal(75),
        }
    ]
