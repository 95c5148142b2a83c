"""Deadline-risk rules: when a coordinator should escalate, and the specific sentence to say.

Pure module: plain dataclasses in, plain dataclasses out, no Django and no ORM. A scheduled
job builds one `ProjectSnapshot` per live project from the database and calls `evaluate`;
it stores each `Escalation` under its `fingerprint`, so the same risk found by the next scan
updates one row instead of adding another, and a risk that is no longer found is resolved.

Every business-day figure comes from `projects.scheduling` with the agency's calendar.

Conventions the rules share:

* "Within the look-ahead window" means starting on or before `lookahead_days` business days
  after `today` (work that should already have started counts too).
* A task is open until its status is "done"; "in_progress" is the only status that means the
  work has started (waiting and blocked tasks may not have begun).
* A missing input holds back the tasks that need it: such a task keeps the handling time the
  plan gave it between the input's expected date and the task's start (at most
  `MAX_INPUT_HANDLING_DAYS` business days), counted from the day the input arrives.
* The launch moves by the business days the plan's finish passes both the launch date and the
  plan's current finish; finishing earlier never "moves" it.
"""

from __future__ import annotations

from collections import ChainMap, defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal, Protocol

from projects.risk_messages import (
    business_days,
    count_word,
    day_phrase,
    full_date,
    hours_text,
    is_plural,
    join_names,
    mid_sentence,
    quoted,
    times,
)
from projects.scheduling import (
    BusinessCalendar,
    Dependency,
    PlanTask,
    Slot,
    TaskGraph,
    cascade,
    critical_path,
    earliest_start,
    task_graph,
)

__all__ = [
    "CAPACITY_WEEKS",
    "MAX_INPUT_HANDLING_DAYS",
    "RULES",
    "ApprovalSnap",
    "ChangeRequestSnap",
    "DeadlineChangeSnap",
    "Escalation",
    "InputSnap",
    "MemberSnap",
    "ProjectSnapshot",
    "TaskSnap",
    "capacity_weeks",
    "evaluate",
    "evaluate_many",
    "forecast_slots",
    "rule_capacity",
    "rule_deadline_moved",
    "rule_decision_needed",
    "rule_launch_at_risk",
    "rule_missing_input",
    "rule_owner_unclear",
    "rule_scope",
]

RuleName = Literal[
    "missing_input",
    "deadline_moved",
    "capacity",
    "owner_unclear",
    "scope",
    "launch_at_risk",
    "decision_needed",
]
Severity = Literal["high", "medium", "low"]
Section = Literal["blocked", "needs_decision"]
FactValue = str | int | float | bool | None | list[str] | list[int]
Facts = dict[str, FactValue]
WeeklyLoad = Mapping[tuple[int, date], tuple[float, tuple[str, ...]]]

# Where the owner's home view lists each kind: work held up, or a call someone has to make.
SECTION_OF_RULE: Mapping[RuleName, Section] = {
    "missing_input": "blocked",
    "launch_at_risk": "blocked",
    "deadline_moved": "needs_decision",
    "capacity": "needs_decision",
    "owner_unclear": "needs_decision",
    "scope": "needs_decision",
    "decision_needed": "needs_decision",
}

DONE = "done"
IN_PROGRESS = "in_progress"
MANUAL = "manual"
PENDING = "pending"

# An input asked for long before the work needs it does not hold that work back by weeks:
# at most this much of the plan's gap between "expected" and "starts" is handling time.
MAX_INPUT_HANDLING_DAYS = 2
# How far ahead to look for the last arrival day that still keeps the launch.
SAFE_ARRIVAL_SEARCH_DAYS = 64
# Weeks checked for overload: the current working week and the next one.
CAPACITY_WEEKS = 2
# Booked this far over capacity, the week cannot be rescued by overtime.
SEVERE_OVERLOAD = 1.25


# --------------------------------------------------------------------------- snapshot


@dataclass(frozen=True, kw_only=True)
class TaskSnap:
    """A task as the rules see it (mirrors projects.models.Task; dates are business days)."""

    id: int
    key: str
    title: str
    start: date
    due: date
    duration: int
    status: str = "not_started"
    phase: str = ""
    discipline: str = ""
    assignee_id: int | None = None
    assignee_name: str = ""
    assignee_active: bool = True
    needs_decision: bool = False
    decision_question: str = ""
    decision_by: str = ""
    predecessors: tuple[Dependency, ...] = ()
    input_ids: tuple[int, ...] = ()
    # Created after the plan and not from the template: the caller knows, the rules only read it.
    added_beyond_brief: bool = False

    @property
    def is_open(self) -> bool:
        return self.status != DONE


