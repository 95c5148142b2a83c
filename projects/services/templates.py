"""Project templates: the built-in ones and the agency's own, saved from a project or edited."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from agencyops.models import Membership
from projects.builtin_templates import BUILTIN_TEMPLATES, builtin_spec
from projects.models import Project, ProjectTemplate, TaskDependency
from projects.services._shared import _require_planner
from projects.template_spec import SpecError, TemplateSpec, parse_spec

BUILTIN_PREFIX = "builtin:"


@dataclass(frozen=True)
class TemplateChoice:
    ref: str
    name: str
    description: str
    spec: TemplateSpec
    builtin: bool


def template_resolve(*, agency: Any, ref: str) -> TemplateChoice:
    """A template by reference: ``builtin:<slug>`` or an agency template's id."""
    if ref.startswith(BUILTIN_PREFIX):
        slug = ref.removeprefix(BUILTIN_PREFIX)
        if slug not in BUILTIN_TEMPLATES:
            raise ValidationError({"template": "Choose one of the listed templates."})
        data = BUILTIN_TEMPLATES[slug]
        return TemplateChoice(ref, data["name"], data["description"], builtin_spec(slug), True)
    try:
        template = ProjectTemplate.objects.get(agency=agency, pk=int(ref))
    except (ValueError, ProjectTemplate.DoesNotExist):
        raise ValidationError({"template": "Choose one of the listed templates."}) from None
    return TemplateChoice(
        str(template.pk), template.name, template.description, parse_spec(template.spec), False
    )


def template_save_from_project(
    *, actor: Membership, project: Project, name: str, description: str = ""
) -> ProjectTemplate:
    """Save a project's phases, tasks, durations and dependencies as one of the agency's templates."""
    _require_planner(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the template a name."})
    if ProjectTemplate.objects.filter(agency=actor.agency, name__iexact=name).exists():
        raise ValidationError({"name": f"The agency already has a template called “{name}”."})
    phases = list(project.phases.order_by("order"))
    tasks = list(
        project.tasks.filter(recurrence_period__isnull=True)
        .select_related("phase")
        .prefetch_related("required_inputs")
        .order_by("start_date", "order")
    )
    deps = TaskDependency.objects.filter(
        successor__project=project, successor__recurrence_period__isnull=True
    )
    after: dict[int, list[dict[str, Any]]] = defaultdict(list)
    keys = {t.pk: t.key for t in tasks}
    for dep in deps:
        if dep.predecessor_id in keys:
            after[dep.successor_id].append(
                {"key": keys[dep.predecessor_id], "kind": dep.kind, "lag": dep.lag_days}
            )
    spec = {
        "phases": [{"name": p.name, "discipline": p.accountable_discipline} for p in phases],
        "tasks": [
            {
                "key": t.key,
                "title": t.title,
                "phase": t.phase.name if t.phase else phases[0].name,
                "discipline": t.discipline,
                "duration": t.duration_days,
                "hours": float(t.estimated_hours),
                "review": t.is_review_milestone,
                "after": after.get(t.pk, []),
                "inputs": [{"what": i.description, "party": i.from_party} for i in t.required_inputs.all()],
            }
            for t in tasks
        ],
    }
    if project.is_recurring:
        # A retainer keeps its rhythm and its per-period deliverables (one period's worth, without the date).
        spec["recurrence"] = {
            "frequency": project.recurrence_frequency,
            "interval": project.recurrence_interval,
            "weekday": project.recurrence_weekday,
            "day_of_month": project.recurrence_day_of_month,
            "periods_ahead": project.recurrence_periods_ahead,
        }
        first_period = min(
            (t.recurrence_period for t in project.tasks.filter(recurrence_period__isnull=False)), default=None
        )
        if first_period is not None:
            suffix = f"@{first_period:%Y-%m-%d}"
            period_tasks = list(project.tasks.filter(recurrence_period=first_period).select_related("phase"))
            period_keys = {t.pk: t.key.removesuffix(suffix) for t in period_tasks}
            period_deps: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for dep in TaskDependency.objects.filter(
                successor__in=period_tasks, predecessor__in=period_tasks
            ):
                period_deps[dep.successor_id].append(
                    {"key": period_keys[dep.predecessor_id], "kind": dep.kind, "lag": dep.lag_days}
                )
            for t in period_tasks:
                spec["tasks"].append(
                    {
                        "key": period_keys[t.pk],
                        "title": t.title.rsplit(" (", 1)[0],
                        "phase": t.phase.name if t.phase else phases[0].name,
                        "discipline": t.discipline,
                        "duration": t.duration_days,
                        "hours": float(t.estimated_hours),
                        "review": t.is_review_milestone,
                        "recurring": True,
                        "after": period_deps.get(t.pk, []),
                    }
                )
    parse_spec(spec)
    return ProjectTemplate.objects.create(
        agency=actor.agency, name=name, description=description.strip(), spec=spec, created_by=actor
    )


def template_update(
    *, actor: Membership, template: ProjectTemplate, name: str, description: str, spec: Mapping[str, Any]
) -> ProjectTemplate:
    """Edit an agency template; the spec is checked (phases, predecessors, loops) before it is stored."""
    _require_planner(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the template a name."})
    if (
        ProjectTemplate.objects.filter(agency=actor.agency, name__iexact=name)
        .exclude(pk=template.pk)
        .exists()
    ):
        raise ValidationError({"name": f"The agency already has a template called “{name}”."})
    try:
        parsed = parse_spec(spec)
    except SpecError as exc:
        raise ValidationError({"spec": str(exc)}) from None
    template.name, template.description, template.spec = name, description.strip(), parsed.to_json()
    template.save()
    return template
