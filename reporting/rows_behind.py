"""The rows behind a dashboard's number: the daily facts it sums, the deliverables it counts, the deadline
moves, approvals and time entries it reads — filtered exactly as the dashboard filtered them, for one client.

``rows_behind`` takes the agency, the client (already resolved in the agency), the request's parameters and
the viewer, and returns the page's columns and a values queryset; the view pages it or writes it as CSV.
Parameters a client controls are checked and capped here: a bad one raises ``BadRows`` (a 400), an object of
another client or agency ``LookupError`` (a 404).

The portal reads the same rows for a client contact, narrowed to what the portal's dashboards show: the
facts and the deliverables only (never time entries, approvals' internals or the deadline history), and
none of the agency's own columns (the import file a fact came from, a deliverable's date moves).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate

from agencyops.models import Agency, Client
from approvals.models import ApprovalRequest
from projects.models import DeadlineChange, Project, Task, TaskStatus, TimeEntry
from reporting.models import Campaign, DailyFact, FactLevel

SOURCES = {
    "facts": "Daily facts",
    "tasks": "Deliverables",
    "deadline_changes": "Deadline history",
    "approvals": "Approvals and revision rounds",
    "time": "Time entries",
}
TASK_STATES = {"all": "", "done": "done", "moved": "with their date moved", "late": "missed or late"}
# What a client contact may open: the sources and deliverable states the portal's dashboards link to.
PORTAL_SOURCES = ("facts", "tasks")
PORTAL_TASK_STATES = ("all", "done")
MAX_METRICS = 20
MAX_RANGE_DAYS = 800
METRIC = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class BadRows(ValueError):
    """A parameter that cannot be read; its message says which and why."""


@dataclass
class RowsBehind:
    source: str
    title: str
    columns: list[str]
    keys: list[str]
    rows: QuerySet
    filters: list[str] = field(default_factory=list)


def _date(params: Mapping[str, str], name: str) -> dt.date | None:
    value = params.get(name, "")
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        raise BadRows(f"“{name}” is not a date (use YYYY-MM-DD).") from exc


def _range(
    params: Mapping[str, str], first: str = "from", last: str = "to"
) -> tuple[dt.date, dt.date] | None:
    start, end = _date(params, first), _date(params, last)
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise BadRows(f"Give both “{first}” and “{last}”.")
    if end < start or (end - start).days > MAX_RANGE_DAYS:
        raise BadRows(f"“{first}”–“{last}” must be in order and at most {MAX_RANGE_DAYS} days long.")
    return start, end


def _id(params: Mapping[str, str], name: str) -> int | None:
    value = params.get(name, "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise BadRows(f"“{name}” is not an id.")
    return int(value)


def _list(params: Mapping[str, str], name: str, allowed: set[str] | None = None) -> list[str]:
    values = [v for v in params.get(name, "").split(",") if v]
    if len(values) > MAX_METRICS:
        raise BadRows(f"At most {MAX_METRICS} values of “{name}”.")
    for value in values:
        if not METRIC.match(value) or (allowed is not None and value not in allowed):
            raise BadRows(f"“{value[:40]}” is not a {name}.")
    return values


def _of_client(model, owner: Client, pk: int, **extra):
    """One object of this client (agency-scoped through the client) or LookupError: never another's."""
    found = model.objects.filter(agency_id=owner.agency_id, pk=pk, **extra).first()
    if found is None:
        raise LookupError(model.__name__)
    return found


def _periods(params: Mapping[str, str]) -> list[tuple[dt.date, dt.date]]:
    periods = [p for p in (_range(params), _range(params, "also_from", "also_to")) if p]
    if not periods:
        # No range asked for: this month so far, as the dashboards default.
        today = dt.date.fromisoformat(params["_today"])
        periods = [(today.replace(day=1), today)]
    return periods


def _in_periods(name: str, periods: list[tuple[dt.date, dt.date]]) -> Q:
    q = Q()
    for period in periods:
        q |= Q(**{f"{name}__range": period})
    return q