@dataclass(frozen=True, kw_only=True)
class InputSnap:
    """A required input (mirrors projects.models.RequiredInput)."""

    id: int
    description: str
    expected_by: date
    from_party: str = "client"  # "agency", "client" or "vendor"
    from_name: str = ""
    received_at: date | None = None
    # How the input reads in "without copy today"; the description when left empty.
    short_name: str = ""

    @property
    def label(self) -> str:
        return self.short_name.strip() or mid_sentence(self.description)

    @property
    def owed_by(self) -> str:
        if self.from_name.strip():
            return self.from_name.strip()
        return {"agency": "the team", "vendor": "the vendor"}.get(self.from_party, "the client")


@dataclass(frozen=True, kw_only=True)
class DeadlineChangeSnap:
    """One move of a task's due date (mirrors projects.models.DeadlineChange)."""

    id: int
    task_id: int
    old_due: date
    new_due: date
    changed_at: datetime
    cause: str = MANUAL  # "manual", "cascade", "change_request" or "plan"
    changed_by_name: str = ""


@dataclass(frozen=True, kw_only=True)
class MemberSnap:
    """A member of the agency with their weekly capacity."""

    id: int
    name: str
    weekly_capacity_hours: float
    is_active: bool = True


@dataclass(frozen=True, kw_only=True)
class ApprovalSnap:
    """A client approval request for one revision round."""

    id: int
    title: str
    due_at: date
    decided: bool = False
    final_approver_name: str = ""
    gated_task_key: str | None = None
    revision_round: int = 1


@dataclass(frozen=True, kw_only=True)
class ChangeRequestSnap:
    """A change request to the agreed scope."""

    id: int
    title: str
    status: str = PENDING  # "pending", "approved" or "rejected"
    work_started: bool = False
    awaiting: str = ""  # who has to decide, as people say it: "Casey", "the client"


@dataclass(frozen=True, kw_only=True)
class ProjectSnapshot:
    """Everything the rules need to know about one live project, read at one moment.

    `weekly_load` maps (member id, Monday of the week) to that member's booked hours that
    week across ALL the agency's projects, with the names of the projects contributing.
    """

    project_id: int
    project_name: str
    client_name: str
    launch_date: date
    tasks: tuple[TaskSnap, ...] = ()
    inputs: tuple[InputSnap, ...] = ()
    deadline_changes: tuple[DeadlineChangeSnap, ...] = ()
    members: tuple[MemberSnap, ...] = ()
    weekly_load: WeeklyLoad = field(default_factory=dict)
    brief_deliverables: tuple[str, ...] = ()
    revision_rounds_included: int = 2
    approvals: tuple[ApprovalSnap, ...] = ()
    change_requests: tuple[ChangeRequestSnap, ...] = ()


# --------------------------------------------------------------------------- escalation


@dataclass(frozen=True, kw_only=True)
class Escalation:
    """One specific risk: what to say, how bad, where to show it, and the facts behind it.

    `fingerprint` names the rule and its subject ("missing_input:input:42") and stays the same
    while the risk lasts. Capacity escalations are agency-wide (`project_id` is None): every
    project the overloaded member works on reports the same one.
    """

    rule: RuleName
    fingerprint: str
    severity: Severity
    section: Section
    message: str
    project_id: int | None
    task_id: int | None = None
    input_id: int | None = None
    member_id: int | None = None
    approval_id: int | None = None
    change_request_id: int | None = None
    facts: Facts = field(default_factory=dict)


def _escalation(
    rule: RuleName,
    subject: str,
    *,
    severity: Severity,
    message: str,
    project_id: int | None,
    facts: Facts,
    task_id: int | None = None,
    input_id: int | None = None,
    member_id: int | None = None,
    approval_id: int | None = None,
    change_request_id: int | None = None,
) -> Escalation:
    return Escalation(
        rule=rule,
        fingerprint=f"{rule}:{subject}",
        severity=severity,
        section=SECTION_OF_RULE[rule],
        message=message,
        project_id=project_id,
        task_id=task_id,
        input_id=input_id,
        member_id=member_id,
        approval_id=approval_id,
        change_request_id=change_request_id,
        facts=facts,
    )


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class _Plan:
    """The project's tasks as a validated graph with their current slots."""

    graph: TaskGraph
    tasks: Mapping[str, TaskSnap]
    slots: dict[str, Slot]
    finish: date


