"""The four dashboards as selectors: campaign performance, content output, website and conversion, retainer health.

Each returns a ``Dashboard`` of ``Table``s — the numbers behind every chart, the CSV download and the API
are the same rows. A table marked ``internal`` (hours, rates, margins) never leaves the agency: the portal
versions are built without them. The query count of each dashboard does not grow with the data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum

from agencyops.models import Agency, Client
from approvals.models import ApprovalRequest, ApprovalStatus, ChangeRequest, ChangeRequestDecision
from projects.models import DeadlineChange, Project, Task, TaskStatus, TimeEntry
from reporting import charts, insight, kpis, selectors
from reporting.insight_selectors import client_campaigns, previous_period, same_period_last_year
from reporting.models import DailyFact, FactLevel

NAMES = ("campaigns", "content", "website", "retainer")
TITLES = {
    "campaigns": "Campaign performance",
    "content": "Content output",
    "website": "Website and conversion",
    "retainer": "Retainer health",
}
PORTAL_NAMES = ("campaigns", "website", "retainer")
WEBSITE_METRICS = ("form_fills", "booked_calls", "downloads", "key_events")
MAX_RANGE_DAYS = 400


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    chart: str = ""  # "line", "bar" or ""
    chart_columns: tuple[int, ...] = ()  # which value columns the chart plots (the first column labels it)
    # Per row, per cell: where the rows behind that number are (a source of reporting/rows_behind.py and
    # its filters), or None for a label or a setting.
    links: list[list[dict | None]] = field(default_factory=list)
    cells: list[list[tuple]] = field(default_factory=list)  # (value, address) pairs, filled by the staff page

    def svg(self) -> str:
        if not self.chart or not self.rows:
            return ""
        labels = [str(r[0]) for r in self.rows]
        if self.chart == "bar":
            col = self.chart_columns[0]
            return charts.bar_chart(
                self.title, labels, [_plain(r[col]) for r in self.rows], chart_id=self.key
            )
        return charts.line_chart(
            self.title,
            labels,
            [charts.Series(self.columns[c], [_plain(r[c]) for r in self.rows]) for c in self.chart_columns],
            chart_id=self.key,
        )


def _plain(value):
    return value if isinstance(value, Decimal | int | float) or value is None else None


@dataclass
class Dashboard:
    name: str
    title: str
    client: Client
    start: dt.date
    end: dt.date
    compare_start: dt.date | None
    compare_end: dt.date | None
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)


def _q(value: Decimal | None, places: str = "0.01") -> Decimal | None:
    return None if value is None else value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _change(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    """Relative change in percent, one decimal."""
    if now is None or not before:
        return None
    return _q((now - before) / before * 100, "0.1")


def comparison_period(start: dt.date, end: dt.date, compare: str) -> tuple[dt.date, dt.date] | None:
    """ "previous" (the period just before), "year" (same period last year) or "none"."""
    if compare == "year":
        return same_period_last_year(start, end)
    if compare == "previous":
        return previous_period(start, end)
    return None


def behind(
    source: str, period: tuple[dt.date, dt.date], also: tuple[dt.date, dt.date] | None = None, **filters
) -> dict:
    """Where the rows behind a number are: a source of reporting/rows_behind.py, its range(s) and filters."""
    found = {"source": source, "from": period[0].isoformat(), "to": period[1].isoformat()}
    if also is not None:
        found.update({"also_from": also[0].isoformat(), "also_to": also[1].isoformat()})
    for key, value in filters.items():
        found[key] = ",".join(value) if isinstance(value, tuple | list) else str(value)
    return found


# --- 1. campaign performance ----------------------------------------------------------------------

# The facts the campaign dashboard's figures read (spend, impressions, clicks, results).
FIGURE_METRICS = ("spend", "impressions", "clicks", *kpis.CONVERSIONS)


def _figure_totals(
    agency: Agency, client: Client, campaigns: list, periods: dict[str, tuple[dt.date, dt.date]]
) -> dict[str, dict[int, kpis.Totals]]:
    """Each campaign's figure metrics summed for several periods at once (one query)."""
    result = {key: {c.pk: kpis.Totals() for c in campaigns} for key in periods}
    if not campaigns:
        return result
    any_period = Q()
    for first, last in periods.values():
        any_period |= Q(date__range=(first, last))
    # The periods' overall span as well: PostgreSQL cannot seek the (agency, client, date) index with an OR of
    # ranges, and without it read every fact the client ever had (in parallel workers) to keep a quarter's.
    span = (min(p[0] for p in periods.values()), max(p[1] for p in periods.values()))
    rows = (
        DailyFact.objects.filter(
            agency=agency,
            client=client,
            date__range=span,
            campaign_id__in=[c.pk for c in campaigns],
            level__in=selectors.TOTAL_LEVELS,
            metric__in=FIGURE_METRICS,
        )
        .filter(any_period)
        .values("campaign_id", "metric", "currency")
        .annotate(**{key: Sum("value", filter=Q(date__range=p)) for key, p in periods.items()})
        .order_by()
    )
    for row in rows:
        for key in periods:
            if row[key] is not None:
                result[key][row["campaign_id"]].add(row["metric"], row[key], row["currency"])
    return result


