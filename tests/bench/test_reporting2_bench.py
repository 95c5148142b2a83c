"""`make bench`, reporting part 2: each dashboard over one client's quarter next to hand-written SQL for the
same numbers (target ≤ 3×), and a weekly report PDF — assembled and rendered — next to bare WeasyPrint on
the same finished HTML (target ≤ 2×).

The facts are the part-1 bench's (REPORTING_BENCH_FACTS rows, 5 million unless the environment says fewer);
the content and retainer dashboards read the bench agency's projects, tasks, approvals and time. Last, 100
clients' weekly reports go from one beat run through real Celery workers to sent, and the total is reported.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django_scopes import scope
from weasyprint import HTML

from agencyops.models import Client
from reporting import dashboards
from reporting.models import ReportDefinition, ReportIssue
from reporting.services import reports
from tests.bench.conftest import paired_medians_ms
from tests.bench.test_reporting_bench import _seed_kpi_facts

pytestmark = pytest.mark.django_db

DASHBOARD_TARGET_RATIO = 3.0
PDF_TARGET_RATIO = 2.0
QUARTER = (dt.date(2025, 1, 1), dt.date(2025, 3, 31))  # inside the seeded days (from 1 Jan 2025)

CAMPAIGN_SQL = [
    # campaigns of the client running in the range (from the same period a year before)
    """SELECT id, name, goal, client_id, project_id FROM reporting_campaign WHERE agency_id = %(agency)s
       AND client_id = %(client)s AND starts_on <= %(end)s AND (ends_on IS NULL OR ends_on >= %(ly_start)s)""",
    # totals per campaign: this quarter, the one before, the same quarter last year
    *[
        f"""SELECT campaign_id, metric, currency, SUM(value), AVG(value) FROM reporting_dailyfact
            WHERE agency_id = %(agency)s AND client_id = %(client)s AND date BETWEEN %({a})s AND %({b})s
              AND level IN ('campaign', 'channel') AND campaign_id IS NOT NULL GROUP BY 1, 2, 3"""
        for a, b in (("start", "end"), ("p_start", "p_end"), ("ly_start", "ly_end"))
    ],
    # top ads
    """SELECT breakdown_value, currency, SUM(value) FILTER (WHERE metric = 'spend'),
              SUM(value) FILTER (WHERE metric = 'clicks'), SUM(value) FILTER (WHERE metric IN ('conversions', 'leads')) AS r
       FROM reporting_dailyfact WHERE agency_id = %(agency)s AND client_id = %(client)s AND level = 'ad'
         AND date BETWEEN %(start)s AND %(end)s AND breakdown_value > '' GROUP BY 1, 2 ORDER BY r DESC NULLS LAST LIMIT 10""",
    # targets: campaigns, targets, the target period's totals
    """SELECT t.campaign_id, t.kpi, t.comparison, t.value, t.currency, t.period FROM reporting_kpitarget t
       JOIN reporting_campaign c ON c.id = t.campaign_id WHERE t.agency_id = %(agency)s AND c.client_id = %(client)s""",
    """SELECT campaign_id, metric, currency, SUM(value) FROM reporting_dailyfact WHERE agency_id = %(agency)s
       AND client_id = %(client)s AND date BETWEEN %(m_start)s AND %(m_end)s AND level IN ('campaign', 'channel')
       AND campaign_id IS NOT NULL GROUP BY 1, 2, 3""",
    # spend and results by day
    """SELECT date, metric, currency, SUM(value) FROM reporting_dailyfact WHERE agency_id = %(agency)s
       AND client_id = %(client)s AND date BETWEEN %(start)s AND %(end)s AND level IN ('campaign', 'channel')
       AND metric IN ('spend', 'conversions', 'leads') GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
]
WEBSITE_SQL = [
    *[
        f"""SELECT breakdown_value, SUM(value) FILTER (WHERE metric = 'sessions'),
                  SUM(value) FILTER (WHERE metric = 'engaged_sessions'), SUM(value) FILTER (WHERE metric = 'key_events')
           FROM reporting_dailyfact WHERE agency_id = %(agency)s AND client_id = %(client)s AND level = 'channel'
             AND date BETWEEN %({a})s AND %({b})s GROUP BY 1"""
        for a, b in (("start", "end"), ("p_start", "p_end"))
    ],
    """SELECT breakdown_value, SUM(value) FILTER (WHERE metric = 'sessions') AS s,
              SUM(value) FILTER (WHERE metric = 'key_events') FROM reporting_dailyfact WHERE agency_id = %(agency)s
         AND client_id = %(client)s AND level = 'landing_page' AND date BETWEEN %(start)s AND %(end)s
       GROUP BY 1 ORDER BY s DESC, 1 LIMIT 10""",
    """SELECT metric, SUM(value) FROM reporting_dailyfact WHERE agency_id = %(agency)s AND client_id = %(client)s
       AND date BETWEEN %(start)s AND %(end)s AND metric IN ('form_fills', 'booked_calls', 'downloads', 'key_events')
       AND level <> 'landing_page' GROUP BY 1""",
]
CONTENT_SQL = [
    """SELECT t.id, t.title, p.name, t.due_date, t.status, t.completed_at, COUNT(d.id) FROM projects_task t
       JOIN projects_project p ON p.id = t.project_id LEFT JOIN projects_deadlinechange d ON d.task_id = t.id
       WHERE t.agency_id = %(agency)s AND p.client_id = %(client)s AND t.due_date BETWEEN %(start)s AND %(end)s
       GROUP BY t.id, p.name ORDER BY t.due_date, t.id""",
    """SELECT DISTINCT ON (d.task_id) d.task_id, d.old_due FROM projects_deadlinechange d JOIN projects_task t
       ON t.id = d.task_id JOIN projects_project p ON p.id = t.project_id WHERE d.agency_id = %(agency)s
       AND p.client_id = %(client)s AND t.due_date BETWEEN %(start)s AND %(end)s ORDER BY d.task_id, d.changed_at, d.id""",
    """SELECT a.id, a.title, a.deliverable, a.status, a.sent_at, a.decided_at, p.revision_rounds_included,
              COUNT(v.id) FILTER (WHERE v.sent_at IS NOT NULL)
       FROM approvals_approvalrequest a JOIN projects_project p ON p.id = a.project_id
       LEFT JOIN approvals_assetversion v ON v.request_id = a.id
       WHERE a.agency_id = %(agency)s AND a.client_id = %(client)s AND a.sent_at::date <= %(end)s
         AND (a.decided_at IS NULL OR a.decided_at::date >= %(start)s) GROUP BY a.id, p.id ORDER BY a.sent_at, a.id""",
]
RETAINER_SQL = [
    # What the staff page shows of each retainer: deliverables due and done this month (only the month's
    # tasks joined), hours used this month, and its terms (hours included, fee, currency).
    """SELECT p.id, p.name, COUNT(t.id), COUNT(t.id) FILTER (WHERE t.status = 'done'),
              (SELECT SUM(e.minutes) FROM projects_timeentry e WHERE e.project_id = p.id
                 AND e.agency_id = %(agency)s AND e.deleted_at IS NULL AND e.timer_started_at IS NULL
                 AND e.work_date BETWEEN %(m_start)s AND %(m_end)s),
              p.retainer_included_hours, p.retainer_monthly_fee, p.retainer_fee_currency
       FROM projects_project p LEFT JOIN projects_task t ON t.project_id = p.id
         AND t.due_date BETWEEN %(m_start)s AND %(m_end)s
       WHERE p.agency_id = %(agency)s AND p.client_id = %(client)s
         AND (p.retainer_included_hours IS NOT NULL OR p.retainer_monthly_fee IS NOT NULL)
       GROUP BY p.id ORDER BY p.name""",
    """SELECT c.created_at, p.name, c.description FROM approvals_changerequest c
       JOIN projects_project p ON p.id = c.project_id WHERE c.agency_id = %(agency)s AND c.client_id = %(client)s
         AND NOT EXISTS (SELECT 1 FROM approvals_changerequestdecision d WHERE d.change_request_id = c.id)
       ORDER BY c.created_at, c.id""",
]
SQL_FOR = {
    "campaigns": CAMPAIGN_SQL,
    "website": WEBSITE_SQL,
    "content": CONTENT_SQL,
    "retainer": RETAINER_SQL,
}