# Two rules need the same project's plan in one scan; building the graph once halves that
# cost. Keyed by identity (snapshots hold dicts, so they do not hash) and replaced whole, so
# a stale or concurrent entry can never be mistaken for another snapshot's plan.
_last_plan: tuple[ProjectSnapshot, _Plan] | None = None


def _plan(snapshot: ProjectSnapshot) -> _Plan:
    global _last_plan
    cached = _last_plan
    if cached is not None and cached[0] is snapshot:
        return cached[1]
    tasks = {t.key: t for t in snapshot.tasks}
    graph = task_graph(PlanTask(t.key, t.duration, t.predecessors) for t in snapshot.tasks)
    slots = {t.key: Slot(t.start, t.due) for t in snapshot.tasks}
    plan = _Plan(graph, tasks, slots, max(slot.due for slot in slots.values()))
    _last_plan = (snapshot, plan)
    return plan


def _due_from_start(duration: int, start: date, calendar: BusinessCalendar) -> date:
    return start if duration == 0 else calendar.add_business_days(start, duration - 1)


def _window_end(today: date, calendar: BusinessCalendar, lookahead_days: int) -> date:
    return calendar.add_business_days(today, lookahead_days)


def _launch_reference(snapshot: ProjectSnapshot, calendar: BusinessCalendar) -> date:
    return calendar.roll_backward(snapshot.launch_date)


def _in_project(snapshot: ProjectSnapshot) -> str:
    return f"({snapshot.project_name})"


# --------------------------------------------------------------------------- 1. missing input


def _handling_days(expected_by: date, task: TaskSnap, calendar: BusinessCalendar) -> int:
    gap = calendar.business_days_between(expected_by, task.start)
    return min(MAX_INPUT_HANDLING_DAYS, max(0, gap))


@dataclass(frozen=True)
class _LateInput:
    """A late input and the open tasks that wait for it, ready to ask "what if it arrives on D?"."""

    plan: _Plan
    needing: Sequence[TaskSnap]
    handling: Mapping[int, int]  # task id -> business days between arrival and start
    reference: date  # the launch moves once the finish passes this day
    calendar: BusinessCalendar

    def start_if_arrives(self, task: TaskSnap, arrival: date) -> date:
        return self.calendar.add_business_days(arrival, self.handling[task.id])

    def launch_shift(self, arrival: date) -> int:
        """Business days the launch moves when the input arrives on `arrival`."""
        changed: dict[str, Slot] = {}
        current: ChainMap[str, Slot] = ChainMap(changed, self.plan.slots)
        for task in self.needing:
            start = self.start_if_arrives(task, arrival)
            if start > current[task.key].start:
                new_due = _due_from_start(task.duration, start, self.calendar)
                changed.update(
                    cascade(self.plan.graph, current, moved=task.key, new_due=new_due, calendar=self.calendar)
                )
        finish = max([self.plan.finish, *(slot.due for slot in changed.values())])
        return max(0, self.calendar.business_days_between(self.reference, finish))


def _task_in_sentence(task: TaskSnap) -> str:
    """A one-word title reads bare ("design starts"); longer ones are quoted."""
    title = task.title.strip()
    return mid_sentence(title) if len(title.split()) == 1 else quoted(title)


def _starts(task: TaskSnap, *, today: date, relative: bool) -> str:
    """ "starts Thursday", "started Monday", "was due to start Monday"."""
    when = day_phrase(task.start, today=today, relative=relative)
    if task.start >= today:
        return f"starts {when}"
    return f"started {when}" if task.status == IN_PROGRESS else f"was due to start {when}"


def _input_subject(description: str) -> str:
    words = description.strip().split(maxsplit=1)
    if len(words) == 2 and words[0].lower() in ("the", "a", "an", "our"):
        description = words[1]
    return f"The {mid_sentence(description)}"


