"""Internal KPIs from operations data, per agency, client and person, for a month. Staff only, never the portal.

Delivery pace (on time / late, average slip in business days), revision volume (rounds per deliverable,
rounds over plan), approval turnaround (sent → final decision, in business hours), report preparation
time (time on reporting tasks), retainer profitability (fee vs hours × cost rate; owners only), campaign
launch speed (brief signed off → launch, business days), escalations raised and resolved.
Each figure is one grouped query over the month, whatever the data size.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Min, Q, Sum

from agencyops.models import Agency
from approvals.models import ApprovalRequest
from projects.calendars import agency_calendar
from projects.models import Escalation, Project, Task, TaskCategory, TaskStatus, TimeEntry
from projects.scheduling import BusinessCalendar

WORKDAY_START, WORKDAY_END = 9, 17  # business hours, agency time


def business_hours(start: dt.datetime, end: dt.datetime, calendar: BusinessCalendar, tz: ZoneInfo) -> Decimal:
    """Working hours (9–17 on business days, agency time) between two moments. Pure."""
    start, end = start.astimezone(tz), end.astimezone(tz)
    if end <= start:
        return Decimal(0)
    total = Decimal(0)
    day = start.date()
    while day <= end.date():
        if calendar.is_business_day(day):
            open_at = dt.datetime.combine(day, dt.time(WORKDAY_START), tz)
            close_at = dt.datetime.combine(day, dt.time(WORKDAY_END), tz)
            a, b = max(open_at, start), min(close_at, end)
            if b > a:
                total += Decimal((b - a).total_seconds()) / 3600
        day += dt.timedelta(days=1)
    return total.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    start = month.replace(day=1)
    return start, (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


@dataclass
class Line:
    """One row: who or what (agency, a client, a person) and its figures for the month."""

    scope: str  # "agency", "client", "person"
    name: str
    figures: dict[str, Decimal | int | None] = field(default_factory=dict)


COLUMNS = (
    ("on_time", "Delivered on time"),
    ("late", "Delivered late"),
    ("avg_slip_days", "Average slip (business days)"),
    ("rounds_per_deliverable", "Rounds per deliverable"),
    ("overage_rounds", "Rounds over plan"),
    ("approval_hours", "Approval turnaround (business hours)"),
    ("report_prep_hours", "Report preparation (hours)"),
    ("launch_days", "Brief → launch (business days)"),
    ("escalations_raised", "Escalations raised"),
    ("escalations_resolved", "Escalations resolved"),
)


def _avg(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def internal_kpis(agency: Agency, *, month: dt.date) -> list[Line]:
    """The month's internal KPIs for the agency, each client and each person (about eight queries)."""
    start, end = month_bounds(month)
    tz = ZoneInfo(agency.time_zone)
    calendar = agency_calendar(agency, around=start)
    buckets: dict[tuple[str, str], dict[str, list]] = defaultdict(lambda: defaultdict(list))

    def add(keys: list[tuple[str, str]], figure: str, value) -> None:
        for key in [("agency", agency.name), *keys]:
            buckets[key][figure].append(value)

    # Delivery pace: tasks done this month, against their due date and their first due date.
    done = list(
        Task.objects.filter(agency=agency, status=TaskStatus.DONE, completed_at__date__range=(start, end))
        .annotate(first_due=Min("deadline_changes__old_due"))
        .values("due_date", "first_due", "completed_at", "project__client__name", "assignee__user__full_name")
    )
    for t in done:
        keys = [("client", t["project__client__name"])]
        if t["assignee__user__full_name"]:
            keys.append(("person", t["assignee__user__full_name"]))
        finished = t["completed_at"].astimezone(tz).date()
        promised = t["first_due"] or t["due_date"]
        late = finished > promised
        add(keys, "on_time", 0 if late else 1)
        add(keys, "late", 1 if late else 0)
        if late:
            add(keys, "slip", Decimal(calendar.business_days_between(promised, finished)))
    # Revision volume and approval turnaround: approvals decided this month.
    approvals = (
        ApprovalRequest.objects.filter(agency=agency, decided_at__date__range=(start, end), sent_at__isnull=False)
        .annotate(rounds=Count("versions", filter=Q(versions__sent_at__isnull=False)))
        .values(
            "rounds", "sent_at", "decided_at", "client__name", "created_by__user__full_name",
            "project__revision_rounds_included",
        )
    )  # fmt: skip
    for a in approvals:
        keys = [("client", a["client__name"])]
        if a["created_by__user__full_name"]:
            keys.append(("person", a["created_by__user__full_name"]))
        add(keys, "rounds", Decimal(a["rounds"]))
        add(keys, "overage_rounds", max(0, a["rounds"] - a["project__revision_rounds_included"]))
        add(keys, "approval_hours", business_hours(a["sent_at"], a["decided_at"], calendar, tz))
    # Report preparation: minutes on reporting tasks.
    prep = (
        TimeEntry.objects.filter(
            agency=agency,
            deleted_at__isnull=True,
            timer_started_at__isnull=True,
            work_date__range=(start, end),
            task__category=TaskCategory.REPORTING,
        )
        .values("client__name", "member__user__full_name")
        .annotate(minutes=Sum("minutes"))
        .order_by()
    )
    for p in prep:
        add(
            [("client", p["client__name"]), ("person", p["member__user__full_name"])],
            "report_prep_hours",
            Decimal(p["minutes"]) / 60,
        )
    # Launch speed: projects whose launch task was done this month, from their kick-off's completion.
    launches = Task.objects.filter(
        agency=agency, key="launch", status=TaskStatus.DONE, completed_at__date__range=(start, end)
    ).values("project_id", "completed_at", "project__client__name")
    launch_list = list(launches)
    kickoffs = dict(
        Task.objects.filter(
            agency=agency, key="kickoff", project_id__in=[x["project_id"] for x in launch_list], completed_at__isnull=False
        ).values_list("project_id", "completed_at")
    )  # fmt: skip
    for x in launch_list:
        kicked = kickoffs.get(x["project_id"])
        if kicked is not None:
            days = calendar.business_days_between(
                kicked.astimezone(tz).date(), x["completed_at"].astimezone(tz).date()
            )
            add([("client", x["project__client__name"])], "launch_days", Decimal(days))
    # Escalations raised and resolved.
    raised = Escalation.objects.filter(agency=agency, first_seen_at__date__range=(start, end)).values(
        "project__client__name", "assignee__user__full_name"
    )
    for e in raised:
        keys = [("client", e["project__client__name"])] if e["project__client__name"] else []
        if e["assignee__user__full_name"]:
            keys.append(("person", e["assignee__user__full_name"]))
        add(keys, "escalations_raised", 1)
    resolved = Escalation.objects.filter(agency=agency, resolved_at__date__range=(start, end)).values(
        "project__client__name", "assignee__user__full_name"
    )
    for e in resolved:
        keys = [("client", e["project__client__name"])] if e["project__client__name"] else []
        if e["assignee__user__full_name"]:
            keys.append(("person", e["assignee__user__full_name"]))
        add(keys, "escalations_resolved", 1)

    order = {"agency": 0, "client": 1, "person": 2}
    lines = []
    for (kind, name), values in sorted(buckets.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])):
        rounds = values.get("rounds", [])
        lines.append(
            Line(
                kind,
                name,
                {
                    "on_time": sum(values.get("on_time", [])),
                    "late": sum(values.get("late", [])),
                    "avg_slip_days": _avg(values.get("slip", [])),
                    "rounds_per_deliverable": _avg(rounds),
                    "overage_rounds": sum(values.get("overage_rounds", [])),
                    "approval_hours": _avg(values.get("approval_hours", [])),
                    "report_prep_hours": (
                        sum(values["report_prep_hours"], Decimal(0)).quantize(Decimal("0.1"))
                        if values.get("report_prep_hours")
                        else None
                    ),
                    "launch_days": _avg(values.get("launch_days", [])),
                    "escalations_raised": sum(values.get("escalations_raised", [])),
                    "escalations_resolved": sum(values.get("escalations_resolved", [])),
                },
            )
        )
    return lines