def campaign_performance(
    agency: Agency, client: Client, *, start: dt.date, end: dt.date, compare: str = "previous", as_of: dt.date
) -> Dashboard:
    """Spend, results, cost per result, conversion rate per campaign, against the comparison period and last
    year where data exists; the top ads; target states; spend and results by day."""
    other = comparison_period(start, end, compare)
    board = Dashboard("campaigns", TITLES["campaigns"], client, start, end, *(other or (None, None)))
    last_year = same_period_last_year(start, end)
    campaigns = client_campaigns(agency, client, min(start, last_year[0]), end)
    periods = {"now": (start, end), "year": last_year}
    if other:
        periods["before"] = other
    found = _figure_totals(agency, client, campaigns, periods)
    now, year = found["now"], found["year"]
    before = found.get("before", {})
    rows, links = [], []
    totals_level = tuple(str(level) for level in selectors.TOTAL_LEVELS)
    for c in campaigns:
        f_now = insight.figures_from_totals(now[c.pk])
        f_before = insight.figures_from_totals(before[c.pk]) if other else insight.Figures()
        f_year = insight.figures_from_totals(year[c.pk]) if c.pk in year else insight.Figures()
        if f_now.spend is None and f_now.results is None and f_before.spend is None:
            continue
        cpr = _q(f_now.value("cost_per_result"))
        cpr_before = _q(f_before.value("cost_per_result"))
        conv = f_now.value("conversion_rate")
        has_year = f_year.spend is not None or f_year.results is not None
        rows.append(
            [
                c.name,
                _q(f_now.spend),
                f_now.currency,
                f_now.results,
                cpr,
                _q(conv * 100, "0.1") if conv is not None else None,
                _q(f_before.spend),
                f_before.results,
                cpr_before,
                _change(f_now.results, f_before.results),
                _change(cpr, cpr_before),
                f_year.results if has_year else None,
                _change(f_now.results, f_year.results) if has_year else None,
            ]
        )

        def facts(period, also=None, metric=FIGURE_METRICS, c=c):
            return behind("facts", period, also, campaign=c.pk, metric=metric, level=totals_level)

        spend, results = ("spend",), kpis.CONVERSIONS
        links.append(
            [None, facts((start, end), metric=spend), facts((start, end), metric=spend),
             facts((start, end), metric=results), facts((start, end)), facts((start, end)),
             *([facts(other, metric=spend), facts(other, metric=results), facts(other),
                facts((start, end), other, metric=results), facts((start, end), other)] if other else [None] * 5),
             facts(last_year, metric=results), facts((start, end), last_year, metric=results)]
        )  # fmt: skip
    board.tables.append(
        Table(
            "campaigns",
            "Campaigns",
            [
                "Campaign", "Spend", "Currency", "Results", "Cost per result", "Conversion rate %",
                "Spend before", "Results before", "Cost per result before", "Results change %",
                "Cost per result change %", "Results last year", "Results vs last year %",
            ],
            rows,
            chart="bar",
            chart_columns=(3,),
            links=links,
        )
    )  # fmt: skip
    ads = (
        DailyFact.objects.filter(
            agency=agency, client=client, level=FactLevel.AD, date__range=(start, end), breakdown_value__gt=""
        )
        .values("breakdown_value", "currency")
        .annotate(
            spend=Sum("value", filter=Q(metric="spend")),
            clicks=Sum("value", filter=Q(metric="clicks")),
            results=Sum("value", filter=Q(metric__in=kpis.CONVERSIONS)),
        )
        .order_by(F("results").desc(nulls_last=True), "breakdown_value")[:10]
    )
    board.tables.append(
        Table(
            "top_ads",
            "Top ads and assets",
            ["Ad or asset", "Spend", "Currency", "Clicks", "Results", "Cost per result"],
            [
                [a["breakdown_value"], _q(a["spend"]), a["currency"], a["clicks"], a["results"],
                 _q(a["spend"] / a["results"]) if a["spend"] is not None and a["results"] else None]
                for a in ads
            ],
            links=[
                [None, *[behind("facts", (start, end), level="ad", breakdown=a["breakdown_value"], metric=m)
                         for m in (("spend",), ("spend",), ("clicks",), kpis.CONVERSIONS, ("spend", *kpis.CONVERSIONS))]]
                for a in ads
            ],
        )
    )  # fmt: skip
    targets, target_links = [], []
    for row in selectors.kpi_table(agency, as_of=min(end, as_of), campaign_ids=[c.pk for c in campaigns]):
        for line in row.lines:
            if line.target is not None:
                target_links.append(
                    [None, None, behind("facts", (row.period_start, row.period_end), campaign=row.campaign.pk, level=totals_level),
                     None, None]
                )  # fmt: skip
                targets.append(
                    [
                        row.campaign.name,
                        line.kpi.label,
                        _q(line.value.value),
                        str(line.target),
                        line.state_label,
                    ]
                )
    board.tables.append(
        Table(
            "targets",
            "KPI targets",
            ["Campaign", "KPI", "Value", "Target", "State"],
            targets,
            links=target_links,
        )
    )
    series = defaultdict(dict)
    for point in selectors.metric_series(
        agency, start=start, end=end, client_id=client.pk, metrics=["spend", *kpis.CONVERSIONS]
    ):
        key = "results" if point["metric"] in kpis.CONVERSIONS else f"spend {point['currency']}".strip()
        series[point["period"]][key] = series[point["period"]].get(key, Decimal(0)) + point["value"]
    spend_keys = sorted({k for day in series.values() for k in day if k.startswith("spend")})
    board.tables.append(
        Table(
            "daily",
            "Spend and results by day",
            ["Day", "Results", *[k.capitalize() for k in spend_keys]],
            [[day, values.get("results"), *[_q(values.get(k)) for k in spend_keys]] for day, values in sorted(series.items())],
            chart="line",
            chart_columns=(1,),
            links=[
                [None, behind("facts", (day, day), metric=kpis.CONVERSIONS, level=totals_level),
                 *[behind("facts", (day, day), metric=("spend",), level=totals_level) for _ in spend_keys]]
                for day in sorted(series)
            ],
        )
    )  # fmt: skip
    return board