def rule_missing_input(
    snapshot: ProjectSnapshot, *, today: date, calendar: BusinessCalendar, lookahead_days: int
) -> list[Escalation]:
    """A required input is late and a task that needs it starts within the window."""
    window_end = _window_end(today, calendar, lookahead_days)
    needing_by_input: dict[int, list[TaskSnap]] = defaultdict(list)
    for task in snapshot.tasks:
        if task.is_open:
            for input_id in task.input_ids:
                needing_by_input[input_id].append(task)

    plan: _Plan | None = None
    found: list[Escalation] = []
    for item in sorted(snapshot.inputs, key=lambda i: (i.expected_by, i.id)):
        if item.received_at is not None or item.expected_by >= today:
            continue
        needing = sorted(needing_by_input.get(item.id, ()), key=lambda t: (t.start, t.id))
        if not needing or needing[0].start > window_end:
            continue
        plan = plan or _plan(snapshot)
        late = _LateInput(
            plan=plan,
            needing=needing,
            handling={t.id: _handling_days(item.expected_by, t, calendar) for t in needing},
            reference=max(plan.finish, _launch_reference(snapshot, calendar)),
            calendar=calendar,
        )
        arrive_tomorrow = calendar.add_business_days(today, 1)
        arrive_day_after = calendar.add_business_days(today, 2)
        shift_today = late.launch_shift(calendar.roll_forward(today))
        shift_tomorrow = late.launch_shift(arrive_tomorrow)
        shift_day_after = late.launch_shift(arrive_day_after)
        holds_until = None if shift_tomorrow else _last_safe_arrival(today, calendar, late.launch_shift)

        first = needing[0]
        plural = is_plural(item.label)
        pronoun, arrives = ("they", "arrive") if plural else ("it", "arrives")
        opening = (
            f"{_input_subject(item.description)} {'were' if is_plural(item.description) else 'was'} "
            f"due {day_phrase(item.expected_by, today=today, relative=False)}, "
            f"{_task_in_sentence(first)} {_starts(first, today=today, relative=False)}, and "
        )
        if shift_tomorrow:
            severity: Severity = "high"
            message = (
                f"{opening}without {item.label} today the launch date moves by "
                f"{business_days(shift_tomorrow)}."
            )
            after = day_phrase(arrive_day_after, today=today, relative=False)
            if shift_today:
                message += (
                    f" Owed by {item.owed_by}. If {pronoun} {arrives} today the launch moves by "
                    f"{business_days(shift_today)}; if {pronoun} {arrives} {after}, "
                    f"by {count_word(shift_day_after)}."
                )
            else:
                message += (
                    f" Owed by {item.owed_by}. If {pronoun} {arrives} today the launch holds; if {pronoun} "
                    f"{arrives} {after}, it moves by {business_days(shift_day_after)}."
                )
        else:
            delayed = any(late.start_if_arrives(t, arrive_tomorrow) > t.start for t in needing)
            severity = "medium" if delayed else "low"
            if holds_until is None:
                message = f"{opening}the launch date holds for now. Owed by {item.owed_by}."
            else:
                by = day_phrase(holds_until, today=today, relative=False)
                message = (
                    f"{opening}the launch date holds if {item.label} {arrives} by {by}. "
                    f"Owed by {item.owed_by}."
                )

        found.append(
            _escalation(
                "missing_input",
                f"input:{item.id}",
                severity=severity,
                message=message,
                project_id=snapshot.project_id,
                task_id=first.id,
                input_id=item.id,
                facts={
                    "input": item.description,
                    "owed_by": item.owed_by,
                    "expected_by": item.expected_by.isoformat(),
                    "task": first.title,
                    "task_start": first.start.isoformat(),
                    "needing_task_ids": [t.id for t in needing],
                    "launch_shift_if_today": shift_today,
                    "launch_shift_if_tomorrow": shift_tomorrow,
                    "launch_shift_if_day_after": shift_day_after,
                    "launch_holds_until": holds_until.isoformat() if holds_until else None,
                },
            )
        )
    return found


def _last_safe_arrival(today: date, calendar: BusinessCalendar, shift: Callable[[date], int]) -> date | None:
    """The last business day the input may arrive without moving the launch (None: far ahead).

    Call only when arriving tomorrow keeps the launch. The shift never shrinks with a later
    arrival, so doubling the step until the launch moves, then halving, finds the boundary
    in a few cascades (the boundary is usually days away, not weeks)."""
    low, high = 1, 2
    while shift(calendar.add_business_days(today, high)) == 0:
        if high >= SAFE_ARRIVAL_SEARCH_DAYS:
            return None
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        if shift(calendar.add_business_days(today, middle)) == 0:
            low = middle
        else:
            high = middle
    return calendar.add_business_days(today, low)


# --------------------------------------------------------------------------- 2. deadline moved


