"""The risk scan end to end: a plan in the database, the real Celery task on a real worker, escalation rows."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django_scopes import scope

from agencyops.celery import app
from agencyops.models import Discipline
from projects import services
from projects.escalations import escalation_resolve
from projects.models import (
    Brief,
    DeadlineChange,
    Escalation,
    EscalationEvent,
    EscalationState,
    Phase,
    Project,
    ProjectStatus,
    RequiredInput,
    Task,
    TaskDependency,
)
from projects.tasks import scan_agency
from tests import factories

SEED = (
    "The landing page copy was due Tuesday, design starts Thursday, and without copy today "
    "the launch date moves by two business days."
)
# Wednesday 2 December 2026, mid-morning in London.
WEDNESDAY = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def _seed_project(team) -> Project:
    """The seed's scenario as a real plan: copy owed Tuesday, design from Thursday, launch Thursday after."""
    agency, coordinator = team["agency"], team["coordinator"]
    designer = next(m for m in team["members"] if m.discipline == Discipline.DESIGNER)
    with scope(agency=agency.pk):
        project = Project.objects.create(
            agency=agency,
            client=team["clients"][0],
            name="Spring offer landing page",
            launch_date=date(2026, 12, 10),
            coordinator=coordinator,
            status=ProjectStatus.ACTIVE,
        )
        Brief.objects.create(agency=agency, project=project, campaign_name=project.name)
        phase = Phase.objects.create(agency=agency, project=project, name="Creative")

        def task(key, title, start, due, duration, status="not_started"):
            return Task.objects.create(
                agency=agency,
                project=project,
                phase=phase,
                key=key,
                title=title,
                start_date=start,
                due_date=due,
                duration_days=duration,
                status=status,
                assignee=designer,
            )

        brief = task("brief", "Write brief", date(2026, 11, 30), date(2026, 12, 1), 2, status="done")
        design = task("design", "Design", date(2026, 12, 3), date(2026, 12, 7), 3)
        build = task("build", "Build landing page", date(2026, 12, 8), date(2026, 12, 9), 2)
        launch = task("launch", "Launch", date(2026, 12, 10), date(2026, 12, 10), 0)
        for pred, succ in ((brief, design), (design, build), (build, launch)):
            TaskDependency.objects.create(agency=agency, predecessor=pred, successor=succ)
        copy = RequiredInput.objects.create(
            agency=agency,
            project=project,
            description="Landing page copy",
            short_name="copy",
            from_party="client",
            expected_by=date(2026, 12, 1),
        )
        copy.tasks.add(design)
    return project


def _mails_to(address: str, timeout: float = 15) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in mail.outbox if address in m.to]
        if found:
            time.sleep(0.5)  # a second mail, if one were wrongly sent, would come right behind the first
            return [m for m in mail.outbox if address in m.to]
        time.sleep(0.1)
    return []


