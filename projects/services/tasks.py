"""Day-to-day task changes: status, decisions to take, assignee, and one-off tasks added to a plan."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from agencyops.models import ClientContact, Discipline, Membership
from agencyops.notifications.services import notify
from projects import scheduling
from projects.calendars import agency_calendar, agency_today
from projects.models import Party, Phase, Project, Task, TaskDependency, TaskStatus, TaskStatusChange
from projects.services._shared import _refresh_phase_deadlines, _require_planner, _require_team, _rescan_soon


@transaction.atomic
def task_update_status(
    *,
    actor: Membership,
    task: Task,
    status: str,
    waiting_on: str = "",
    waiting_on_name: str = "",
    blocked_reason: str = "",
) -> Task:
    """Change a task's status; waiting says on whom, blocked says why."""
    _require_team(actor)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if status not in TaskStatus.values:
        raise ValidationError({"status": f"“{status}” is not a task status."})
    if status == TaskStatus.WAITING:
        if waiting_on not in Party.values:
            raise ValidationError(
                {"waiting_on": "Say whom the task is waiting on: the agency, the client or a vendor."}
            )
        if waiting_on == Party.VENDOR and not waiting_on_name.strip():
            raise ValidationError({"waiting_on_name": "Name the vendor."})
        if task.status != TaskStatus.WAITING or task.waiting_on != waiting_on:
            task.waiting_since = agency_today(actor.agency)
        task.waiting_on, task.waiting_on_name = waiting_on, waiting_on_name.strip()
    elif status == TaskStatus.BLOCKED and (waiting_on or waiting_on_name.strip()):
        # A blocked task often waits on someone too: keep whom it was entered with, never drop it silently.
        if waiting_on not in Party.values:
            raise ValidationError(
                {"waiting_on": "Say whom the task is waiting on: the agency, the client or a vendor."}
            )
        if task.waiting_on != waiting_on or task.waiting_since is None:
            task.waiting_since = agency_today(actor.agency)
        task.waiting_on, task.waiting_on_name = waiting_on, waiting_on_name.strip()
    else:
        task.waiting_on, task.waiting_on_name, task.waiting_since = "", "", None
    if status == TaskStatus.BLOCKED:
        if not blocked_reason.strip():
            raise ValidationError({"blocked_reason": "Say why the task is blocked."})
        if task.status != TaskStatus.BLOCKED:
            # Rewording the reason of a task that stays blocked keeps the day it became blocked.
            task.blocked_since = agency_today(actor.agency)
        task.blocked_reason = blocked_reason.strip()
    else:
        task.blocked_reason, task.blocked_since = "", None
    became_done = status == TaskStatus.DONE and task.status != TaskStatus.DONE
    task.completed_at = timezone.now() if status == TaskStatus.DONE else None
    old_status = task.status
    task.status = status
    task.save()
    if old_status != status:
        TaskStatusChange.objects.create(
            agency_id=task.agency_id,
            task=task,
            old_status=old_status,
            new_status=status,
            note=task.blocked_reason or task.waiting_on_name or task.waiting_on,
            changed_by=actor,
        )
    if became_done:
        task_successors_tell_ready(done=task)
    _rescan_soon(task.agency_id)
    return task


def task_successors_tell_ready(*, done: Task) -> int:
    """The handoff: each task after ``done`` whose predecessors are now all done tells its assignee.

    Call it after ``done`` became done (a status change here, an approval closing a review milestone)."""
    still_open = TaskDependency.objects.filter(successor=OuterRef("pk")).exclude(
        predecessor__status=TaskStatus.DONE
    )
    ready = (
        Task.objects.filter(pk__in=TaskDependency.objects.filter(predecessor=done).values("successor_id"))
        .exclude(status=TaskStatus.DONE)
        .exclude(assignee=None)
        .filter(~Exists(still_open))
        .select_related("assignee__user", "project", "agency")
    )
    told = 0
    for task in ready:
        person = task.assignee.user
        told += bool(
            notify(
                agency=task.agency,
                to=person.email,
                recipient=person,
                subject=f"You can start: {task.title}",
                body=f"“{done.title}” is done, so “{task.title}” ({task.project.name}) can start.",
                kind="task_can_start",
                dedupe_key=f"task:{task.pk}:can-start:{done.pk}",
                target=task,
                url=reverse("task_detail", kwargs={"agency_slug": task.agency.slug, "task_id": task.pk}),
            )
        )
    return told