def rule_deadline_moved(
    snapshot: ProjectSnapshot, *, today: date, calendar: BusinessCalendar, lookahead_days: int
) -> list[Escalation]:
    """An open task's due date was moved by hand more than once (cascades do not count)."""
    moves: dict[int, list[DeadlineChangeSnap]] = defaultdict(list)
    for change in snapshot.deadline_changes:
        if change.cause == MANUAL:
            moves[change.task_id].append(change)

    found: list[Escalation] = []
    for task in sorted(snapshot.tasks, key=lambda t: (t.due, t.id)):
        changes = sorted(moves.get(task.id, ()), key=lambda c: (c.changed_at, c.id))
        if not task.is_open or len(changes) < 2:
            continue
        movers = list(dict.fromkeys(c.changed_by_name.strip() for c in changes if c.changed_by_name.strip()))
        first_due = changes[0].old_due
        current = day_phrase(task.due, today=today, relative=False)
        first = day_phrase(first_due, today=today, relative=False)
        if first_due == task.due:
            by = f" by {join_names(movers)}" if movers else ""
            span = f"{times(len(changes))}{by} and is due {current} again"
        else:
            by = f", by {join_names(movers)}" if movers else ""
            span = f"{times(len(changes))}, from {first} to {current}{by}"
        found.append(
            _escalation(
                "deadline_moved",
                f"task:{task.id}",
                severity="high" if len(changes) >= 3 else "medium",
                message=f"{quoted(task.title)} {_in_project(snapshot)} has been moved {span}.",
                project_id=snapshot.project_id,
                task_id=task.id,
                facts={
                    "task": task.title,
                    "times_moved": len(changes),
                    "first_due": first_due.isoformat(),
                    "current_due": task.due.isoformat(),
                    "moved_by": movers,
                    "change_ids": [c.id for c in changes],
                },
            )
        )
    return found


# --------------------------------------------------------------------------- 3. capacity


def capacity_weeks(today: date, calendar: BusinessCalendar) -> list[date]:
    """Mondays of the weeks the capacity rule checks: the current working week and the next, or
    from the coming week once this one's working days are over. Compute `weekly_load` for these."""
    monday = today - timedelta(days=today.weekday())
    if today.weekday() > max(calendar.working_weekdays):
        monday += timedelta(weeks=1)
    return [monday + timedelta(weeks=i) for i in range(CAPACITY_WEEKS)]


def rule_capacity(
    snapshot: ProjectSnapshot, *, today: date, calendar: BusinessCalendar, lookahead_days: int
) -> list[Escalation]:
    """An active member is booked beyond their weekly capacity this week or next, across projects."""
    found: list[Escalation] = []
    weeks = capacity_weeks(today, calendar)
    for member in sorted(snapshot.members, key=lambda m: (m.name, m.id)):
        if not member.is_active:
            continue
        for monday in weeks:
            hours, projects = snapshot.weekly_load.get((member.id, monday), (0.0, ()))
            capacity = member.weekly_capacity_hours
            if hours <= capacity:
                continue
            week = "this week" if monday <= today else f"in the week of {full_date(monday, today=today)}"
            message = (
                f"{member.name} has {hours_text(hours)} hours of work {week} "
                f"against a capacity of {hours_text(capacity)}"
            )
            if len(projects) > 1:
                message += f", across {join_names(projects)}."
            elif projects:
                message += f", all on {projects[0]}."
            else:
                message += "."
            found.append(
                _escalation(
                    "capacity",
                    f"member:{member.id}:week:{monday.isoformat()}",
                    severity="high" if hours >= capacity * SEVERE_OVERLOAD else "medium",
                    message=message,
                    project_id=None,
                    member_id=member.id,
                    facts={
                        "member": member.name,
                        "week_start": monday.isoformat(),
                        "hours": float(hours),
                        "capacity": float(capacity),
                        "over_by": round(float(hours) - float(capacity), 1),
                        "projects": list(projects),
                    },
                )
            )
    return found


# --------------------------------------------------------------------------- 4. owner unclear


def rule_owner_unclear(
    snapshot: ProjectSnapshot, *, today: date, calendar: BusinessCalendar, lookahead_days: int
) -> list[Escalation]:
    """Open work starting within the window has nobody on it, or someone who has left.

    Milestones (duration 0) are dates rather than work, so nobody needs to own them."""
    window_end = _window_end(today, calendar, lookahead_days)
    found: list[Escalation] = []
    for task in sorted(snapshot.tasks, key=lambda t: (t.start, t.id)):
        if not task.is_open or task.duration == 0 or task.start > window_end:
            continue
        if task.assignee_id is not None and task.assignee_active:
            continue
        starts = _starts(task, today=today, relative=True)
        if task.assignee_id is None:
            message = f"Nobody owns {quoted(task.title)} {_in_project(snapshot)}, which {starts}."
        else:
            message = (
                f"{quoted(task.title)} {_in_project(snapshot)} is assigned to {task.assignee_name}, "
                f"who has left the agency; it {starts}."
            )
        soon = task.start <= calendar.add_business_days(today, 1)
        found.append(
            _escalation(
                "owner_unclear",
                f"task:{task.id}",
                severity="high" if soon else "medium",
                message=message,
                project_id=snapshot.project_id,
                task_id=task.id,
                member_id=task.assignee_id,
                facts={
                    "task": task.title,
                    "task_start": task.start.isoformat(),
                    "assignee": task.assignee_name or None,
                    "assignee_left": task.assignee_id is not None,
                },
            )
        )
    return found