@dataclass(frozen=True)
class Profitability:
    project: str
    client: str
    fee: Decimal | None
    fee_currency: str
    hours: Decimal
    cost: Decimal | None
    cost_currency: str

    @property
    def margin(self) -> Decimal | None:
        """Fee less the hours' cost, when both are in one currency."""
        if self.fee is None or self.cost is None or self.fee_currency != self.cost_currency:
            return None
        return (self.fee - self.cost).quantize(Decimal("0.01"))


def retainer_profitability(agency: Agency, *, month: dt.date) -> list[Profitability]:
    """Each retainer's fee against its hours at each member's cost rate (owners only: the caller checks)."""
    start, end = month_bounds(month)
    projects = {
        p.pk: p
        for p in Project.objects.filter(agency=agency, retainer_monthly_fee__isnull=False).select_related(
            "client"
        )
    }
    rows = (
        TimeEntry.objects.filter(
            agency=agency,
            project_id__in=list(projects),
            deleted_at__isnull=True,
            timer_started_at__isnull=True,
            work_date__range=(start, end),
        )
        .values("project_id", "member__cost_rate__currency")
        .annotate(
            total_minutes=Sum("minutes"), cost=Sum(F("minutes") * F("member__cost_rate__hourly_cost")) / 60
        )
        .order_by()
    )
    found: dict[int, dict] = {}
    for r in rows:
        entry = found.setdefault(r["project_id"], {"minutes": 0, "cost": Decimal(0), "currencies": set()})
        entry["minutes"] += r["total_minutes"]
        if r["cost"] is not None:
            entry["cost"] += r["cost"]
            entry["currencies"].add(r["member__cost_rate__currency"])
    result = []
    for pk, p in sorted(projects.items(), key=lambda kv: (kv[1].client.name, kv[1].name)):
        entry = found.get(pk, {"minutes": 0, "cost": Decimal(0), "currencies": set()})
        currencies = entry["currencies"]
        result.append(
            Profitability(
                p.name,
                p.client.name,
                p.retainer_monthly_fee,
                p.retainer_fee_currency,
                (Decimal(entry["minutes"]) / 60).quantize(Decimal("0.01")),
                entry["cost"].quantize(Decimal("0.01"))
                if len(currencies) == 1
                else (Decimal(0) if not currencies else None),
                next(iter(currencies)) if len(currencies) == 1 else p.retainer_fee_currency,
            )
        )
    return result