@pytest.fixture
def worker():
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as running:
        yield running


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_seed_escalation_comes_out_of_the_real_scan_and_clears_itself(team, worker):
    with time_machine.travel(WEDNESDAY, tick=True):
        project = _seed_project(team)
        result = scan_agency.delay(team["agency"].pk).get(timeout=30)
        assert result["opened"] >= 1
        with scope(agency=team["agency"].pk):
            escalation = Escalation.objects.get(rule="missing_input")
            assert escalation.message.startswith(SEED)
            assert escalation.project == project and escalation.section == "blocked"
            # A second scan updates nothing and adds no row.
            again = scan_agency.delay(team["agency"].pk).get(timeout=30)
            assert again["opened"] == 0 and Escalation.objects.filter(rule="missing_input").count() == 1
            # The copy arrives: the next scan resolves the escalation by itself, with when it cleared.
            services.required_input_receive(actor=team["coordinator"], item=RequiredInput.objects.get())
        scan_agency.delay(team["agency"].pk).get(timeout=30)
        with scope(agency=team["agency"].pk):
            escalation.refresh_from_db()
            assert escalation.state == EscalationState.RESOLVED and escalation.cleared_at is not None
            actions = list(
                EscalationEvent.objects.filter(escalation=escalation).values_list("action", flat=True)
            )
            assert actions == ["found", "cleared"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_risk_that_returns_reopens_its_escalation_and_high_ones_mail_the_leads_once(team, worker):
    with time_machine.travel(WEDNESDAY, tick=True):
        project = _seed_project(team)
        scan_agency.delay(team["agency"].pk).get(timeout=30)
        with scope(agency=team["agency"].pk):
            escalation = Escalation.objects.get(rule="missing_input")
            # The mail is its own task on the same worker: it arrives just after the scan.
            owner_mails = _mails_to(team["owner"].user.email)
            assert escalation.severity == "high" and escalation.notified_at is not None
            assert len(owner_mails) == 1 and SEED in owner_mails[0].body
            escalation_resolve(actor=team["owner"], escalation=escalation, note="Chased the client by phone")
        scan_agency.delay(team["agency"].pk).get(timeout=30)
        with scope(agency=team["agency"].pk):
            escalation.refresh_from_db()
            assert escalation.state == EscalationState.OPEN
            actions = list(
                EscalationEvent.objects.filter(escalation=escalation).values_list("action", flat=True)
            )
            assert actions == ["found", "resolved", "reopened"]
        assert project.pk


@pytest.mark.django_db
def test_the_scan_reads_an_agency_in_the_same_number_of_queries_whatever_its_size(
    team, django_assert_num_queries
):
    from projects.risk_scan import agency_snapshot

    def count(agency):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with scope(agency=agency.pk), CaptureQueriesContext(connection) as ctx:
            agency_snapshot(agency)
        return len(ctx.captured_queries)

    factories.project_create(actor=team["coordinator"], client=team["clients"][0])
    small = count(team["agency"])
    for n in range(6):
        factories.project_create(
            actor=team["coordinator"], client=team["clients"][n % 2], launch_in_days=90 + n
        )
    with scope(agency=team["agency"].pk):
        Project.objects.update(status=ProjectStatus.ACTIVE)
    assert count(team["agency"]) == small


@pytest.mark.django_db
def test_the_scan_reads_each_task_as_the_snapshot_the_rules_expect(team):
    """The scan builds its task snapshots from rows without the dataclass's keyword constructor: each one
    holds every field, with the same values the constructor would give."""
    from dataclasses import fields

    from projects import risks
    from projects.risk_scan import agency_snapshot
    from projects.scheduling import Dependency

    project = _seed_project(team)
    designer = next(m for m in team["members"] if m.discipline == Discipline.DESIGNER)
    with scope(agency=team["agency"].pk):
        [snapshot] = [p for p in agency_snapshot(team["agency"]).projects if p.project_id == project.pk]
        design = Task.objects.get(project=project, key="design")
        copy = RequiredInput.objects.get(project=project)
    scanned = next(t for t in snapshot.tasks if t.key == "design")
    assert scanned.__dict__.keys() == {f.name for f in fields(risks.TaskSnap)}
    assert scanned == risks.TaskSnap(
        id=design.pk,
        key="design",
        title="Design",
        start=date(2026, 12, 3),
        due=date(2026, 12, 7),
        duration=3,
        status="not_started",
        phase="Creative",
        discipline="",
        assignee_id=designer.pk,
        assignee_name=designer.user.full_name,
        assignee_active=True,
        predecessors=(Dependency(predecessor="brief", kind="FS", lag=0),),
        input_ids=(copy.pk,),
    )
    assert [t.key for t in snapshot.tasks] == ["brief", "design", "build", "launch"]


def _make(team, project, rule):
    """Turn the seed project into a scenario for one rule, through the services people use."""
    from approvals import services as approval_services

    agency = team["agency"]
    with scope(agency=agency.pk):
        tasks = {t.key: t for t in project.tasks.all()}
        RequiredInput.objects.update(received_at=date(2026, 11, 30))
        if rule == "deadline_moved":
            for n in range(2):
                task = Task.objects.get(pk=tasks["build"].pk)
                services.task_reschedule(
                    actor=team["coordinator"],
                    task=task,
                    new_due=date(2026, 12, 10 + n),
                    reason="The developer is off sick",
                )
        elif rule == "owner_unclear":
            Task.objects.filter(pk=tasks["build"].pk).update(assignee=None)
        elif rule == "capacity":
            Task.objects.filter(pk=tasks["design"].pk).update(estimated_hours=90)
        elif rule == "scope":
            Task.objects.filter(pk=tasks["design"].pk).update(status="in_progress")
            approval_services.change_request_create(
                project=project,
                description="Add a second landing page for Spain",
                requester=team["coordinator"],
                rework_days=2,
            )
        elif rule == "launch_at_risk":
            # Design should have finished Monday and has five days of work left in it.
            Task.objects.filter(pk=tasks["design"].pk).update(
                start_date=date(2026, 11, 24), due_date=date(2026, 11, 30), duration_days=5
            )
        elif rule == "decision_needed":
            services.task_flag_decision(
                actor=team["coordinator"],
                task=tasks["build"],
                question="Webflow or WordPress?",
                decide_by="Sam (owner)",
            )


EXPECTED = {
    "deadline_moved": "“Build landing page” (Spring offer landing page) has been moved twice, from Wed 9 Dec to "
    "Fri 11 Dec, by Casey Coordinator.",
    "owner_unclear": "Nobody owns “Build landing page” (Spring offer landing page), which starts Tuesday.",
    "capacity": "{designer} has 60 hours of work this week against a capacity of 40, all on Spring offer "
    "landing page.",
    "scope": "Work has started on “Add a second landing page for Spain” (Spring offer landing page), a change "
    "request still waiting on the owner.",
    "launch_at_risk": "The Spring offer landing page launch is forecast for Fri 11 Dec, one business day after "
    "the committed Thu 10 Dec, because “Design” is still open past its due date.",
    "decision_needed": "Sam (owner) needs to decide “Webflow or WordPress?” for “Build landing page” (Spring offer "
    "landing page), which is due Wed 9 Dec. “Launch” waits on it.",
}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rule", list(EXPECTED))
def test_each_rule_speaks_through_the_real_scan(team, worker, rule):
    with time_machine.travel(WEDNESDAY, tick=True):
        project = _seed_project(team)
        _make(team, project, rule)
        scan_agency.delay(team["agency"].pk).get(timeout=30)
        with scope(agency=team["agency"].pk):
            messages = list(Escalation.objects.filter(rule=rule).values_list("message", flat=True))
    designer = next(m for m in team["members"] if m.discipline == Discipline.DESIGNER).user.full_name
    assert messages == [EXPECTED[rule].format(designer=designer)]


@pytest.mark.django_db
@time_machine.travel(WEDNESDAY, tick=False)
def test_reading_the_tasks_in_parts_gives_the_same_snapshot_as_reading_them_at_once(team, monkeypatch):
    """The scan reads the live tasks in parts, by project, so that PostgreSQL sends one part while the one
    before is put in plan order: however many parts, every project, link, input and week of load is the
    same, for the whole agency and for some of its projects."""
    from dataclasses import fields

    from projects import risk_scan
    from projects.risks import DeadlineChangeSnap

    seeded = _seed_project(team)
    for n in range(5):
        factories.project_create(
            actor=team["coordinator"], client=team["clients"][n % 2], launch_in_days=45 + n
        )
    with scope(agency=team["agency"].pk):
        Project.objects.update(status=ProjectStatus.ACTIVE)
        ids = sorted(Project.objects.values_list("pk", flat=True))
        design = Task.objects.get(project=seeded, key="design")
        moved = DeadlineChange.objects.create(
            agency=team["agency"],
            task=design,
            old_start=design.start_date,
            new_start=design.start_date,
            old_due=design.due_date - timedelta(days=1),
            new_due=design.due_date,
            cause="manual",
            reason="Copy late",
            changed_by=team["coordinator"],
        )

    def snapshot(parts, project_ids=None):
        monkeypatch.setattr(risk_scan, "TASK_PARTS", parts)
        monkeypatch.setattr(risk_scan, "_kept_reads", {})
        with scope(agency=team["agency"].pk):
            return risk_scan.agency_snapshot(team["agency"], project_ids=project_ids)

    whole = snapshot(1)
    assert len(whole.projects) == 6
    assert sum(bool(task.predecessors) for p in whole.projects for task in p.tasks) > 20
    assert any(task.input_ids for p in whole.projects for task in p.tasks if p.project_id == seeded.pk)
    assert whole.projects[0].weekly_load
    # A move is read as the snapshot its dataclass would build, every field set.
    [change] = next(p for p in whole.projects if p.project_id == seeded.pk).deadline_changes
    assert change.__dict__.keys() == {f.name for f in fields(DeadlineChangeSnap)}
    assert change == DeadlineChangeSnap(
        id=moved.pk,
        task_id=design.pk,
        old_due=moved.old_due,
        new_due=moved.new_due,
        changed_at=moved.changed_at,
        cause="manual",
        changed_by_name=team["coordinator"].user.full_name,
    )
    for parts in (2, 3, 7):
        assert snapshot(parts) == whole
    some = [ids[0], ids[3]]
    assert snapshot(3, some) == snapshot(1, some)
    assert [p.project_id for p in snapshot(2, some).projects] == some


@pytest.mark.django_db
@time_machine.travel(WEDNESDAY, tick=False)
def test_storing_what_a_scan_found_hands_the_caller_one_moment_while_the_database_writes(team):
    """The scan frees its snapshot while PostgreSQL writes the escalations it opens: the store calls back
    once, after the write is sent and before it is read back, and once when there is nothing to open."""
    from projects.escalations import Found, escalations_sync

    project = _seed_project(team)
    agency = team["agency"]
    calls = []

    def found(n):
        return Found(
            project_id=project.pk,
            rule="owner_unclear",
            fingerprint=f"owner_unclear:probe:{n}",
            severity="medium",
            section="needs_decision",
            message=f"Probe {n}",
            facts={"n": n},
        )

    def meanwhile():
        calls.append("called")

    with scope(agency=agency.pk):
        result = escalations_sync(
            agency_id=agency.pk, found=[found(1), found(2)], today=WEDNESDAY.date(), meanwhile=meanwhile
        )
        assert [e.fingerprint for e in result.opened] == ["owner_unclear:probe:1", "owner_unclear:probe:2"]
        assert all(e.pk for e in result.opened)
        assert len(calls) == 1
        again = escalations_sync(
            agency_id=agency.pk, found=[found(1), found(2)], today=WEDNESDAY.date(), meanwhile=meanwhile
        )
        assert again.opened == [] and len(calls) == 2