# --------------------------------------------------------------------------- 5. scope


def _normalised(text: str) -> str:
    return " ".join(text.lower().split())


def _deliverables_text(deliverables: Sequence[str]) -> str:
    shown = [quoted(d) for d in deliverables[:3]]
    if len(deliverables) > 3:
        shown.append(f"{count_word(len(deliverables) - 3)} more")
    return join_names(shown)


def rule_scope(
    snapshot: ProjectSnapshot, *, today: date, calendar: BusinessCalendar, lookahead_days: int
) -> list[Escalation]:
    """Work beyond the brief, revision rounds beyond those included, or work on an unapproved change."""
    found: list[Escalation] = []
    project = _in_project(snapshot)
    deliverables = [d.strip() for d in snapshot.brief_deliverables if d.strip()]
    in_brief = {_normalised(d) for d in deliverables}
    for task in sorted(snapshot.tasks, key=lambda t: (t.start, t.id)):
        if not (task.is_open and task.added_beyond_brief) or _normalised(task.title) in in_brief:
            continue
        if deliverables:
            against = f"is not among the brief's deliverables: {_deliverables_text(deliverables)}"
        else:
            against = "the brief lists no deliverables to check it against"
        found.append(
            _escalation(
                "scope",
                f"task:{task.id}",
                severity="medium",
                message=(
                    f"{quoted(task.title)} {project} was added after the plan and {against}. "
                    "Confirm it is in scope or raise a change request."
                ),
                project_id=snapshot.project_id,
                task_id=task.id,
                facts={"task": task.title, "kind": "task_beyond_brief", "deliverables": deliverables},
            )
        )

    included = snapshot.revision_rounds_included
    for approval in sorted(snapshot.approvals, key=lambda a: (a.due_at, a.id)):
        if approval.decided or approval.revision_round <= included:
            continue
        extra = approval.revision_round - included
        found.append(
            _escalation(
                "scope",
                f"approval:{approval.id}",
                severity="medium",
                message=(
                    f"{quoted(approval.title)} {project} is in revision round {approval.revision_round} "
                    f"of {included} included; the extra {'round is' if extra == 1 else 'rounds are'} "
                    "outside the agreed scope."
                ),
                project_id=snapshot.project_id,
                approval_id=approval.id,
                facts={
                    "approval": approval.title,
                    "kind": "extra_revision_round",
                    "revision_round": approval.revision_round,
                    "rounds_included": included,
                },
            )
        )

    for change in sorted(snapshot.change_requests, key=lambda c: c.id):
        if change.status != PENDING or not change.work_started:
            continue
        awaiting = change.awaiting.strip()
        waiting = f"still waiting on {awaiting}" if awaiting else "still pending"
        found.append(
            _escalation(
                "scope",
                f"change_request:{change.id}",
                severity="high",
                message=(
                    f"Work has started on {quoted(change.title)} {project}, a change request {waiting}."
                ),
                project_id=snapshot.project_id,
                change_request_id=change.id,
                facts={
                    "change_request": change.title,
                    "kind": "work_before_approval",
                    "awaiting": awaiting or None,
                },
            )
        )
    return found


# --------------------------------------------------------------------------- 6. launch at risk


def _forecast(plan: _Plan, *, today: date, calendar: BusinessCalendar) -> dict[str, Slot]:
    first_day = calendar.roll_forward(today)
    slots: dict[str, Slot] = {}
    for key in plan.graph.order:
        task = plan.tasks[key]
        if not task.is_open:
            slots[key] = Slot(task.start, task.due)
        elif task.status == IN_PROGRESS and task.start <= today:
            # Under way: the remaining work is unknown, so it ends as planned, or today at best.
            slots[key] = Slot(task.start, max(task.due, first_day))
        else:
            start = max(task.start, first_day)
            for dep in task.predecessors:
                pred = plan.graph.tasks[dep.predecessor]
                start = max(start, earliest_start(pred, slots[dep.predecessor], dep, calendar))
            start = calendar.roll_forward(start)
            slots[key] = Slot(start, _due_from_start(task.duration, start, calendar))
    return slots