# --- 2. content output ----------------------------------------------------------------------------


def _hours_between(a: dt.datetime, b: dt.datetime) -> Decimal:
    return Decimal((b - a).total_seconds()) / 3600


def content_output(agency: Agency, client: Client, *, start: dt.date, end: dt.date) -> Dashboard:
    """Deliverables due and done, dates missed or shifted (deadline history), revision rounds, turnaround."""
    board = Dashboard("content", TITLES["content"], client, start, end, None, None)
    first_due = (
        DeadlineChange.objects.filter(task=OuterRef("pk")).order_by("changed_at", "pk").values("old_due")[:1]
    )
    tasks = (
        Task.objects.filter(agency=agency, project__client=client, due_date__range=(start, end))
        .annotate(moves=Count("deadline_changes"), first_due=Subquery(first_due))
        .values("pk", "title", "project__name", "due_date", "status", "completed_at", "moves", "first_due")
        .order_by("due_date", "pk")
    )
    period = (start, end)
    task_links = []
    tz = ZoneInfo(agency.time_zone)
    labels = dict(TaskStatus.choices)
    rows = []
    for t in tasks:
        done_on = t["completed_at"].astimezone(tz).date() if t["completed_at"] else None
        is_done = t["status"] == TaskStatus.DONE
        late = (not is_done and t["due_date"] < end) or (done_on is not None and done_on > t["due_date"])
        rows.append(
            [t["title"], t["project__name"], t["due_date"], t["first_due"] if t["moves"] else None, t["moves"],
             labels[t["status"]], done_on, "late" if late else ("on time" if is_done else "open")]
        )  # fmt: skip
        moves = behind("deadline_changes", period, task=t["pk"])
        task_links.append([None, None, None, moves if t["moves"] else None, moves, None, None, None])
    board.tables.append(
        Table(
            "deliverables",
            "Deliverables due",
            ["Deliverable", "Project", "Due", "First due", "Date moves", "Status", "Done on", "On time"],
            rows,
            links=task_links,
        )
    )
    done = sum(1 for r in rows if r[5] == TaskStatus.DONE.label)
    shifted = sum(1 for r in rows if r[4])
    late = sum(1 for r in rows if r[7] == "late")
    board.tables.append(
        Table(
            "output_summary",
            "Output",
            ["Measure", "Count"],
            [["Due", len(rows)], ["Done", done], ["Dates shifted", shifted], ["Missed or late", late]],
            chart="bar",
            chart_columns=(1,),
            links=[
                [None, behind("tasks", period, state=state)] for state in ("all", "done", "moved", "late")
            ],
        )
    )
    approvals = (
        ApprovalRequest.objects.filter(agency=agency, client=client, sent_at__date__lte=end)
        .filter(Q(decided_at__isnull=True) | Q(decided_at__date__gte=start))
        .annotate(rounds=Count("versions", filter=Q(versions__sent_at__isnull=False)))
        .values(
            "pk",
            "title",
            "deliverable",
            "status",
            "sent_at",
            "decided_at",
            "rounds",
            "project__revision_rounds_included",
        )
        .order_by("sent_at", "pk")
    )
    approval_labels = dict(ApprovalStatus.choices)
    approval_rows, approval_links = [], []
    for a in approvals:
        rounds = behind("approvals", period, approval=a["pk"])
        approval_links.append([None, None, None, rounds, rounds, rounds])
        turnaround = (
            _q(_hours_between(a["sent_at"], a["decided_at"]), "0.1")
            if a["decided_at"] and a["sent_at"]
            else None
        )
        approval_rows.append(
            [a["title"], a["deliverable"], approval_labels.get(a["status"], a["status"]), a["rounds"],
             max(0, a["rounds"] - a["project__revision_rounds_included"]), turnaround]
        )  # fmt: skip
    board.tables.append(
        Table(
            "approvals",
            "Approvals and revision rounds",
            ["Approval", "Deliverable", "Status", "Rounds", "Rounds over plan", "Turnaround (hours)"],
            approval_rows,
            links=approval_links,
        )
    )
    return board