@transaction.atomic
def task_flag_decision(
    *,
    actor: Membership,
    task: Task,
    question: str,
    decide_by: str = "",
    decider: Membership | ClientContact | None = None,
) -> Task:
    """Flag that a task needs a decision: what the question is and who must decide.

    ``decider`` is a person (someone active on the team, or a contact of the project's client), as the
    pages and the API pick it; a bare name (``decide_by``) is only accepted from imports and old callers."""
    _require_team(actor)
    if not question.strip():
        raise ValidationError({"decision_question": "Write the question that needs deciding."})
    member = contact = None
    if isinstance(decider, Membership):
        if decider.agency_id != task.agency_id or not decider.is_active:
            raise ValidationError(
                {"decision_by": "Pick someone on the team or one of the client's contacts."}
            )
        member, decide_by = decider, decider.user.full_name or decider.user.email
    elif isinstance(decider, ClientContact):
        project_client = (
            Project.objects.filter(pk=task.project_id).values_list("client_id", flat=True).first()
        )
        if decider.client_id != project_client or not decider.is_active:
            raise ValidationError(
                {"decision_by": "Pick someone on the team or one of the client's contacts."}
            )
        contact, decide_by = decider, decider.full_name
    if not decide_by.strip():
        raise ValidationError({"decision_by": "Say who must decide."})
    task.needs_decision, task.decision_question = True, question.strip()
    task.decision_by, task.decider_member, task.decider_contact = decide_by.strip()[:120], member, contact
    task.save(
        update_fields=[
            "needs_decision",
            "decision_question",
            "decision_by",
            "decider_member",
            "decider_contact",
            "updated_at",
        ]
    )
    return task


@transaction.atomic
def task_clear_decision(*, actor: Membership, task: Task) -> Task:
    """The decision was taken: the task no longer waits for it."""
    _require_team(actor)
    task.needs_decision, task.decision_question, task.decision_by = False, "", ""
    task.decider_member = task.decider_contact = None
    task.save(
        update_fields=[
            "needs_decision",
            "decision_question",
            "decision_by",
            "decider_member",
            "decider_contact",
            "updated_at",
        ]
    )
    return task


@transaction.atomic
def task_assign(*, actor: Membership, task: Task, assignee: Membership | None) -> Task:
    """Give a task to someone on the team (or nobody)."""
    _require_planner(actor)
    if assignee is not None and (assignee.agency_id != actor.agency_id or not assignee.is_active):
        raise ValidationError({"assignee": "Choose someone on your team."})
    task.assignee = assignee
    task.save(update_fields=["assignee", "updated_at"])
    return task


@transaction.atomic
def task_create(
    *,
    actor: Membership,
    project: Project,
    title: str,
    phase: Phase | None = None,
    discipline: str = "",
    duration_days: int = 1,
    estimated_hours: Decimal | int | str = 0,
    after: Task | None = None,
    assignee: Membership | None = None,
) -> Task:
    """Add a one-off task to a project's plan: it starts when the task it follows allows (or today), and is
    marked as added after the plan so the risk scan can ask whether the brief covers it."""
    _require_planner(actor)
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = "Name the task."
    try:
        duration = int(duration_days)
    except (TypeError, ValueError):
        duration = -1
    if duration < 0 or duration > 250:
        errors["duration_days"] = "The duration is a whole number of business days, 0 for a milestone."
    try:
        hours = Decimal(str(estimated_hours or 0))
    except ArithmeticError:
        hours = Decimal(-1)
    if hours < 0:
        errors["estimated_hours"] = "Hours cannot be below zero."
    if phase is not None and phase.project_id != project.pk:
        errors["phase"] = "Choose a phase of this project."
    if after is not None and after.project_id != project.pk:
        errors["after"] = "A task can only follow a task of the same project."
    if assignee is not None and (assignee.agency_id != actor.agency_id or not assignee.is_active):
        errors["assignee"] = "Choose someone on your team."
    if discipline and discipline not in Discipline.values:
        errors["discipline"] = "Choose one of the disciplines."
    if errors:
        raise ValidationError(errors)
    calendar = agency_calendar(actor.agency)
    start = calendar.roll_forward(agency_today(actor.agency))
    if after is not None:
        pred = scheduling.PlanTask(key=after.key, duration=after.duration_days)
        earliest = scheduling.earliest_start(
            pred,
            scheduling.Slot(after.start_date, after.due_date),
            scheduling.Dependency(after.key),
            calendar,
        )
        start = max(start, earliest)
    due = calendar.add_business_days(start, max(duration - 1, 0))
    base = slugify(title)[:60] or "task"
    taken = set(Task.objects.filter(project=project, key__startswith=base).values_list("key", flat=True))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    task = Task.objects.create(
        agency=actor.agency,
        project=project,
        phase=phase,
        key=key,
        title=title,
        discipline=discipline,
        assignee=assignee,
        duration_days=duration,
        estimated_hours=hours,
        start_date=start,
        due_date=due,
        added_after_plan=True,
        order=project.tasks.count(),
    )
    if after is not None:
        TaskDependency.objects.create(agency=actor.agency, predecessor=after, successor=task)
    _refresh_phase_deadlines(project)
    _rescan_soon(actor.agency_id)
    return task
