"""The shape of a project template (built-in or an agency's own), parsed and checked as plain values.

A spec is JSON-friendly: ``{"phases": [...], "tasks": [...], "recurrence": {...}?}``. Parsing refuses
unknown phases, unknown predecessors, bad numbers and dependency loops, naming the problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from projects import scheduling

DISCIPLINES = ("strategist", "designer", "writer", "media_buyer", "account_lead")
PARTIES = ("agency", "client", "vendor")

DEFAULT_PHASES: tuple[tuple[str, str], ...] = (
    ("Strategy", "strategist"),
    ("Creative", "designer"),
    ("Production", "designer"),
    ("QA", "account_lead"),
    ("Scheduling", "media_buyer"),
    ("Launch", "account_lead"),
)


class SpecError(ValueError):
    """A template spec that cannot be used, with a message for the person editing it."""


@dataclass(frozen=True)
class PhaseSpec:
    name: str
    discipline: str = ""


@dataclass(frozen=True)
class InputSpec:
    what: str
    party: str = "client"
    # Business days before the needing task starts that the input is expected.
    lead_days: int = 2


@dataclass(frozen=True)
class TaskSpec:
    key: str
    title: str
    phase: str
    discipline: str = ""
    duration: int = 1
    hours: float = 0
    review: bool = False
    recurring: bool = False
    after: tuple[scheduling.Dependency, ...] = ()
    inputs: tuple[InputSpec, ...] = ()


@dataclass(frozen=True)
class TemplateSpec:
    phases: tuple[PhaseSpec, ...]
    tasks: tuple[TaskSpec, ...]
    recurrence: Mapping[str, Any] = field(default_factory=dict)

    def plan_tasks(self, *, recurring: bool | None = None) -> list[scheduling.PlanTask]:
        """The tasks as scheduling input; ``recurring`` selects one-off (False) or per-period (True) tasks."""
        chosen = [t for t in self.tasks if recurring is None or t.recurring == recurring]
        keys = {t.key for t in chosen}
        return [
            scheduling.PlanTask(
                key=t.key,
                duration=t.duration,
                predecessors=tuple(d for d in t.after if d.predecessor in keys),
            )
            for t in chosen
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "phases": [{"name": p.name, "discipline": p.discipline} for p in self.phases],
            "tasks": [
                {
                    "key": t.key,
                    "title": t.title,
                    "phase": t.phase,
                    "discipline": t.discipline,
                    "duration": t.duration,
                    "hours": t.hours,
                    "review": t.review,
                    "recurring": t.recurring,
                    "after": [{"key": d.predecessor, "kind": d.kind, "lag": d.lag} for d in t.after],
                    "inputs": [
                        {"what": i.what, "party": i.party, "lead_days": i.lead_days} for i in t.inputs
                    ],
                }
                for t in self.tasks
            ],
            **({"recurrence": dict(self.recurrence)} if self.recurrence else {}),
        }


def _int(value: Any, what: str, *, minimum: int = 0) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SpecError(f"{what} must be a whole number.") from None
    if number < minimum:
        raise SpecError(f"{what} cannot be below {minimum}.")
    return number


def parse_spec(data: Mapping[str, Any]) -> TemplateSpec:
    """Check a JSON spec and return it as values; raises SpecError naming the first problem."""
    if not isinstance(data, Mapping):
        raise SpecError("A template needs phases and tasks.")
    raw_phases = data.get("phases") or [{"name": n, "discipline": d} for n, d in DEFAULT_PHASES]
    phases = []
    for raw in raw_phases:
        name = str(raw.get("name", "")).strip()
        discipline = str(raw.get("discipline", "") or "")
        if not name:
            raise SpecError("Every phase needs a name.")
        if discipline and discipline not in DISCIPLINES:
            raise SpecError(f"Phase “{name}”: “{discipline}” is not a discipline.")
        phases.append(PhaseSpec(name=name, discipline=discipline))
    phase_names = {p.name for p in phases}
    if len(phase_names) != len(phases):
        raise SpecError("Two phases have the same name.")

    raw_tasks = data.get("tasks") or []
    if not raw_tasks:
        raise SpecError("A template needs at least one task.")
    tasks: list[TaskSpec] = []
    seen: set[str] = set()
    for raw in raw_tasks:
        key = str(raw.get("key", "")).strip()
        title = str(raw.get("title", "")).strip()
        label = title or key or "A task"
        if not key or not title:
            raise SpecError(f"{label}: every task needs a key and a title.")
        if key in seen:
            raise SpecError(f"Two tasks use the key “{key}”.")
        seen.add(key)
        phase = str(raw.get("phase", "")).strip()
        if phase not in phase_names:
            raise SpecError(f"“{title}” is in phase “{phase}”, which the template does not have.")
        discipline = str(raw.get("discipline", "") or "")
        if discipline and discipline not in DISCIPLINES:
            raise SpecError(f"“{title}”: “{discipline}” is not a discipline.")
        after = []
        for dep in raw.get("after", []) or []:
            kind = str(dep.get("kind", "FS")).upper()
            if kind not in ("FS", "SS"):
                raise SpecError(f"“{title}”: a dependency is finish-to-start (FS) or start-to-start (SS).")
            lag = _int(dep.get("lag", 0), f"“{title}”: the lag")
            after.append(scheduling.Dependency(predecessor=str(dep.get("key")), kind=kind, lag=lag))  # type: ignore[arg-type]
        inputs = []
        for item in raw.get("inputs", []) or []:
            party = str(item.get("party", "client"))
            if party not in PARTIES:
                raise SpecError(f"“{title}”: inputs come from the agency, the client or a vendor.")
            what = str(item.get("what", "")).strip()
            if not what:
                raise SpecError(f"“{title}”: a required input needs a description.")
            inputs.append(
                InputSpec(what=what, party=party, lead_days=_int(item.get("lead_days", 2), "Lead days"))
            )
        hours = raw.get("hours", 0) or 0
        try:
            hours = float(hours)
        except (TypeError, ValueError):
            raise SpecError(f"“{title}”: hours must be a number.") from None
        if hours < 0:
            raise SpecError(f"“{title}”: hours cannot be below zero.")
        tasks.append(
            TaskSpec(
                key=key,
                title=title,
                phase=phase,
                discipline=discipline,
                duration=_int(raw.get("duration", 1), f"“{title}”: the duration"),
                hours=hours,
                review=bool(raw.get("review", False)),
                recurring=bool(raw.get("recurring", False)),
                after=tuple(after),
                inputs=tuple(inputs),
            )
        )
    for task in tasks:
        for dep in task.after:
            if dep.predecessor not in seen:
                raise SpecError(
                    f"“{task.title}” waits for “{dep.predecessor}”, which is not a task of this template."
                )
    names = {t.key: t.title for t in tasks}
    loop = scheduling.find_cycle(
        [scheduling.PlanTask(key=t.key, duration=t.duration, predecessors=t.after) for t in tasks]
    )
    if loop:
        raise SpecError(str(scheduling.CycleError(loop, names)))
    recurrence = data.get("recurrence") or {}
    return TemplateSpec(phases=tuple(phases), tasks=tuple(tasks), recurrence=recurrence)