def _label(periods: list[tuple[dt.date, dt.date]]) -> str:
    return " and ".join(f"{a:%-d %b %Y} – {b:%-d %b %Y}" for a, b in periods)


def facts(agency: Agency, client: Client, params: Mapping[str, str], *, portal: bool = False) -> RowsBehind:
    """The daily facts a figure sums: a range (or two), and optionally a campaign, metrics, levels, a breakdown.
    The portal's rows leave out which of the agency's import files each came from."""
    periods = _periods(params)
    levels = _list(params, "level", set(FactLevel.values))
    without = _list(params, "exclude_level", set(FactLevel.values))
    metrics = _list(params, "metric")
    breakdown = params.get("breakdown", "")
    if len(breakdown) > 300:
        raise BadRows("“breakdown” is at most 300 characters.")
    qs = DailyFact.objects.filter(agency=agency, client=client).filter(_in_periods("date", periods))
    filters = [_label(periods)]
    campaign_id = _id(params, "campaign")
    if campaign_id is not None:
        campaign = _of_client(Campaign, client, campaign_id, client=client)
        qs = qs.filter(campaign_id=campaign.pk)
        filters.append(f"campaign {campaign.name}")
    if metrics:
        qs = qs.filter(metric__in=metrics)
        filters.append(", ".join(m.replace("_", " ") for m in metrics))
    if levels:
        qs = qs.filter(level__in=levels)
        filters.append("level " + ", ".join(FactLevel(v).label.lower() for v in levels))
    if without:
        qs = qs.exclude(level__in=without)
        filters.append("not " + ", ".join(FactLevel(v).label.lower() for v in without))
    if "breakdown" in params:
        qs = qs.filter(breakdown_value=breakdown)
        filters.append(f"“{breakdown or '(not set)'}”")
    keys = ["date", "campaign__name", "level", "breakdown_value", "metric", "value", "currency"]
    columns = ["Date", "Campaign", "Level", "Breakdown", "Metric", "Value", "Currency"]
    if not portal:
        keys.append("source_import__original_name")
        columns.append("Imported from")
    return RowsBehind(
        "facts",
        SOURCES["facts"],
        columns,
        keys,
        qs.values(*keys).order_by("date", "campaign__name", "metric", "id"),
        filters,
    )


def _project_filter(client: Client, params: Mapping[str, str], filters: list[str]) -> Q:
    project_id = _id(params, "project")
    if project_id is None:
        return Q()
    project = _of_client(Project, client, project_id, client=client)
    filters.append(f"project {project.name}")
    return Q(project_id=project.pk)


def tasks(agency: Agency, client: Client, params: Mapping[str, str], *, portal: bool = False) -> RowsBehind:
    """Deliverables due in the range, as the content and retainer dashboards count them (all, done, moved,
    missed or late). The portal's rows are the retainer's deliverables, all or done, without date moves."""
    (period,) = _periods(params)[:1]
    state = params.get("state", "all")
    states = PORTAL_TASK_STATES if portal else tuple(TASK_STATES)
    if state not in states:
        raise BadRows(f"“state” is one of {', '.join(states)}.")
    filters = [_label([period])]
    qs = (
        Task.objects.filter(agency=agency, project__client=client, due_date__range=period)
        .filter(_project_filter(client, params, filters))
        .annotate(done_on=TruncDate("completed_at", tzinfo=ZoneInfo(agency.time_zone)))
    )
    if not portal:
        qs = qs.annotate(moves=Count("deadline_changes"))
    if state == "done":
        qs = qs.filter(status=TaskStatus.DONE)
    elif state == "moved":
        qs = qs.filter(moves__gt=0)
    elif state == "late":
        # As the content dashboard decides it: open past the range's end, or done after its due date.
        qs = qs.filter(
            Q(~Q(status=TaskStatus.DONE), due_date__lt=period[1])
            | Q(completed_at__isnull=False, done_on__gt=F("due_date"))
        )
    if TASK_STATES[state]:
        filters.append(TASK_STATES[state])
    keys = ["title", "project__name", "due_date", "status", "done_on"]
    columns = ["Deliverable", "Project", "Due", "Status", "Done on"]
    if not portal:
        keys.append("moves")
        columns.append("Date moves")
    return RowsBehind(
        "tasks",
        SOURCES["tasks"],
        columns,
        keys,
        qs.values(*keys).order_by("due_date", "pk"),
        filters,
    )