# --- 3. website and conversion --------------------------------------------------------------------


def website(
    agency: Agency, client: Client, *, start: dt.date, end: dt.date, compare: str = "previous"
) -> Dashboard:
    """Traffic by channel with engagement and key-event rates, top landing pages, form fills, calls, downloads."""
    other = comparison_period(start, end, compare)
    board = Dashboard("website", TITLES["website"], client, start, end, *(other or (None, None)))

    def by_channel(first: dt.date, last: dt.date) -> dict[str, dict]:
        rows = (
            DailyFact.objects.filter(
                agency=agency, client=client, level=FactLevel.CHANNEL, date__range=(first, last)
            )
            .values("breakdown_value")
            .annotate(
                sessions=Sum("value", filter=Q(metric="sessions")),
                engaged=Sum("value", filter=Q(metric="engaged_sessions")),
                key_events=Sum("value", filter=Q(metric="key_events")),
            )
            .order_by()
        )
        return {r["breakdown_value"] or "(not set)": r for r in rows}

    now = by_channel(start, end)
    before = by_channel(*other) if other else {}
    rows, links = [], []
    for channel, r in sorted(now.items(), key=lambda kv: (-(kv[1]["sessions"] or 0), kv[0])):

        def facts(metric, period=(start, end), also=None, r=r):
            return behind(
                "facts", period, also, level="channel", breakdown=r["breakdown_value"], metric=metric
            )

        links.append(
            [None, facts(("sessions",)), facts(("sessions", "engaged_sessions")), facts(("key_events",)),
             facts(("sessions", "key_events")), facts(("sessions",), other) if other else None,
             facts(("sessions",), (start, end), other) if other else None]
        )  # fmt: skip
        sessions = r["sessions"] or Decimal(0)
        prior = (before.get(channel) or {}).get("sessions")
        rows.append(
            [
                channel,
                sessions,
                _q(r["engaged"] / sessions * 100, "0.1") if sessions and r["engaged"] is not None else None,
                r["key_events"],
                _q(r["key_events"] / sessions * 100, "0.1")
                if sessions and r["key_events"] is not None
                else None,
                prior,
                _change(sessions, prior),
            ]
        )
    board.tables.append(
        Table(
            "channels",
            "Traffic by channel",
            [
                "Channel",
                "Sessions",
                "Engaged %",
                "Key events",
                "Key-event rate %",
                "Sessions before",
                "Change %",
            ],
            rows,
            chart="bar",
            chart_columns=(1,),
            links=links,
        )
    )
    pages = selectors.landing_page_performance(agency, client_id=client.pk, start=start, end=end, limit=10)
    board.tables.append(
        Table(
            "landing_pages",
            "Top landing pages",
            ["Landing page", "Sessions", "Key events", "Conversion rate %"],
            [
                [p.path, p.sessions, p.key_events,
                 _q(p.conversion_rate * 100, "0.1") if p.conversion_rate is not None else None]
                for p in pages
            ],
            links=[
                [None, *[behind("facts", (start, end), level="landing_page", breakdown=p.path, metric=m)
                         for m in (("sessions",), ("key_events",), ("sessions", "key_events"))]]
                for p in pages
            ],
        )
    )  # fmt: skip
    sessions_total = sum((r[1] for r in rows), Decimal(0))
    outcomes = dict(
        DailyFact.objects.filter(
            agency=agency, client=client, date__range=(start, end), metric__in=WEBSITE_METRICS
        )
        .exclude(level=FactLevel.LANDING_PAGE)
        .values_list("metric")
        .annotate(total=Sum("value"))
        .order_by()
    )
    board.tables.append(
        Table(
            "outcomes",
            "Form fills, booked calls, downloads and key events",
            ["Outcome", "Count", "Per 100 sessions"],
            [
                [metric.replace("_", " ").capitalize(), outcomes[metric],
                 _q(outcomes[metric] / sessions_total * 100, "0.01") if sessions_total else None]
                for metric in WEBSITE_METRICS
                if metric in outcomes
            ],
            links=[
                [None, behind("facts", (start, end), metric=(metric,), exclude_level="landing_page"),
                 behind("facts", (start, end), metric=(metric, "sessions"), exclude_level="landing_page")]
                for metric in WEBSITE_METRICS
                if metric in outcomes
            ],
        )
    )  # fmt: skip
    return board


