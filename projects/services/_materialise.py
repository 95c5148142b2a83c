"""Writing a scheduled plan into a project: tasks, links and inputs, each task to its least-loaded member."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum

from agencyops.models import Membership
from projects import scheduling
from projects.models import Phase, Project, RequiredInput, Task, TaskDependency, TaskStatus
from projects.template_spec import TemplateSpec


class _Assigner:
    """Picks, per discipline, the active member with the fewest open hours, counting what it assigns."""

    def __init__(self, agency: Any) -> None:
        members = (
            Membership.objects.filter(agency=agency, is_active=True)
            .exclude(discipline="")
            .annotate(
                load=Sum("assigned_tasks__estimated_hours", filter=~Q(assigned_tasks__status=TaskStatus.DONE))
            )
            .order_by("pk")
        )
        self.load: dict[int, Decimal] = {}
        self.by_discipline: dict[str, list[Membership]] = defaultdict(list)
        for m in members:
            self.load[m.pk] = m.load or Decimal(0)
            self.by_discipline[m.discipline].append(m)

    def pick(self, discipline: str, hours: Decimal = Decimal(0)) -> Membership | None:
        candidates = self.by_discipline.get(discipline) or []
        if not candidates:
            return None
        chosen = min(candidates, key=lambda m: (self.load[m.pk], m.pk))
        self.load[chosen.pk] += hours
        return chosen


def _materialise_tasks(
    *,
    project: Project,
    spec: TemplateSpec,
    tasks: list[scheduling.PlanTask],
    slots: Mapping[str, scheduling.Slot],
    phases: Mapping[str, Phase],
    assigner: _Assigner,
    calendar: scheduling.BusinessCalendar,
    key_suffix: str = "",
    period: date | None = None,
) -> list[Task]:
    """Create the tasks, their dependencies and required inputs of a scheduled plan (bulk inserts)."""
    by_key = {t.key: t for t in spec.tasks}
    rows = []
    for order, plan_task in enumerate(tasks):
        t = by_key[plan_task.key]
        hours = Decimal(str(t.hours))
        rows.append(
            Task(
                agency=project.agency,
                project=project,
                phase=phases.get(t.phase),
                key=t.key + key_suffix,
                title=t.title if period is None else f"{t.title} ({period:%b %Y})",
                discipline=t.discipline,
                assignee=assigner.pick(t.discipline, hours) if t.discipline else None,
                duration_days=t.duration,
                estimated_hours=hours,
                start_date=slots[t.key].start,
                due_date=slots[t.key].due,
                is_review_milestone=t.review,
                recurrence_period=period,
                order=order,
            )
        )
    created = Task.objects.bulk_create(rows)
    task_by_key = {t.key: t for t in created}
    deps = [
        TaskDependency(
            agency=project.agency,
            predecessor=task_by_key[dep.predecessor + key_suffix],
            successor=task_by_key[plan_task.key + key_suffix],
            kind=dep.kind,
            lag_days=dep.lag,
        )
        for plan_task in tasks
        for dep in plan_task.predecessors
    ]
    TaskDependency.objects.bulk_create(deps)
    inputs, links = [], []
    for plan_task in tasks:
        for item in by_key[plan_task.key].inputs:
            task = task_by_key[plan_task.key + key_suffix]
            inputs.append(
                (
                    RequiredInput(
                        agency=project.agency,
                        project=project,
                        description=item.what,
                        from_party=item.party,
                        expected_by=calendar.add_business_days(task.start_date, -item.lead_days),
                    ),
                    task,
                )
            )
    created_inputs = RequiredInput.objects.bulk_create([i for i, _ in inputs])
    for required, (_, task) in zip(created_inputs, inputs, strict=True):
        links.append(RequiredInput.tasks.through(requiredinput_id=required.pk, task_id=task.pk))
    RequiredInput.tasks.through.objects.bulk_create(links)
    return created