@pytest.fixture(scope="module")
def fact_clients(bench, django_db_blocker) -> list[Client]:
    with django_db_blocker.unblock():
        return _seed_kpi_facts(bench.agency)


def _busiest_project_client(agency) -> Client:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT client_id FROM projects_project WHERE agency_id = %s GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1",
            [agency.pk],
        )
        row = cursor.fetchone()
    return Client.objects.get(pk=row[0]) if row else Client.objects.filter(agency=agency).first()


def _retainer_rows(bench, client: Client) -> dt.date:
    """The seed has no retainers: inside this test's transaction (rolled back after it) the client's projects
    become retainers with a fee and included hours, every task of theirs due in their busiest month gets
    an hour and a half logged, and each retainer has two change requests, one decided, so the retainer
    dashboard and its SQL read real rows; returns that month."""
    from decimal import Decimal

    from django.db.models.functions import TruncMonth

    from approvals.models import ChangeRequest, ChangeRequestDecision
    from projects.models import Project, Task, TimeEntry

    busiest = (
        Task.objects.filter(agency=bench.agency, project__client=client)
        .annotate(month=TruncMonth("due_date"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("-n", "month")
        .first()
    )
    first = busiest["month"] if busiest else dt.date.today().replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    projects = Project.objects.filter(agency=bench.agency, client=client)
    projects.update(
        retainer_monthly_fee=Decimal(6000), retainer_included_hours=Decimal(40), retainer_fee_currency="USD"
    )
    tasks = Task.objects.filter(agency=bench.agency, project__in=projects, due_date__range=(first, last))
    TimeEntry.objects.bulk_create(
        TimeEntry(
            agency=bench.agency, task=t, project_id=t.project_id, client=client, member=bench.owner,
            work_date=t.due_date, minutes=90, note="bench",
        )
        for t in tasks
    )  # fmt: skip
    requests = ChangeRequest.objects.bulk_create(
        ChangeRequest(
            agency=bench.agency, project=p, client=client, citation="Approved in the kickoff.",
            description=f"{word} deliverable for {p.name}", reason="other", requested_by_membership=bench.owner,
        )
        for p in projects
        for word in ("An extra", "A bigger")
    )  # fmt: skip
    ChangeRequestDecision.objects.bulk_create(
        ChangeRequestDecision(
            agency=bench.agency, change_request=r, verdict="approved", decided_by_membership=bench.owner
        )
        for r in requests[::2]
    )
    return first


def _same_retainer_numbers(board: dashboards.Dashboard, params: dict) -> None:
    """The hand-written SQL reads exactly what the retainer page shows (and the page shows real rows)."""
    from decimal import Decimal

    with connection.cursor() as cursor:
        found = []
        for sql in RETAINER_SQL:
            cursor.execute(sql, params)
            found.append(cursor.fetchall())
    lines, requests = found
    assert lines and requests, "the retainer bench should read real retainers and change requests"
    assert board.table("deliverables").rows == [[name, planned, done] for _, name, planned, done, *_ in lines]
    hours = [
        [name, dashboards._q(Decimal(minutes or 0) / 60), included, fee, currency]
        for _, name, _, _, minutes, included, fee, currency in lines
    ]
    assert [row[:5] for row in board.table("hours").rows] == hours  # the rate is the fee over the hours
    assert board.table("change_requests").rows == [
        [created.date(), project, text[:200]] for created, project, text in requests
    ]


@pytest.mark.parametrize("name", ["campaigns", "website", "content", "retainer"])
def test_each_dashboard_over_a_clients_quarter_against_hand_written_sql(bench, fact_clients, report, name):
    agency = bench.agency
    start, end = QUARTER
    with scope(agency=agency.pk):
        client = (
            fact_clients[len(fact_clients) // 2]
            if name in ("campaigns", "website")
            else _busiest_project_client(agency)
        )
        if name in ("content", "retainer"):
            start, end = dt.date.today().replace(day=1) - dt.timedelta(days=60), dt.date.today()
        if name == "retainer":
            # The retainer dashboard is about one month: the client's busiest, so it reads real rows.
            start = _retainer_rows(bench, client)
        previous = dashboards.comparison_period(start, end, "previous")
        last_year = dashboards.same_period_last_year(start, end)
        m_start = start.replace(day=1)
        m_end = (m_start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        params = {
            "agency": agency.pk, "client": client.pk, "start": start, "end": end, "p_start": previous[0],
            "p_end": previous[1], "ly_start": last_year[0], "ly_end": last_year[1], "m_start": m_start,
            "m_end": m_end,
        }  # fmt: skip

        def selector() -> None:
            dashboards.build(name, agency, client, start=start, end=end, compare="previous", as_of=end)

        def by_hand() -> None:
            with connection.cursor() as cursor:
                for sql in SQL_FOR[name]:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        selector_ms, sql_ms = paired_medians_ms(selector, by_hand, times=9)
        if name == "retainer":
            _same_retainer_numbers(dashboards.build(name, agency, client, start=start, end=end, compare="previous",
                                                    as_of=end), params)  # fmt: skip
    ratio = selector_ms / sql_ms
    passed = ratio <= DASHBOARD_TARGET_RATIO
    report.add(
        f"dashboard {name}, one client's quarter vs SQL",
        f"{selector_ms:.1f}",
        "—",
        f"{sql_ms:.1f}",
        f"{ratio:.1f}×",
        f"≤ {DASHBOARD_TARGET_RATIO:g}×",
        "PASS" if passed else "FAIL",
    )
    assert passed, f"the {name} dashboard took {ratio:.1f}× the SQL"


def test_a_weekly_report_pdf_against_bare_weasyprint_on_the_same_html(
    bench, fact_clients, report, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    agency, owner = bench.agency, bench.owner
    client = fact_clients[0]
    now = dt.datetime(2025, 5, 19, 9, tzinfo=dt.UTC)
    with scope(agency=agency.pk), transaction.atomic():
        definition = ReportDefinition.objects.create(
            agency=agency, client=client, name="Bench weekly", coordinator=owner,
            sections=["campaigns", "website", "content", "retainer"],
        )  # fmt: skip
        issue = ReportIssue.objects.create(
            agency=agency, definition=definition, client=client, period_start=dt.date(2025, 5, 12),
            period_end=dt.date(2025, 5, 18),
        )  # fmt: skip
        html = reports.report_html(issue, now=now)
        pages = reports.pdf.render_pdf(html).pages

        def ours() -> None:
            reports.pdf.render_pdf(reports.report_html(issue, now=now))

        def bare() -> None:
            HTML(string=html).write_pdf()

        ours_ms, bare_ms = paired_medians_ms(ours, bare, times=5, warmup=1)
        transaction.set_rollback(True)
    ratio = ours_ms / bare_ms
    passed = ratio <= PDF_TARGET_RATIO
    report.add(
        f"weekly report PDF ({pages} pages) assembled + rendered vs bare WeasyPrint",
        f"{ours_ms:.0f}",
        "—",
        f"{bare_ms:.0f}",
        f"{ratio:.1f}×",
        f"≤ {PDF_TARGET_RATIO:g}×",
        "PASS" if passed else "FAIL",
    )
    assert pages >= 6, f"the bench report has {pages} pages; it should have at least 6"
    assert passed, f"the report took {ratio:.1f}× bare WeasyPrint"


# --- 100 clients' weekly reports through real workers ------------------------------------------------

WEEKLY_CLIENTS = 100
WEEKLY_WORKERS = 2
WEEKLY_TIMEOUT_S = 1800


@pytest.fixture(scope="module")
def weekly_run(bench, fact_clients, django_db_blocker, tmp_path_factory) -> dict:
    """Beat schedules 100 clients' reports for one Monday and real Celery workers (threads, on the real
    Redis) build, render, file and mail them; the definitions and issues are committed, timed from the
    beat run to the last one sent, then removed so the bench data stays as seeded."""
    import pgtrigger
    from celery.contrib.testing.worker import start_worker
    from django.test import override_settings
    from django_scopes import scopes_disabled

    from agencyops.celery import app
    from brandkit.library.models import LibraryItem
    from reporting.models import IssueState

    clients = fact_clients[:WEEKLY_CLIENTS]
    now = dt.datetime(2025, 5, 19, 10, 5, tzinfo=dt.UTC)
    name = f"Bench weekly {time.time_ns()}"
    media = tmp_path_factory.mktemp("weekly-media")
    with django_db_blocker.unblock(), scopes_disabled(), override_settings(MEDIA_ROOT=media):
        definitions = ReportDefinition.objects.bulk_create(
            ReportDefinition(
                agency=bench.agency, client=c, name=name, coordinator=bench.owner, created_by=bench.owner,
                sections=["campaigns", "website", "retainer"], weekday=0, send_at=dt.time(10),
                wait_for_data=False, created_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC),
            )
            for c in clients
        )  # fmt: skip
        for definition in definitions:
            definition.internal_recipients.set([bench.owner])
        try:
            with start_worker(
                app, pool="threads", concurrency=WEEKLY_WORKERS, perform_ping_check=False, shutdown_timeout=60
            ):
                started = time.perf_counter()
                queued = reports.report_issues_schedule(now=now)
                issues = ReportIssue.objects.filter(definition__in=definitions)
                deadline = started + WEEKLY_TIMEOUT_S
                while time.perf_counter() < deadline:
                    if not issues.exclude(state__in=[IssueState.SENT, IssueState.FAILED]).exists():
                        break
                    time.sleep(0.2)
                total_s = time.perf_counter() - started
            states = dict(issues.values_list("state").annotate(n=Count("id")).order_by())
            pages = sum(issues.values_list("page_count", flat=True))
            failures = list(
                issues.filter(state=IssueState.FAILED).values_list("failure_reason", flat=True)[:3]
            )
        finally:
            with pgtrigger.ignore("reporting.ReportIssue:report_issue_immutable_once_sent"):
                ReportIssue.objects.filter(definition__in=definitions).delete()
            ReportDefinition.objects.filter(pk__in=[d.pk for d in definitions]).delete()
            LibraryItem.objects.filter(client__in=clients, title__startswith="Weekly report").delete()
    return {"queued": len(queued), "states": states, "total_s": total_s, "pages": pages, "failures": failures}


def test_100_clients_weekly_reports_through_real_workers(weekly_run, report):
    sent = weekly_run["states"].get("sent", 0)
    total_s = weekly_run["total_s"]
    report.add(
        f"{WEEKLY_CLIENTS} clients' weekly reports, beat to last sent, {WEEKLY_WORKERS} worker threads "
        f"({weekly_run['pages']} pages)",
        f"{total_s * 1000:.0f}",
        "—",
        "—",
        f"{total_s * 1000 / max(sent, 1):.0f} ms/report",
        "total reported",
        "PASS" if sent == WEEKLY_CLIENTS else "FAIL",
    )
    assert weekly_run["queued"] == WEEKLY_CLIENTS
    assert sent == WEEKLY_CLIENTS, (weekly_run["states"], weekly_run["failures"])