# --- 4. retainer health ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RetainerLine:
    project_id: int
    project_name: str
    planned: int
    completed: int
    hours_used: Decimal
    hours_included: Decimal | None
    fee: Decimal | None
    currency: str

    @property
    def effective_hourly_rate(self) -> Decimal | None:
        if self.fee is None or not self.hours_used:
            return None
        return _q(self.fee / self.hours_used)


# The retainer dashboard is two small statements over a handful of rows, so building them through the ORM
# (FilteredRelation, a correlated Subquery, NOT EXISTS) cost several times what PostgreSQL spends answering
# them: they are written out once here instead. Every statement names the agency itself, as the scoped
# managers would, and takes only ids and dates as parameters.
RETAINER_LINES_SQL = f"""
SELECT p.id, p.name,
       COUNT(t.id),
       COUNT(t.id) FILTER (WHERE t.status = %(done)s),
       (SELECT SUM(e.minutes) FROM {TimeEntry._meta.db_table} e
         WHERE e.agency_id = %(agency)s AND e.project_id = p.id AND e.deleted_at IS NULL
           AND e.timer_started_at IS NULL AND e.work_date BETWEEN %(start)s AND %(end)s),
       p.retainer_included_hours, p.retainer_monthly_fee, p.retainer_fee_currency
FROM {Project._meta.db_table} p
LEFT JOIN {Task._meta.db_table} t ON t.project_id = p.id AND t.due_date BETWEEN %(start)s AND %(end)s
WHERE p.agency_id = %(agency)s AND p.client_id = %(client)s
  AND (p.retainer_included_hours IS NOT NULL OR p.retainer_monthly_fee IS NOT NULL)
GROUP BY p.id
ORDER BY p.name, p.id
"""
OPEN_CHANGE_REQUESTS_SQL = f"""
SELECT c.created_at, p.name, c.description
FROM {ChangeRequest._meta.db_table} c
JOIN {Project._meta.db_table} p ON p.id = c.project_id
WHERE c.agency_id = %(agency)s AND c.client_id = %(client)s
  AND NOT EXISTS (SELECT 1 FROM {ChangeRequestDecision._meta.db_table} d
                   WHERE d.agency_id = %(agency)s AND d.change_request_id = c.id)
ORDER BY c.created_at, c.id
"""