def forecast_slots(snapshot: ProjectSnapshot, *, today: date, calendar: BusinessCalendar) -> dict[str, Slot]:
    """Where each task is heading from `today`: finished work stays put, late work starts today.

    Unstarted tasks cannot start before today and keep their durations; tasks under way end no
    earlier than today; every dependency is followed."""
    return _forecast(_plan(snapshot), today=today, calendar=calendar)


def _launch_cause(
    plan: _Plan, path: Sequence[str], *, today: date, reference: date
) -> tuple[TaskSnap, str, str]:
    """The task on the forecast critical path that pushes the launch, why, and in words."""
    open_on_path = [plan.tasks[key] for key in path if plan.tasks[key].is_open]
    for task in open_on_path:
        if task.due < today:
            return task, "overdue", f"{quoted(task.title)} is still open past its due date"
    for task in open_on_path:
        if task.start < today and task.status != IN_PROGRESS:
            when = day_phrase(task.start, today=today)
            return task, "not_started", f"{quoted(task.title)} was due to start {when} and has not"
    for task in open_on_path:
        if task.due > reference:
            return task, "planned_late", f"{quoted(task.title)} is planned to finish after the launch date"
    task = open_on_path[-1] if open_on_path else plan.tasks[path[-1]]
    return task, "chain", f"of the work leading up to {quoted(task.title)}"


def rule_launch_at_risk(
    snapshot: ProjectSnapshot, *, today: date, calendar: BusinessCalendar, lookahead_days: int
) -> list[Escalation]:
    """Forecast from today, the project's work ends after its launch date."""
    if not any(t.is_open for t in snapshot.tasks):
        return []
    plan = _plan(snapshot)
    slots = _forecast(plan, today=today, calendar=calendar)
    finish = max(slot.due for slot in slots.values())
    reference = _launch_reference(snapshot, calendar)
    if finish <= reference:
        return []
    slip = calendar.business_days_between(reference, finish)
    path = critical_path(plan.graph, slots, calendar=calendar)
    cause, kind, because = _launch_cause(plan, path, today=today, reference=reference)
    name = snapshot.project_name.strip()
    launch = name if name.lower().split()[-1:] == ["launch"] else f"{name} launch"
    message = (
        f"The {launch} is forecast for {day_phrase(finish, today=today)}, {business_days(slip)} after "
        f"the planned {full_date(snapshot.launch_date, today=today)}, because {because}."
    )
    return [
        _escalation(
            "launch_at_risk",
            f"project:{snapshot.project_id}",
            severity="high",
            message=message,
            project_id=snapshot.project_id,
            task_id=cause.id,
            facts={
                "planned_launch": snapshot.launch_date.isoformat(),
                "forecast_finish": finish.isoformat(),
                "slip_business_days": slip,
                "cause_task": cause.title,
                "cause": kind,
                "critical_path_task_ids": [plan.tasks[key].id for key in path],
            },
        )
    ]


# --------------------------------------------------------------------------- 7. decision needed


def _waiting_after(task: TaskSnap, successors: Mapping[str, list[TaskSnap]]) -> tuple[TaskSnap | None, int]:
    """The next open task after `task` and how many open tasks come after it in all."""
    seen = {task.key}
    queue = deque([task.key])
    count = 0
    while queue:
        for succ in successors.get(queue.popleft(), ()):
            if succ.key not in seen:
                seen.add(succ.key)
                queue.append(succ.key)
                count += succ.is_open
    direct = sorted((s for s in successors.get(task.key, ()) if s.is_open), key=lambda s: (s.start, s.id))
    return (direct[0] if direct else None), count


