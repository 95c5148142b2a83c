"""A seeded agency for `make bench` at the size BENCH_SIZE names (see SIZES): by default 50 clients,
500 projects of 50 tasks, 100 people and 5,000 deadline moves; "small" is a fifth of that, "large" four times.

Rows go in with bulk_create (the seeding is not what is measured); dates come from the real
business-day module so plans look like the ones the product makes: back-scheduled from a launch,
mostly done in the past, a few tasks overdue, blocked, waiting or needing a decision.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django_scopes import scopes_disabled

from agencyops.data_version import agency_changes_fold
from agencyops.models import Agency, Client, Discipline, Membership, Role, User
from projects import scheduling
from projects.calendars import DEFAULT_SUBDIVISIONS, agency_today
from projects.models import (
    Brief,
    DeadlineChange,
    DeadlineChangeCause,
    Party,
    Phase,
    Project,
    ProjectStatus,
    Task,
    TaskDependency,
    TaskStatus,
)
from projects.page_versions import project_changes_fold

# Bump when the shape of the data changes: an older bench database is then rebuilt.
SEED_VERSION = 4
# The agency sizes the bench measures at: a fixed cost per request shows at the small one, a loop that
# grows faster than the data at the large one. The measured project page keeps its 50 tasks at every size.
SIZES = {"small": 0.2, "default": 1.0, "large": 4.0}
SIZE = os.environ.get("BENCH_SIZE", "default") or "default"
if SIZE not in SIZES:
    raise SystemExit(f"BENCH_SIZE must be one of {', '.join(SIZES)}, not {SIZE!r}.")
SCALE = SIZES[SIZE]
SLUG = f"bench-v{SEED_VERSION}" if SIZE == "default" else f"bench-v{SEED_VERSION}-{SIZE}"
CLIENTS = max(10, round(50 * SCALE))
PROJECTS = round(500 * SCALE)
TASKS_PER_PROJECT = 50
MEMBERS = round(100 * SCALE)
DEADLINE_CHANGES = round(5_000 * SCALE)
BIG_PROJECT_TASKS = 200
TIME_ZONE = "Europe/London"
PAGE_PROJECT_NAME = "Spring campaign (the measured project page)"
BIG_PROJECT_NAME = "Platform rollout (200 tasks)"

LANES = [
    ("Strategy", Discipline.STRATEGIST),
    ("Copy", Discipline.WRITER),
    ("Design", Discipline.DESIGNER),
    ("Media", Discipline.MEDIA_BUYER),
]
PHASES = [("Kick-off", Discipline.ACCOUNT_LEAD), *LANES, ("Launch", Discipline.ACCOUNT_LEAD)]


@dataclass(frozen=True)
class Bench:
    """The seeded agency and the rows the measurements start from."""

    agency: Agency
    owner: Membership
    page_project: Project
    big_project: Project


def load(today: date | None = None) -> Bench | None:
    """The bench agency if it was seeded today with this version, else None (then it is reseeded).

    Dates are seeded relative to the day of seeding; a seed from another day would show a
    different week, so it is not reused.
    """
    with scopes_disabled():
        agency = Agency.objects.filter(slug=SLUG).first()
        if agency is None or agency.created_at.astimezone(ZoneInfo(agency.time_zone)).date() != (
            today or agency_today(agency)
        ):
            return None
        return Bench(
            agency=agency,
            owner=Membership.objects.select_related("user").get(agency=agency, role=Role.OWNER),
            page_project=Project.objects.get(agency=agency, name=PAGE_PROJECT_NAME),
            big_project=Project.objects.get(agency=agency, name=BIG_PROJECT_NAME),
        )


def changes_fold() -> None:
    """Fold the change rows behind the agencies' and the projects' versions into their tallies, as beat does
    every five minutes (``agency-changes-fold``, ``project-changes-fold``): a bench compresses hours of
    writes into minutes, and every versioned read counts the rows not yet folded."""
    agency_changes_fold()
    project_changes_fold()


def bench_today() -> date:
    """Today where the bench agency works (what its dates are seeded around)."""
    return datetime.now(tz=ZoneInfo(TIME_ZONE)).date()


# --------------------------------------------------------------------------- plan shapes


def plan_shape(n_tasks: int) -> list[scheduling.PlanTask]:
    """Kick-off, four parallel lanes of chained work, then the launch milestone that waits for all lanes."""
    work = n_tasks - 2
    tasks = [scheduling.PlanTask(key="t000", duration=1)]
    lane_ends = []
    number = 1
    for lane in range(len(LANES)):
        size = work // len(LANES) + (1 if lane < work % len(LANES) else 0)
        previous = "t000"
        for position in range(size):
            key = f"t{number:03d}"
            dep = scheduling.Dependency(predecessor=previous, kind="FS", lag=0)
            # Every lane has the same rhythm of 1-3 day tasks, so the lanes run side by side.
            duration = 1 + position % 3
            tasks.append(scheduling.PlanTask(key=key, duration=duration, predecessors=(dep,)))
            previous = key
            number += 1
        lane_ends.append(previous)
    deps = tuple(scheduling.Dependency(predecessor=k, kind="FS", lag=0) for k in lane_ends)
    tasks.append(scheduling.PlanTask(key=f"t{number:03d}", duration=0, predecessors=deps))
    return tasks


def _lane_of(index: int, n_tasks: int) -> int:
    """0 kick-off, 1..4 the lanes, 5 the launch (for a task's position in plan_shape)."""
    if index == 0:
        return 0
    if index == n_tasks - 1:
        return len(PHASES) - 1
    work = n_tasks - 2
    edges, start = [], 1
    for lane in range(len(LANES)):
        start += work // len(LANES) + (1 if lane < work % len(LANES) else 0)
        edges.append(start)
    return next(lane for lane, edge in enumerate(edges) if index < edge) + 1


BLOCKED_REASONS = [
    "Client has not sent the brand files",
    "Legal review of claims pending",
    "Budget not approved",
]
TITLES = {
    Discipline.STRATEGIST: ["Audience research", "Positioning", "Channel plan", "Measurement plan"],
    Discipline.WRITER: ["Headline options", "Landing copy", "Email copy", "Social captions"],
    Discipline.DESIGNER: ["Moodboard", "Key visual", "Layouts", "Asset resizes"],
    Discipline.MEDIA_BUYER: ["Audience setup", "Pixel check", "Budget split", "Campaign build"],
    Discipline.ACCOUNT_LEAD: ["Kick-off", "Launch"],
}


# --------------------------------------------------------------------------- seeding


class _Seeder:
    def __init__(self, today: date) -> None:
        self.today = today
        self.rnd = random.Random(2026)
        # Facts added to the seed later draw from their own stream, so the rest of the data (and the
        # figures measured on it) stay what they were.
        self.later = random.Random(2027)
        years = range(today.year - 2, today.year + 3)
        self.calendar = scheduling.calendar_for(
            country="GB", subdivision=DEFAULT_SUBDIVISIONS["GB"], years=years
        )
        self.shapes = {n: plan_shape(n) for n in (TASKS_PER_PROJECT, BIG_PROJECT_TASKS)}
        self.by_discipline: dict[str, list[Membership]] = {}
        self.turn: dict[str, int] = {}

    def people(self, agency: Agency) -> tuple[Membership, list[Membership]]:
        password = make_password(None)
        users = User.objects.bulk_create(
            User(email=f"person{n}@bench.test", full_name=f"Bench Person {n:03d}", password=password)
            for n in range(MEMBERS)
        )
        roles = [Role.OWNER] + [Role.COORDINATOR] * 4 + [Role.MEMBER] * (MEMBERS - 5)
        disciplines = list(Discipline.values)
        members = Membership.objects.bulk_create(
            Membership(
                agency=agency,
                user=user,
                role=role,
                discipline="" if role == Role.OWNER else disciplines[n % len(disciplines)],
                weekly_capacity_hours=Decimal(32 if n % 7 == 0 else 40),
                # A few people have left: their tasks show "Owner unclear".
                is_active=n % 37 != 36,
            )
            for n, (user, role) in enumerate(zip(users, roles, strict=True))
        )
        for m in members:
            if m.discipline:
                self.by_discipline.setdefault(m.discipline, []).append(m)
        return members[0], members

    def assignee(self, discipline: str) -> Membership | None:
        if self.rnd.random() < 0.03:
            return None
        pool = self.by_discipline[discipline]
        self.turn[discipline] = (self.turn.get(discipline, -1) + 1) % len(pool)
        return pool[self.turn[discipline]]

    def project_status(self, launch: date, start: date) -> str:
        if launch < self.today - timedelta(days=14):
            return ProjectStatus.CANCELLED if self.rnd.random() < 0.08 else ProjectStatus.DONE
        if start > self.today + timedelta(days=30):
            return self.rnd.choices(
                [ProjectStatus.PLANNING, ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD], [70, 20, 10]
            )[0]
        return ProjectStatus.ON_HOLD if self.rnd.random() < 0.12 else ProjectStatus.ACTIVE

    def task_state(self, task: Task, project_status: str) -> None:
        rnd, today = self.rnd, self.today
        if project_status == ProjectStatus.DONE:
            task.status = TaskStatus.DONE
        elif task.due_date < today:
            task.status = TaskStatus.DONE if rnd.random() < 0.96 else TaskStatus.IN_PROGRESS
        elif task.start_date <= today:
            task.status = rnd.choices(
                [TaskStatus.IN_PROGRESS, TaskStatus.WAITING, TaskStatus.BLOCKED], [92, 4, 4]
            )[0]
        else:
            task.status = rnd.choices(
                [TaskStatus.NOT_STARTED, TaskStatus.WAITING, TaskStatus.BLOCKED], [996, 2, 2]
            )[0]
        if task.status == TaskStatus.DONE:
            task.completed_at = datetime.combine(task.due_date, time(16), tzinfo=ZoneInfo(TIME_ZONE))
        elif task.status == TaskStatus.WAITING:
            task.waiting_on = rnd.choice(Party.values)
            task.waiting_on_name = "Printwell Ltd" if task.waiting_on == Party.VENDOR else ""
            task.waiting_since = today - timedelta(days=rnd.randint(0, 12))
        elif task.status == TaskStatus.BLOCKED:
            task.blocked_reason = rnd.choice(BLOCKED_REASONS)
            task.blocked_since = today - timedelta(days=self.later.randint(0, 12))
        soon = task.due_date <= today + timedelta(days=21)
        if task.status != TaskStatus.DONE and soon and rnd.random() < 0.01:
            task.needs_decision = True
            task.decision_question = rnd.choice(["Which hero image?", "Extend the flight by a week?"])
            task.decision_by = rnd.choice(["Client", "Account lead", "Owner"])

    def project(
        self,
        agency: Agency,
        client: Client,
        owner: Membership,
        *,
        name: str,
        launch: date,
        n_tasks: int,
        status: str | None = None,
    ) -> tuple[Project, list[Phase], list[Task], list[tuple[str, str]]]:
        """An unsaved project, its phases and tasks, and its dependencies as (predecessor, successor) keys."""
        shape = self.shapes[n_tasks]
        calendar = self.calendar
        slots = scheduling.back_schedule(shape, launch=calendar.roll_backward(launch), calendar=calendar)
        start = scheduling.plan_start(slots)
        launch = max(s.due for s in slots.values())
        status = status or self.project_status(launch, start)
        project = Project(
            agency=agency,
            client=client,
            name=name,
            template_name="Bench campaign",
            status=status,
            launch_date=launch,
            coordinator=owner,
            created_by=owner,
        )
        phases = [
            Phase(agency=agency, project=project, name=phase, order=n, accountable_discipline=discipline)
            for n, (phase, discipline) in enumerate(PHASES)
        ]
        tasks = []
        for index, plan_task in enumerate(shape):
            lane = _lane_of(index, n_tasks)
            discipline = PHASES[lane][1]
            titles = TITLES[discipline]
            task = Task(
                agency=agency,
                project=project,
                phase=phases[lane],
                key=plan_task.key,
                title=f"{titles[index % len(titles)]} {index}",
                discipline=discipline,
                assignee=self.assignee(discipline),
                duration_days=plan_task.duration,
                estimated_hours=Decimal(plan_task.duration * 4 or 1),
                start_date=slots[plan_task.key].start,
                due_date=slots[plan_task.key].due,
                order=index,
            )
            self.task_state(task, status)
            tasks.append(task)
        for phase in phases:
            phase.due_date = max(t.due_date for t in tasks if t.phase is phase)
        deps = [(d.predecessor, t.key) for t in shape for d in t.predecessors]
        return project, phases, tasks, deps

    def seed(self) -> Bench:
        agency = Agency.objects.create(name="Bench Agency", slug=SLUG, time_zone=TIME_ZONE, country="GB")
        owner, members = self.people(agency)
        clients = Client.objects.bulk_create(
            Client(agency=agency, name=f"Client {n:02d}", slug=f"client-{n:02d}") for n in range(CLIENTS)
        )
        built = [
            self.project(
                agency,
                clients[0],
                owner,
                name=PAGE_PROJECT_NAME,
                launch=self.today + timedelta(days=28),
                n_tasks=TASKS_PER_PROJECT,
                status=ProjectStatus.ACTIVE,
            ),
            self.project(
                agency,
                clients[1],
                owner,
                name=BIG_PROJECT_NAME,
                launch=self.today + timedelta(days=260),
                n_tasks=BIG_PROJECT_TASKS,
                status=ProjectStatus.PLANNING,
            ),
        ]
        for n in range(1, PROJECTS):
            launch = self.today + timedelta(days=self.rnd.randint(-200, 200))
            client = clients[n % CLIENTS]
            built.append(
                self.project(
                    agency,
                    client,
                    owner,
                    name=f"{client.name} campaign {n:03d}",
                    launch=launch,
                    n_tasks=TASKS_PER_PROJECT,
                )
            )
        projects = Project.objects.bulk_create(p for p, _, _, _ in built)
        Brief.objects.bulk_create(
            Brief(
                agency=agency, project=p, campaign_name=p.name, internal_owner=owner, due_date=p.launch_date
            )
            for p in projects
        )
        # Phases and tasks were given their project (and tasks their phase) before those had ids;
        # bulk_create picks the ids up from the saved objects.
        Phase.objects.bulk_create(ph for _, phases, _, _ in built for ph in phases)
        Task.objects.bulk_create((t for _, _, tasks, _ in built for t in tasks), batch_size=2_000)
        links = []
        for _, _, tasks, deps in built:
            by_key = {t.key: t for t in tasks}
            links += [
                TaskDependency(agency=agency, predecessor=by_key[a], successor=by_key[b]) for a, b in deps
            ]
        TaskDependency.objects.bulk_create(links, batch_size=5_000)
        self.history(agency, members, built)
        return Bench(agency=agency, owner=owner, page_project=projects[0], big_project=projects[1])

    def history(self, agency: Agency, members: list[Membership], built: list) -> None:
        """Deadline moves spread over the regular projects, a few dozen on the measured project page."""
        regular = [t for _, _, tasks, _ in built[2:] for t in tasks]
        page = built[0][2]
        chosen = [self.rnd.choice(page) for _ in range(40)]
        chosen += [self.rnd.choice(regular) for _ in range(DEADLINE_CHANGES - len(chosen))]
        planners = [m for m in members if m.role in (Role.OWNER, Role.COORDINATOR)]
        now = datetime.now(tz=ZoneInfo("UTC"))
        rows = []
        for task in chosen:
            days = self.rnd.randint(1, 5)
            rows.append(
                DeadlineChange(
                    agency=agency,
                    task=task,
                    old_start=task.start_date - timedelta(days=days),
                    new_start=task.start_date,
                    old_due=task.due_date - timedelta(days=days),
                    new_due=task.due_date,
                    cause=self.rnd.choice([DeadlineChangeCause.MANUAL, DeadlineChangeCause.CASCADE]),
                    reason="Client asked for more time",
                    changed_by=self.rnd.choice(planners),
                    changed_at=now - timedelta(days=self.rnd.randint(1, 120)),
                )
            )
        DeadlineChange.objects.bulk_create(rows, batch_size=2_500)


def seed(today: date) -> Bench:
    """Seed the bench agency in one transaction, so an interrupted seed leaves nothing half-made."""
    with scopes_disabled(), transaction.atomic():
        bench = _Seeder(today).seed()
    # Fresh statistics, as a production database would have: the planner picks plans from them.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return bench