@dataclass(frozen=True)
class OpenChangeRequest:
    created_at: dt.datetime
    project_name: str
    description: str


def _month(month: dt.date) -> tuple[dt.date, dt.date]:
    start = month.replace(day=1)
    return start, (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def open_change_requests(agency: Agency, client: Client) -> list[OpenChangeRequest]:
    """The client's change requests nobody has decided yet, oldest first (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(OPEN_CHANGE_REQUESTS_SQL, {"agency": agency.pk, "client": client.pk})
        return [OpenChangeRequest(*row) for row in cursor.fetchall()]


def retainer_lines(agency: Agency, client: Client, month: dt.date) -> list[RetainerLine]:
    """Each retainer of the client this month: deliverables planned and done, hours used and included
    (one query; only the month's tasks are joined, since a long-running retainer has years of them)."""
    start, end = _month(month)
    params = {
        "agency": agency.pk, "client": client.pk, "start": start, "end": end, "done": str(TaskStatus.DONE),
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(RETAINER_LINES_SQL, params)
        rows = cursor.fetchall()
    return [
        RetainerLine(pk, name, planned, completed, _hours(minutes or 0), included, fee, currency)
        for pk, name, planned, completed, minutes, included, fee, currency in rows
    ]


def retainer_health(
    agency: Agency, client: Client, *, month: dt.date, next_report: dt.datetime | None, portal: bool = False
) -> Dashboard:
    """Deliverables planned vs completed this month, next reporting date, open change requests; for the
    agency also hours used vs included and the effective hourly rate (never in the portal)."""
    start, end = _month(month)
    board = Dashboard("retainer", TITLES["retainer"], client, start, end, None, None)
    lines = retainer_lines(agency, client, month)
    board.tables.append(
        Table(
            "deliverables",
            "Deliverables this month",
            ["Retainer", "Planned", "Completed"],
            [[line.project_name, line.planned, line.completed] for line in lines],
            chart="bar",
            chart_columns=(2,),
            links=[
                [
                    None,
                    behind("tasks", (start, end), project=line.project_id),
                    behind("tasks", (start, end), project=line.project_id, state="done"),
                ]
                for line in lines
            ],
        )  # fmt: skip
    )
    if not portal:
        board.tables.append(
            Table(
                "hours",
                "Hours used and effective hourly rate",
                ["Retainer", "Hours used", "Hours included", "Monthly fee", "Currency", "Effective hourly rate"],
                [
                    [line.project_name, line.hours_used, line.hours_included, line.fee, line.currency,
                     line.effective_hourly_rate]
                    for line in lines
                ],
                links=[
                    [None, behind("time", (start, end), project=line.project_id), None, None, None,
                     behind("time", (start, end), project=line.project_id)]
                    for line in lines
                ],
            )
        )  # fmt: skip
    board.tables.append(
        Table(
            "change_requests",
            "Open change requests",
            ["Raised", "Project", "Change"],
            [
                [cr.created_at.date(), cr.project_name, cr.description[:200]]
                for cr in open_change_requests(agency, client)
            ],
        )
    )  # fmt: skip
    board.tables.append(
        Table(
            "next_report",
            "Next reporting date",
            ["Next report"],
            [[next_report.date() if next_report else "Not scheduled"]],
        )
    )
    return board


# --- dispatch --------------------------------------------------------------------------------------


def clamp_range(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """A range in order and at most ~13 months long (a client controls it on the API)."""
    if end < start:
        raise ValueError("The range ends before it starts.")
    if (end - start).days > MAX_RANGE_DAYS:
        raise ValueError(f"Choose a range of at most {MAX_RANGE_DAYS} days.")
    return start, end


def build(
    name: str,
    agency: Agency,
    client: Client,
    *,
    start: dt.date,
    end: dt.date,
    compare: str,
    as_of: dt.date,
    next_report: dt.datetime | None = None,
    portal: bool = False,
) -> Dashboard:
    """One dashboard by name; the portal gets only the client versions."""
    if portal and name not in PORTAL_NAMES:
        raise KeyError(name)
    if name == "campaigns":
        return campaign_performance(agency, client, start=start, end=end, compare=compare, as_of=as_of)
    if name == "content":
        return content_output(agency, client, start=start, end=end)
    if name == "website":
        return website(agency, client, start=start, end=end, compare=compare)
    if name == "retainer":
        return retainer_health(agency, client, month=start, next_report=next_report, portal=portal)
    raise KeyError(name)
