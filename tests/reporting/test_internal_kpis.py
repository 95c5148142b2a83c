"""Internal KPIs: delivery pace, launch speed, report preparation, profitability; business hours; staff only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse
from django_scopes import scope

from projects.models import Task
from projects.scheduling import calendar_for
from projects.services.tasks import task_update_status
from projects.services.time_entries import (
    member_cost_rate_set,
    project_retainer_terms_set,
    task_category_set,
    time_entry_log,
)
from reporting import internal_kpis
from tests import factories
from tests.reporting import story

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def test_business_hours_count_only_working_hours_on_business_days():
    calendar = calendar_for(country="GB", years=range(2026, 2027))
    friday_4pm = dt.datetime(2026, 11, 13, 16, tzinfo=LONDON)
    monday_10am = dt.datetime(2026, 11, 16, 10, tzinfo=LONDON)
    assert internal_kpis.business_hours(friday_4pm, monday_10am, calendar, LONDON) == D("2.0")
    assert internal_kpis.business_hours(monday_10am, friday_4pm, calendar, LONDON) == D(0)


def test_a_late_launch_counts_as_late_against_its_first_due_date_with_its_slip_and_launch_speed(team):
    data = story.build(team)
    owner, agency = team["owner"], team["agency"]
    with scope(agency=agency.pk):
        kickoff = Task.objects.get(project=data["project"], key="kickoff")
        launch = Task.objects.get(project=data["project"], key="launch")
        with time_machine.travel(dt.datetime(2026, 10, 21, 10, tzinfo=dt.UTC), tick=False):
            task_update_status(actor=owner, task=kickoff, status="done")
        with time_machine.travel(dt.datetime(2026, 11, 13, 10, tzinfo=dt.UTC), tick=False):
            task_update_status(actor=owner, task=launch, status="done")
        lines = internal_kpis.internal_kpis(agency, month=dt.date(2026, 11, 1))
    by = {(line.scope, line.name): line.figures for line in lines}
    acme = by[("client", "Acme Dental")]
    # First due 10 Nov, done 13 Nov: three business days late, although the plan was moved to 12 Nov.
    assert (acme["late"], acme["avg_slip_days"]) == (1, D("3.0"))
    assert acme["launch_days"] == D("17.0")  # 21 Oct → 13 Nov in business days
    assert by[("agency", agency.name)]["late"] == 1


def test_report_preparation_time_and_retainer_profitability(team):
    owner, agency, client = team["owner"], team["agency"], team["clients"][0]
    designer = team["members"][0]
    project = factories.project_create(
        actor=owner, client=client, template="builtin:monthly-retainer", name="Care"
    )
    with scope(agency=agency.pk):
        project_retainer_terms_set(
            actor=owner, project=project, included_hours=D(20), monthly_fee=D(3000), currency="USD"
        )
        member_cost_rate_set(actor=owner, membership=designer, hourly_cost=D(50), currency="USD")
        task = Task.objects.filter(project=project).order_by("pk").first()
        task_category_set(actor=owner, task=task, category="reporting")
        time_entry_log(actor=designer, task=task, minutes=120, work_date=dt.date(2026, 11, 20))
        time_entry_log(actor=designer, task=task, minutes=30, work_date=dt.date(2026, 10, 20))
        lines = internal_kpis.internal_kpis(agency, month=dt.date(2026, 11, 1))
        (profit,) = internal_kpis.retainer_profitability(agency, month=dt.date(2026, 11, 1))
    by = {(line.scope, line.name): line.figures for line in lines}
    assert by[("person", designer.user.full_name)]["report_prep_hours"] == D("2.0")
    assert (profit.hours, profit.cost, profit.margin) == (D("2.00"), D("100.00"), D("2900.00"))


def test_internal_kpis_are_staff_only_and_profitability_owner_only(team, as_owner, as_member):
    url = reverse("reporting_internal_kpis", args=[team["agency"].slug])
    assert "Retainer profitability" in as_owner.get(url, {"month": "2026-11"}).content.decode()
    member_page = as_member.get(url, {"month": "2026-11"}).content.decode()
    assert "Delivery pace" in member_page and "Retainer profitability" not in member_page
    assert as_owner.get(url, {"month": "November"}).status_code == 400
    contact = HttpClient()
    contact.force_login(team["contacts"][0].user, backend="django.contrib.auth.backends.ModelBackend")
    assert contact.get(url).status_code == 404
