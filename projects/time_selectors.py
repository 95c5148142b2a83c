"""Reads of logged time: a task's entries, a member's running timer, roll-ups and retainer months."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import TruncMonth

from agencyops.models import Agency, Membership
from projects.models import Project, Task, TimeEntry

GROUPS = {
    "project": ("project_id", "project__name"),
    "client": ("client_id", "client__name"),
    "member": ("member_id", "member__user__full_name"),
    "category": ("task__category", "task__category"),
}


def live_entries(agency: Agency) -> QuerySet[TimeEntry]:
    """Entries that count: not removed and not a timer still running."""
    return TimeEntry.objects.filter(agency=agency, deleted_at__isnull=True, timer_started_at__isnull=True)


def entries_for_task(task: Task) -> QuerySet[TimeEntry]:
    return (
        TimeEntry.objects.filter(task=task, deleted_at__isnull=True)
        .select_related("member__user")
        .order_by("-work_date", "-created_at")
    )


def entries_for_list(agency: Agency) -> QuerySet[TimeEntry]:
    return (
        TimeEntry.objects.filter(agency=agency, deleted_at__isnull=True)
        .select_related("member__user", "task", "project")
        .order_by("-work_date", "-created_at", "-pk")
    )


def running_timer_for(member: Membership) -> TimeEntry | None:
    return (
        TimeEntry.objects.filter(member=member, timer_started_at__isnull=False, deleted_at__isnull=True)
        .select_related("task")
        .first()
    )


def time_rollup(agency: Agency, *, start: dt.date, end: dt.date, by: str) -> list[dict]:
    """Minutes per project, client, member or task category over a range (one query)."""
    key, label = GROUPS[by]
    rows = (
        live_entries(agency)
        .filter(work_date__range=(start, end))
        .values(key, label)
        .annotate(minutes=Sum("minutes"))
        .order_by(label)
    )
    return [
        {"key": r[key], "label": r[label] or "", "minutes": r["minutes"], "hours": Decimal(r["minutes"]) / 60}
        for r in rows
    ]


@dataclass(frozen=True)
class RetainerMonth:
    month: dt.date
    hours_used: Decimal
    hours_included: Decimal | None
    fee: Decimal | None
    currency: str

    @property
    def hours_left(self) -> Decimal | None:
        return None if self.hours_included is None else self.hours_included - self.hours_used

    @property
    def effective_hourly_rate(self) -> Decimal | None:
        """The fee divided by the hours actually spent: what an hour earned that month."""
        if self.fee is None or not self.hours_used:
            return None
        return (self.fee / self.hours_used).quantize(Decimal("0.01"))


def retainer_months(project: Project, *, first: dt.date, last: dt.date) -> list[RetainerMonth]:
    """Hours used against included, and the effective hourly rate, for each month in the range."""
    used = dict(
        TimeEntry.objects.filter(
            project=project,
            deleted_at__isnull=True,
            timer_started_at__isnull=True,
            work_date__range=(first.replace(day=1), last),
        )
        .annotate(month=TruncMonth("work_date"))
        .values_list("month")
        .annotate(minutes=Sum("minutes"))
        .order_by()
    )
    months = []
    month = first.replace(day=1)
    while month <= last:
        minutes = used.get(month) or used.get(dt.datetime(month.year, month.month, 1)) or 0  # type: ignore[call-overload]
        months.append(
            RetainerMonth(
                month=month,
                hours_used=Decimal(minutes) / 60,
                hours_included=project.retainer_included_hours,
                fee=project.retainer_monthly_fee,
                currency=project.retainer_fee_currency,
            )
        )
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def cost_by_project(agency: Agency, *, start: dt.date, end: dt.date) -> list[dict]:
    """What the logged hours cost at each member's rate (owners only: the caller checks)."""
    rows = (
        live_entries(agency)
        .filter(work_date__range=(start, end), member__cost_rate__isnull=False)
        .values("project_id", "project__name", "member__cost_rate__currency")
        .annotate(cost=Sum(F("minutes") * F("member__cost_rate__hourly_cost")) / 60)
        .order_by("project__name")
    )
    return [
        {
            "project_id": r["project_id"],
            "project": r["project__name"],
            "currency": r["member__cost_rate__currency"],
            "cost": r["cost"],
        }
        for r in rows
    ]