def deadline_changes(agency: Agency, client: Client, params: Mapping[str, str]) -> RowsBehind:
    """The deadline history of the deliverables due in the range (or of one of them)."""
    (period,) = _periods(params)[:1]
    filters = [f"deliverables due {_label([period])}"]
    qs = DeadlineChange.objects.filter(
        agency=agency, task__project__client=client, task__due_date__range=period
    )
    task_id = _id(params, "task")
    if task_id is not None:
        task = _of_client(Task, client, task_id, project__client=client)
        qs = qs.filter(task_id=task.pk)
        filters.append(f"“{task.title}”")
    keys = ["task__title", "task__project__name", "old_due", "new_due", "cause", "reason", "changed_at"]
    return RowsBehind(
        "deadline_changes",
        SOURCES["deadline_changes"],
        ["Deliverable", "Project", "Was due", "Now due", "Cause", "Reason", "Changed at"],
        keys,
        qs.values(*keys).order_by("changed_at", "pk"),
        filters,
    )


def approvals(agency: Agency, client: Client, params: Mapping[str, str]) -> RowsBehind:
    """The approvals the content dashboard reads: sent by the range's end and open or decided in it."""
    (start, end) = _periods(params)[0]
    filters = [_label([(start, end)])]
    qs = (
        ApprovalRequest.objects.filter(agency=agency, client=client, sent_at__date__lte=end)
        .filter(Q(decided_at__isnull=True) | Q(decided_at__date__gte=start))
        .annotate(rounds=Count("versions", filter=Q(versions__sent_at__isnull=False)))
    )
    approval_id = _id(params, "approval")
    if approval_id is not None:
        approval = _of_client(ApprovalRequest, client, approval_id, client=client)
        qs = qs.filter(pk=approval.pk)
        filters.append(f"“{approval.title}”")
    keys = [
        "title",
        "deliverable",
        "status",
        "sent_at",
        "decided_at",
        "rounds",
        "project__revision_rounds_included",
    ]
    return RowsBehind(
        "approvals",
        SOURCES["approvals"],
        ["Approval", "Deliverable", "Status", "Sent", "Decided", "Rounds", "Rounds included"],
        keys,
        qs.values(*keys).order_by("sent_at", "pk"),
        filters,
    )


def time_entries(agency: Agency, client: Client, params: Mapping[str, str]) -> RowsBehind:
    """The time logged in the range (finished entries, not deleted), as the retainer's hours sum it."""
    (period,) = _periods(params)[:1]
    filters = [_label([period])]
    qs = TimeEntry.objects.filter(
        agency=agency,
        client=client,
        deleted_at__isnull=True,
        timer_started_at__isnull=True,
        work_date__range=period,
    ).filter(_project_filter(client, params, filters))
    keys = ["work_date", "project__name", "task__title", "member__user__full_name", "minutes", "note"]
    return RowsBehind(
        "time",
        SOURCES["time"],
        ["Date", "Project", "Task", "Person", "Minutes", "Note"],
        keys,
        qs.values(*keys).order_by("work_date", "pk"),
        filters,
    )


READERS: dict[str, Callable[..., RowsBehind]] = {
    "facts": facts,
    "tasks": tasks,
    "deadline_changes": deadline_changes,
    "approvals": approvals,
    "time": time_entries,
}


def rows_behind(
    agency: Agency,
    client: Client,
    source: str,
    params: Mapping[str, str],
    *,
    today: dt.date,
    portal: bool = False,
) -> RowsBehind:
    """The rows behind a number of one client's dashboard, filtered as the dashboard filtered them; for the
    portal (a contact of that client) only the sources and columns its dashboards show, else LookupError."""
    params = {**params, "_today": today.isoformat()}
    if not portal:
        return READERS[source](agency, client, params)
    if source not in PORTAL_SOURCES:
        raise LookupError(source)
    return READERS[source](agency, client, params, portal=True)