def rule_decision_needed(
    snapshot: ProjectSnapshot, *, today: date, calendar: BusinessCalendar, lookahead_days: int
) -> list[Escalation]:
    """A task waits on someone's decision, an approval is overdue, or a change request awaits a call."""
    window_end = _window_end(today, calendar, lookahead_days)
    project = _in_project(snapshot)
    by_key = {t.key: t for t in snapshot.tasks}
    successors: dict[str, list[TaskSnap]] = defaultdict(list)
    for t in snapshot.tasks:
        for dep in t.predecessors:
            successors[dep.predecessor].append(t)

    found: list[Escalation] = []
    for task in sorted(snapshot.tasks, key=lambda t: (t.due, t.id)):
        if not (task.is_open and task.needs_decision):
            continue
        question = task.decision_question.strip()
        who = task.decision_by.strip()
        subject = f"{who} needs to" if who else "No one is named to"
        what = f"decide {quoted(question)} for" if question else "make the decision on"
        due = day_phrase(task.due, today=today)
        is_due = "was due" if task.due < today else "is due"
        message = f"{subject} {what} {quoted(task.title)} {project}, which {is_due} {due}."
        nxt, waiting = _waiting_after(task, successors)
        if nxt is not None and waiting == 1:
            message += f" {quoted(nxt.title)} waits on it."
        elif nxt is not None:
            more = waiting - 1
            tasks = "task" if more == 1 else "tasks"
            message += f" {quoted(nxt.title)} and {count_word(more)} more {tasks} wait on it."
        found.append(
            _escalation(
                "decision_needed",
                f"task:{task.id}",
                severity="high" if task.start <= window_end else "medium",
                message=message,
                project_id=snapshot.project_id,
                task_id=task.id,
                facts={
                    "kind": "task_decision",
                    "task": task.title,
                    "question": question,
                    "decision_by": who or None,
                    "due": task.due.isoformat(),
                    "next_task": nxt.title if nxt else None,
                    "tasks_waiting": waiting,
                },
            )
        )

    for approval in sorted(snapshot.approvals, key=lambda a: (a.due_at, a.id)):
        if approval.decided or approval.due_at >= today:
            continue
        approver = approval.final_approver_name.strip()
        due = day_phrase(approval.due_at, today=today)
        if approver:
            message = f"{approver} has not decided on {quoted(approval.title)} {project}, due {due}"
        else:
            message = f"No final approver is named for {quoted(approval.title)} {project}, due {due}"
        gated = by_key.get(approval.gated_task_key or "")
        gated = gated if gated is not None and gated.is_open else None
        message += f"; {quoted(gated.title)} waits on it." if gated else "."
        found.append(
            _escalation(
                "decision_needed",
                f"approval:{approval.id}",
                severity="high" if gated is not None and gated.start <= window_end else "medium",
                message=message,
                project_id=snapshot.project_id,
                task_id=gated.id if gated else None,
                approval_id=approval.id,
                facts={
                    "kind": "approval_overdue",
                    "approval": approval.title,
                    "approver": approver or None,
                    "due": approval.due_at.isoformat(),
                    "gated_task": gated.title if gated else None,
                },
            )
        )

    for change in sorted(snapshot.change_requests, key=lambda c: c.id):
        # Work already under way on a pending change is a scope escalation, said once there.
        if change.status != PENDING or change.work_started:
            continue
        awaiting = change.awaiting.strip()
        from_whom = f" from {awaiting}" if awaiting else ""
        found.append(
            _escalation(
                "decision_needed",
                f"change_request:{change.id}",
                severity="medium",
                message=(
                    f"The change request {quoted(change.title)} {project} "
                    f"is waiting for a decision{from_whom}."
                ),
                project_id=snapshot.project_id,
                change_request_id=change.id,
                facts={
                    "kind": "change_request_pending",
                    "change_request": change.title,
                    "awaiting": awaiting or None,
                },
            )
        )
    return found


# --------------------------------------------------------------------------- evaluate


class Rule(Protocol):
    """The shape every rule shares, so the scheduled job can also run one rule alone."""

    def __call__(
        self, snapshot: ProjectSnapshot, *, today: date, calendar: BusinessCalendar, lookahead_days: int
    ) -> list[Escalation]: ...


RULES: tuple[Rule, ...] = (
    rule_missing_input,
    rule_deadline_moved,
    rule_capacity,
    rule_owner_unclear,
    rule_scope,
    rule_launch_at_risk,
    rule_decision_needed,
)


def evaluate(
    snapshot: ProjectSnapshot, *, today: date, calendar: BusinessCalendar, lookahead_days: int = 5
) -> list[Escalation]:
    """Every escalation for one project, rule by rule in the order of RULES.

    Raises CycleError (or ValueError) when the snapshot's dependencies are not a valid plan."""
    found: list[Escalation] = []
    for rule in RULES:
        found.extend(rule(snapshot, today=today, calendar=calendar, lookahead_days=lookahead_days))
    return found


def evaluate_many(
    snapshots: Iterable[ProjectSnapshot], *, today: date, calendar: BusinessCalendar, lookahead_days: int = 5
) -> list[Escalation]:
    """`evaluate` over an agency's projects, each fingerprint once (capacity is agency-wide)."""
    seen: set[str] = set()
    found: list[Escalation] = []
    for snapshot in snapshots:
        for escalation in evaluate(snapshot, today=today, calendar=calendar, lookahead_days=lookahead_days):
            if escalation.fingerprint not in seen:
                seen.add(escalation.fingerprint)
                found.append(escalation)
    return found
