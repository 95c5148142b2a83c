"""Rule 1, missing input: copy, assets or sign-offs are late and the work needing them starts soon."""

from __future__ import annotations

from collections import ChainMap, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from projects.risk_messages import business_days, count_word, day_phrase, is_plural, mid_sentence, quoted
from projects.risks._plan import _due_from_start, _launch_reference, _Plan, _plan, _starts, _window_end
from projects.risks.snapshot import Escalation, ProjectSnapshot, Severity, TaskSnap, _escalation
from projects.scheduling import BusinessCalendar, Slot, cascade

# An input asked for long before the work needs it does not hold that work back by weeks:
# at most this much of the plan's gap between "expected" and "starts" is handling time.
MAX_INPUT_HANDLING_DAYS = 2
# How far ahead to look for the last arrival day that still keeps the launch.
SAFE_ARRIVAL_SEARCH_DAYS = 64


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
