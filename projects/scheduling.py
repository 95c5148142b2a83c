"""Business-day scheduling: the single source of truth for every "business days" figure.

Pure module: plain values in, plain values out, no Django and no ORM. Services and risk
scans build `PlanTask`/`Slot` values from rows, call in here, and store what comes back.

Conventions (every caller relies on them):

* A business day is a working weekday of the agency that is neither a public holiday nor
  an agency closure.
* `add_business_days(d, 0)` returns `d` when it is a business day, else the next business
  day; `n > 0` counts business days strictly after `d`; `n < 0` strictly before `d`.
* `business_days_between(a, b)` is the number of business days in `[a, b)` (negative when
  `b < a`), so `add_business_days(a, business_days_between(a, b)) == b` for business days.
* A task of duration `d >= 1` occupies `d` business days, start..due inclusive; a milestone
  (duration 0) has `start == due`.
* FS with lag L: the successor starts on or after the L+1-th business day after the
  predecessor's due date; after a milestone it may start on the milestone day itself + L.
  SS with lag L: the successor starts on or after the predecessor's start + L business days.
* Nothing is ever due after the launch date; a launch on a non-business day means the last
  business day before it.
"""

from __future__ import annotations

import calendar as _gregorian
import heapq
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import holidays as _holidays

from agencyops import dates

__all__ = [
    "BusinessCalendar",
    "CycleError",
    "Dependency",
    "PlanTask",
    "Recurrence",
    "Slot",
    "TaskGraph",
    "back_schedule",
    "calendar_for",
    "cascade",
    "critical_path",
    "describe_launch_shift",
    "earliest_start",
    "find_cycle",
    "launch_shift",
    "occurrences",
    "occurrences_due",
    "plan_start",
    "shortfall",
    "task_graph",
    "total_float",
    "violated_dependencies",
    "would_create_cycle",
]

MONDAY_TO_FRIDAY: frozenset[int] = frozenset(range(5))


# --------------------------------------------------------------------------- calendar


@dataclass(frozen=True)
class BusinessCalendar:
    """An agency's working week, its country's public holidays and its own closures."""

    working_weekdays: frozenset[int] = MONDAY_TO_FRIDAY
    holidays: frozenset[date] = frozenset()
    closures: frozenset[date] = frozenset()

    # Precomputed in __post_init__ so each query is O(log holidays), whatever the distance.
    _working_sorted: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _prefix: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _off_ordinals: frozenset[int] = field(init=False, repr=False, compare=False)
    _off_indexes: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _off_adjusted: tuple[int, ...] = field(init=False, repr=False, compare=False)
    # Ranks already computed, by ordinal: pages ask about the same few weeks of dates thousands of times.
    _ranks: dict[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        working = frozenset(self.working_weekdays)
        if not working:
            raise ValueError("A business calendar needs at least one working weekday.")
        if any(not isinstance(w, int) or not 0 <= w <= 6 for w in working):
            raise ValueError("Working weekdays must be integers from 0 (Monday) to 6 (Sunday).")
        object.__setattr__(self, "working_weekdays", working)
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "closures", frozenset(self.closures))

        ordered = tuple(sorted(working))
        prefix = tuple(sum(1 for w in ordered if w < k) for k in range(8))
        object.__setattr__(self, "_working_sorted", ordered)
        object.__setattr__(self, "_prefix", prefix)

        # Days off that fall on a working weekday, as indexes in the sequence of all working
        # weekdays since 0001-01-01 (a Monday). Business day number r is then the r-th
        # integer missing from that sorted list, found by one bisection.
        off = {d.toordinal() for d in self.holidays | self.closures}
        object.__setattr__(self, "_off_ordinals", frozenset(off))
        indexes = sorted(self._working_index(o - 1) for o in off if (o - 1) % 7 in working)
        object.__setattr__(self, "_off_indexes", tuple(indexes))
        object.__setattr__(self, "_off_adjusted", tuple(x - i for i, x in enumerate(indexes)))
        object.__setattr__(self, "_ranks", {})

    def _working_index(self, days: int) -> int:
        """Working weekdays in [0001-01-01, 0001-01-01 + days)."""
        weeks, rest = divmod(days, 7)
        return weeks * len(self._working_sorted) + self._prefix[rest]

    def _rank(self, d: date) -> int:
        """Business days strictly before `d` (counted from 0001-01-01)."""
        ordinal = d.toordinal()
        rank = self._ranks.get(ordinal)
        if rank is None:
            index = self._working_index(ordinal - 1)
            rank = self._ranks[ordinal] = index - bisect_left(self._off_indexes, index)
        return rank

    def _nth(self, rank: int) -> date:
        """The business day with `rank` business days before it."""
        index = rank + bisect_right(self._off_adjusted, rank)
        weeks, k = divmod(index, len(self._working_sorted))
        ordinal = weeks * 7 + self._working_sorted[k] + 1
        if not 1 <= ordinal <= date.max.toordinal():
            raise ValueError("The business day falls outside the supported range of dates.")
        return date.fromordinal(ordinal)

    def is_business_day(self, d: date) -> bool:
        """True on a working weekday that is neither a public holiday nor a closure."""
        return d.weekday() in self.working_weekdays and d.toordinal() not in self._off_ordinals

    def roll_forward(self, d: date) -> date:
        """`d` if it is a business day, else the next business day."""
        return d if self.is_business_day(d) else self._nth(self._rank(d))

    def roll_backward(self, d: date) -> date:
        """`d` if it is a business day, else the previous business day."""
        return d if self.is_business_day(d) else self._nth(self._rank(d) - 1)

    def add_business_days(self, d: date, n: int) -> date:
        """Move `n` business days from `d`: n > 0 counts strictly after `d`, n < 0 strictly
        before; n == 0 is `roll_forward(d)`."""
        if n == 0:
            return self.roll_forward(d)
        if n > 0:
            after = self._rank(d) + (1 if self.is_business_day(d) else 0)
            return self._nth(after + n - 1)
        return self._nth(self._rank(d) + n)

    def business_day_index(self, d: date) -> int:
        """Business days before `d`, counted from a fixed start: the difference of two indexes is
        ``business_days_between`` them, and an index never decreases with the date."""
        return self._rank(d)

    def business_days_between(self, a: date, b: date) -> int:
        """Signed count of business days in [a, b): what to add to business day `a` to reach `b`."""
        return self._rank(b) - self._rank(a)


def working_week(today: date, working_weekdays: Iterable[int]) -> tuple[date, date]:
    """ "This week", one meaning everywhere (home, workload, my work, the capacity scan): the Monday and
    the last working day of the agency's working week containing ``today``, or of the coming one once
    this week's working days are over (on a Saturday, next week)."""
    days = sorted(working_weekdays) or [0, 1, 2, 3, 4]
    monday = today - timedelta(days=today.weekday())
    end = monday + timedelta(days=days[-1])
    if today > end:
        monday, end = monday + timedelta(days=7), end + timedelta(days=7)
    return monday, end


def calendar_for(
    *,
    country: str,
    subdivision: str | None = None,
    working_weekdays: Iterable[int] = (0, 1, 2, 3, 4),
    closures: Iterable[date] = (),
    years: range,
) -> BusinessCalendar:
    """Build a calendar from the `holidays` package's public holidays for `years`.

    Dates outside `years` get no public holidays: build it for every year the plan spans."""
    if len(years) == 0:
        raise ValueError("Give at least one year to take public holidays for.")
    code = country.strip().upper()
    supported = _holidays.list_supported_countries()
    if code not in supported:
        raise ValueError(f"Unknown country code {country!r}: no public holidays are known for it.")
    try:
        public = _holidays.country_holidays(code, subdiv=subdivision, years=years)
    except NotImplementedError as exc:
        choices = ", ".join(supported[code]) or "none"
        raise ValueError(
            f"Unknown subdivision {subdivision!r} for country {code} (known: {choices})."
        ) from exc
    return BusinessCalendar(
        working_weekdays=frozenset(working_weekdays),
        holidays=frozenset(public.keys()),
        closures=frozenset(closures),
    )


# --------------------------------------------------------------------------- plan model


@dataclass(frozen=True)
class Dependency:
    """A link to a predecessor: finish-to-start or start-to-start, lag in business days."""

    predecessor: str
    kind: Literal["FS", "SS"] = "FS"
    lag: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("FS", "SS"):
            raise ValueError(f"Unknown dependency kind {self.kind!r}: use 'FS' or 'SS'.")
        if self.lag < 0:
            raise ValueError(f"A dependency lag cannot be negative (got {self.lag}).")


@dataclass(frozen=True)
class PlanTask:
    """A task to schedule: its duration in business days (0 = milestone) and its links."""

    key: str
    duration: int
    predecessors: tuple[Dependency, ...] = ()

    def __post_init__(self) -> None:
        if self.duration < 0:
            raise ValueError(f"Task {self.key!r} cannot have a negative duration.")
        object.__setattr__(self, "predecessors", tuple(self.predecessors))


@dataclass(frozen=True)
class Slot:
    """Where a task sits: first and last business day, inclusive."""

    start: date
    due: date

    def __post_init__(self) -> None:
        if self.due < self.start:
            raise ValueError(f"A slot cannot end ({self.due}) before it starts ({self.start}).")


class CycleError(ValueError):
    """Tasks that depend on each other in a loop, so no schedule exists."""

    def __init__(self, cycle: Sequence[str], names: Mapping[str, str] | None = None) -> None:
        self.cycle = list(cycle)
        labels = [names.get(key, key) for key in self.cycle] if names else self.cycle
        super().__init__("These tasks depend on each other in a loop: " + " → ".join(labels))


Successors = dict[str, list[tuple[str, Dependency]]]


def _index(tasks: Iterable[PlanTask]) -> tuple[dict[str, PlanTask], Successors]:
    """Tasks by key and each task's outgoing links, refusing duplicates and unknown keys."""
    if isinstance(tasks, TaskGraph):
        return dict(tasks.tasks), {k: list(v) for k, v in tasks.successors.items()}
    by_key: dict[str, PlanTask] = {}
    for task in tasks:
        if task.key in by_key:
            raise ValueError(f"Two tasks share the key {task.key!r}.")
        by_key[task.key] = task
    successors: Successors = {key: [] for key in by_key}
    for task in by_key.values():
        for dep in task.predecessors:
            if dep.predecessor not in by_key:
                raise ValueError(
                    f"Task {task.key!r} depends on {dep.predecessor!r}, which is not in the plan."
                )
            successors[dep.predecessor].append((task.key, dep))
    return by_key, successors


class TaskGraph:
    """A validated, acyclic plan in topological order; build once, reuse across calls."""

    __slots__ = ("order", "rank", "successors", "tasks")

    tasks: Mapping[str, PlanTask]
    successors: Mapping[str, tuple[tuple[str, Dependency], ...]]
    order: tuple[str, ...]
    rank: Mapping[str, int]

    def __init__(self, tasks: Iterable[PlanTask]) -> None:
        by_key, successors = _index(tasks)
        waiting = {key: len(task.predecessors) for key, task in by_key.items()}
        ready = deque(key for key, count in waiting.items() if count == 0)
        order: list[str] = []
        while ready:
            key = ready.popleft()
            order.append(key)
            for succ, _dep in successors[key]:
                waiting[succ] -= 1
                if waiting[succ] == 0:
                    ready.append(succ)
        if len(order) < len(by_key):
            cycle = find_cycle(by_key.values())
            assert cycle is not None  # Kahn stalled, so a loop exists
            raise CycleError(cycle)
        self.tasks = by_key
        self.successors = {key: tuple(links) for key, links in successors.items()}
        self.order = tuple(order)
        self.rank = {key: i for i, key in enumerate(order)}

    def __iter__(self) -> Iterator[PlanTask]:
        return (self.tasks[key] for key in self.order)

    def __len__(self) -> int:
        return len(self.order)


def task_graph(tasks: Iterable[PlanTask]) -> TaskGraph:
    """Validate `tasks` once (unknown keys, loops) for repeated scheduling calls."""
    return tasks if isinstance(tasks, TaskGraph) else TaskGraph(tasks)


# --------------------------------------------------------------------------- cycles


def find_cycle(tasks: Iterable[PlanTask]) -> list[str] | None:
    """Keys of one dependency loop in flow order, first key repeated at the end, or None."""
    by_key, successors = _index(tasks)
    position = {key: i for i, key in enumerate(by_key)}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for root in by_key:
        if root in state:
            continue
        path = [root]
        state[root] = 1
        stack: list[Iterator[tuple[str, Dependency]]] = [iter(successors[root])]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                state[path.pop()] = 2
                continue
            nxt = step[0]
            seen = state.get(nxt)
            if seen == 1:
                loop = path[path.index(nxt) :]
                first = min(range(len(loop)), key=lambda i: position[loop[i]])
                loop = loop[first:] + loop[:first]
                return [*loop, loop[0]]
            if seen is None:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(successors[nxt]))
    return None


def would_create_cycle(tasks: Iterable[PlanTask], predecessor: str, successor: str) -> list[str] | None:
    """The loop that making `successor` depend on `predecessor` would close, or None."""
    by_key, successors = _index(tasks)
    for key in (predecessor, successor):
        if key not in by_key:
            raise ValueError(f"Task {key!r} is not in the plan.")
    if predecessor == successor:
        return [predecessor, predecessor]
    came_from: dict[str, str] = {successor: successor}
    queue = deque([successor])
    while queue:
        key = queue.popleft()
        if key == predecessor:
            path = [key]
            while key != successor:
                key = came_from[key]
                path.append(key)
            return [predecessor, *reversed(path)]
        for nxt, _dep in successors[key]:
            if nxt not in came_from:
                came_from[nxt] = key
                queue.append(nxt)
    return None


# --------------------------------------------------------------------------- constraints


def _earliest_start(pred: PlanTask, pred_slot: Slot, dep: Dependency, calendar: BusinessCalendar) -> date:
    """First day a successor may start because of one dependency."""
    if dep.kind == "SS":
        return calendar.add_business_days(pred_slot.start, dep.lag)
    if pred.duration == 0:
        return calendar.add_business_days(pred_slot.due, dep.lag)
    return calendar.add_business_days(pred_slot.due, 1 + dep.lag)


def earliest_start(pred: PlanTask, pred_slot: Slot, dep: Dependency, calendar: BusinessCalendar) -> date:
    """The first day a successor may start under one dependency on `pred` (scheduled at `pred_slot`)."""
    return _earliest_start(pred, pred_slot, dep, calendar)


def _back(calendar: BusinessCalendar, d: date, n: int) -> date:
    """`n >= 0` business days before `d`, where 0 rolls backward (the inverse of adding n)."""
    return calendar.roll_backward(d) if n == 0 else calendar.add_business_days(d, -n)


def _due_from_start(task: PlanTask, start: date, calendar: BusinessCalendar) -> date:
    return start if task.duration == 0 else calendar.add_business_days(start, task.duration - 1)


def _start_from_due(task: PlanTask, due: date, calendar: BusinessCalendar) -> date:
    return due if task.duration == 0 else calendar.add_business_days(due, 1 - task.duration)


def _latest_due(pred: PlanTask, dep: Dependency, succ_start: date, calendar: BusinessCalendar) -> date:
    """Latest due date of `pred` that still lets its successor start on `succ_start`."""
    if dep.kind == "SS":
        return _due_from_start(pred, _back(calendar, succ_start, dep.lag), calendar)
    return _back(calendar, succ_start, dep.lag + (0 if pred.duration == 0 else 1))


def _latest_slots(graph: TaskGraph, finish: date, calendar: BusinessCalendar) -> dict[str, Slot]:
    """As-late-as-possible slots with nothing due after `finish` (a business day)."""
    slots: dict[str, Slot] = {}
    for key in reversed(graph.order):
        task = graph.tasks[key]
        due = finish
        for succ, dep in graph.successors[key]:
            due = min(due, _latest_due(task, dep, slots[succ].start, calendar))
        slots[key] = Slot(_start_from_due(task, due, calendar), due)
    return slots


def violated_dependencies(
    tasks: Iterable[PlanTask], slots: Mapping[str, Slot], *, calendar: BusinessCalendar
) -> list[tuple[str, str]]:
    """(predecessor, successor) pairs whose slots break their dependency, in plan order."""
    graph = task_graph(tasks)
    broken: list[tuple[str, str]] = []
    for key in graph.order:
        task = graph.tasks[key]
        for dep in task.predecessors:
            pred = graph.tasks[dep.predecessor]
            earliest = _earliest_start(pred, slots[pred.key], dep, calendar)
            if slots[key].start < earliest:
                broken.append((pred.key, key))
    return broken


# --------------------------------------------------------------------------- scheduling


def back_schedule(tasks: Iterable[PlanTask], *, launch: date, calendar: BusinessCalendar) -> dict[str, Slot]:
    """Schedule every task as late as its successors allow, the last ones due on launch.

    Raises CycleError on a loop; no task is ever due after launch (rolled backward)."""
    graph = task_graph(tasks)
    return _latest_slots(graph, calendar.roll_backward(launch), calendar)


def plan_start(slots: Mapping[str, Slot]) -> date:
    """The earliest start date in the plan."""
    if not slots:
        raise ValueError("An empty plan has no start date.")
    return min(slot.start for slot in slots.values())


def shortfall(slots: Mapping[str, Slot], *, today: date, calendar: BusinessCalendar) -> int:
    """Business days by which the plan starts before `today` (0 when it does not)."""
    if not slots:
        return 0
    return max(0, calendar.business_days_between(plan_start(slots), today))


def cascade(
    tasks: Iterable[PlanTask],
    slots: Mapping[str, Slot],
    *,
    moved: str,
    new_due: date,
    calendar: BusinessCalendar,
) -> dict[str, Slot]:
    """Give `moved` its new due date and push violated successors later by the minimum.

    Returns only the slots that changed; successors never move earlier."""
    graph = task_graph(tasks)
    if moved not in graph.tasks:
        raise ValueError(f"Task {moved!r} is not in the plan.")
    moved_task = graph.tasks[moved]
    due = calendar.roll_backward(new_due)
    changed: dict[str, Slot] = {}
    new_slot = Slot(_start_from_due(moved_task, due, calendar), due)
    if new_slot != slots[moved]:
        changed[moved] = new_slot

    def current(key: str) -> Slot:
        return changed[key] if key in changed else slots[key]

    # Visit only successors of tasks that moved, in topological order so each is settled
    # once, after every predecessor that could push it.
    queued: set[str] = set()
    heap: list[tuple[int, str]] = []

    def enqueue_successors(key: str) -> None:
        for succ, _dep in graph.successors[key]:
            if succ not in queued:
                queued.add(succ)
                heapq.heappush(heap, (graph.rank[succ], succ))

    if moved in changed:
        enqueue_successors(moved)
    while heap:
        _, key = heapq.heappop(heap)
        task = graph.tasks[key]
        old = slots[key]
        start = old.start
        for dep in task.predecessors:
            pred = graph.tasks[dep.predecessor]
            start = max(start, _earliest_start(pred, current(pred.key), dep, calendar))
        if start != old.start:
            changed[key] = Slot(start, _due_from_start(task, start, calendar))
            enqueue_successors(key)
    return changed


def _last_task(graph: TaskGraph, slots: Mapping[str, Slot]) -> str:
    return min(
        graph.order,
        key=lambda k: (-slots[k].due.toordinal(), -len(graph.tasks[k].predecessors), k),
    )


def critical_path(
    tasks: Iterable[PlanTask], slots: Mapping[str, Slot], *, calendar: BusinessCalendar
) -> list[str]:
    """The chain of binding dependencies ending at the latest-due task, first to last.

    Where several predecessors bind, the one whose own binding chain starts earliest wins."""
    graph = task_graph(tasks)
    if not graph.order:
        return []
    # A link binds when the successor could not start any earlier because of it. In a
    # back-scheduled plan many links bind; the chain that reaches back furthest is the one
    # that fixes the plan start, so prefer it (then latest due, most predecessors, key).
    binding: dict[str, list[str]] = {}
    origin: dict[str, date] = {}
    for key in graph.order:
        start = slots[key].start
        binding[key] = [
            dep.predecessor
            for dep in graph.tasks[key].predecessors
            if _earliest_start(graph.tasks[dep.predecessor], slots[dep.predecessor], dep, calendar) >= start
        ]
        origin[key] = min([start, *(origin[p] for p in binding[key])])

    def preference(k: str) -> tuple[date, int, int, str]:
        return (origin[k], -slots[k].due.toordinal(), -len(graph.tasks[k].predecessors), k)

    key = _last_task(graph, slots)
    path = [key]
    while binding[key]:
        key = min(binding[key], key=preference)
        path.append(key)
    return path[::-1]


def critical_tasks(
    tasks: Iterable[PlanTask], slots: Mapping[str, Slot], *, calendar: BusinessCalendar
) -> set[str]:
    """Every task with no float to the deadline it feeds (the latest due of these tasks).

    Not one chain picked among equals: every zero-float task on every equally long chain is
    critical (in a freshly back-scheduled plan, that is every task that leads to the launch)."""
    graph = task_graph(tasks)
    if not graph.order:
        return set()
    last_due = max(slots[key].due for key in graph.order)
    # The latest due dates are counted in business-day indexes: every date _latest_slots walks to is a
    # business day, so each of its calendar steps is a sum here (the same answer, without a date per step).
    finish = calendar.business_day_index(last_due) - (0 if calendar.is_business_day(last_due) else 1)
    latest = _latest_due_indexes(graph, finish)
    index = calendar.business_day_index
    return {key for key in graph.order if latest[key] <= index(slots[key].due)}


def _latest_due_indexes(graph: TaskGraph, finish: int) -> dict[str, int]:
    """``_latest_slots``' due dates as business-day indexes, ``finish`` being the last business day's.

    A task of duration d spans d - 1 business days from start to due (a milestone none); a finish-to-start
    link needs one business day between the predecessor's due and the successor's start (none after a
    milestone), plus its lag; a start-to-start link puts the predecessor's start its lag before."""
    due_of: dict[str, int] = {}
    start_of: dict[str, int] = {}
    for key in reversed(graph.order):
        duration = graph.tasks[key].duration
        span = duration - 1 if duration else 0
        due = finish
        for succ, dep in graph.successors[key]:
            if dep.kind == "SS":
                latest = start_of[succ] - dep.lag + span
            else:
                latest = start_of[succ] - dep.lag - (1 if duration else 0)
            if latest < due:
                due = latest
        due_of[key] = due
        start_of[key] = due - span
    return due_of


def deadline_chains(
    tasks: Iterable[PlanTask], periods: Mapping[str, date | None]
) -> list[tuple[date | None, list[PlanTask]]]:
    """A plan split by the deadline each task feeds: the one-off work (period None, feeding the launch)
    and each retainer period's work (feeding that period's own deadline).

    Links between chains are dropped: each chain is measured against its own deadline."""
    groups: dict[date | None, list[PlanTask]] = {}
    for task in tasks:
        groups.setdefault(periods.get(task.key), []).append(task)
    chains = []
    for period, members in groups.items():
        inside = {t.key for t in members}
        chains.append(
            (
                period,
                [
                    PlanTask(t.key, t.duration, tuple(d for d in t.predecessors if d.predecessor in inside))
                    for t in members
                ],
            )
        )
    return chains


def current_chain(
    tasks: Iterable[PlanTask],
    slots: Mapping[str, Slot],
    periods: Mapping[str, date | None],
    *,
    today: date,
) -> list[PlanTask]:
    """The chain a retainer is working towards now: the first (by its deadline) not yet past, else the
    last. A one-off plan is one chain."""
    chains = deadline_chains(tasks, periods)
    if not chains:
        return []
    by_deadline = sorted(chains, key=lambda c: max(slots[t.key].due for t in c[1]))
    for _period, members in by_deadline:
        if max(slots[t.key].due for t in members) >= today:
            return members
    return by_deadline[-1][1]


def plan_critical_tasks(
    tasks: Iterable[PlanTask],
    slots: Mapping[str, Slot],
    *,
    calendar: BusinessCalendar,
    periods: Mapping[str, date | None] | None = None,
    today: date | None = None,
) -> set[str]:
    """The critical tasks a project's pages show: every zero-float task; for a retainer, those of the
    chain it is working towards now (``current_chain``), each chain measured to its own deadline."""
    tasks = list(tasks)
    if periods and today is not None and any(periods.get(t.key) for t in tasks):
        tasks = current_chain(tasks, slots, periods, today=today)
    return critical_tasks(tasks, slots, calendar=calendar)


def total_float(
    tasks: Iterable[PlanTask], slots: Mapping[str, Slot], *, calendar: BusinessCalendar
) -> dict[str, int]:
    """Business days each task can slip before the latest due date moves (0 = critical).

    In a back-scheduled plan every task is 0; negative when the slots already break a link."""
    graph = task_graph(tasks)
    if not graph.order:
        return {}
    finish = calendar.roll_backward(max(slot.due for slot in slots.values()))
    latest = _latest_slots(graph, finish, calendar)
    return {key: calendar.business_days_between(slots[key].due, latest[key].due) for key in graph.order}


# --------------------------------------------------------------------------- launch text


def _short_date(d: date, *, with_year: bool) -> str:
    return dates.short_date(d, with_year=with_year)


def launch_shift(before: date, after: date, *, calendar: BusinessCalendar) -> int:
    """Signed business days the launch moves by (positive = later)."""
    return calendar.business_days_between(before, after)


def describe_launch_shift(before: date, after: date, *, calendar: BusinessCalendar) -> str:
    """One sentence for people: "Launch moves from Tue 12 May to Thu 14 May (+2 business days)"."""
    with_year = before.year != after.year
    if before == after:
        return f"Launch stays on {_short_date(before, with_year=False)}"
    shift = launch_shift(before, after, calendar=calendar)
    sign = "+" if shift > 0 else "\u2212" if shift < 0 else ""
    unit = "business day" if abs(shift) == 1 else "business days"
    return (
        f"Launch moves from {_short_date(before, with_year=with_year)} "
        f"to {_short_date(after, with_year=with_year)} ({sign}{abs(shift)} {unit})"
    )


def describe_forecast(before: date, after: date, *, committed: date, calendar: BusinessCalendar) -> str:
    """The forecast launch beside the committed one, in words for people.

    "Forecast launch Wed 20 Jan, three business days after the committed Fri 15 Jan" when the plan
    lands past the promise; otherwise how the forecast moves, and that the commitment holds."""
    with_year = len({before.year, after.year, committed.year}) > 1
    if after > committed:
        slip = calendar.business_days_between(committed, after)
        count = _COUNT_WORDS[slip] if 0 <= slip < len(_COUNT_WORDS) else str(slip)
        unit = "business day" if slip == 1 else "business days"
        return (
            f"Forecast launch {_short_date(after, with_year=with_year)}, {count} {unit} after the "
            f"committed {_short_date(committed, with_year=with_year)}"
        )
    committed_text = f"the committed launch {_short_date(committed, with_year=with_year)} holds"
    if before == after:
        return f"Forecast launch stays on {_short_date(after, with_year=with_year)}; {committed_text}"
    shift = launch_shift(before, after, calendar=calendar)
    sign = "+" if shift > 0 else "\u2212" if shift < 0 else ""
    unit = "business day" if abs(shift) == 1 else "business days"
    return (
        f"Forecast launch moves from {_short_date(before, with_year=with_year)} to "
        f"{_short_date(after, with_year=with_year)} ({sign}{abs(shift)} {unit}); {committed_text}"
    )


_COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


# --------------------------------------------------------------------------- recurrence

MAX_HORIZON_DAYS = 366


@dataclass(frozen=True)
class Recurrence:
    """A retainer rhythm: every `interval` weeks on `weekday`, or months on `day_of_month`.

    Without a weekday/day the start date's own is used; days past a month's end clamp to
    its last day, and -1 always means the last day."""

    frequency: Literal["weekly", "monthly"]
    interval: int = 1
    weekday: int | None = None
    day_of_month: int | None = None

    def __post_init__(self) -> None:
        if self.frequency not in ("weekly", "monthly"):
            raise ValueError(f"Unknown frequency {self.frequency!r}: use 'weekly' or 'monthly'.")
        if self.interval < 1:
            raise ValueError(f"A recurrence interval must be at least 1 (got {self.interval}).")
        if self.frequency == "weekly":
            if self.day_of_month is not None:
                raise ValueError("A weekly recurrence takes a weekday, not a day of the month.")
            if self.weekday is not None and not 0 <= self.weekday <= 6:
                raise ValueError(f"Weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday}.")
        else:
            if self.weekday is not None:
                raise ValueError("A monthly recurrence takes a day of the month, not a weekday.")
            day = self.day_of_month
            if day is not None and not (1 <= day <= 31 or day == -1):
                raise ValueError(f"Day of month must be 1 to 31, or -1 for the last day (got {day}).")


def _day_in_month(year: int, month: int, day: int) -> date:
    last = _gregorian.monthrange(year, month)[1]
    return date(year, month, last if day == -1 else min(day, last))


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + months
    return total // 12, total % 12 + 1


def _series(rule: Recurrence, start: date) -> Iterator[date]:
    """Endless dates of `rule` from the first one on or after `start`."""
    if rule.frequency == "weekly":
        weekday = start.weekday() if rule.weekday is None else rule.weekday
        current = start + timedelta(days=(weekday - start.weekday()) % 7)
        while True:
            yield current
            current += timedelta(weeks=rule.interval)
    day = start.day if rule.day_of_month is None else rule.day_of_month
    year, month = start.year, start.month
    if _day_in_month(year, month, day) < start:
        year, month = _add_months(year, month, 1)
    while True:
        yield _day_in_month(year, month, day)
        year, month = _add_months(year, month, rule.interval)


def occurrences(rule: Recurrence, *, start: date, periods_ahead: int) -> list[date]:
    """The first `periods_ahead` dates of `rule` on or after `start` (calendar days, not rolled).

    Refuses to generate past one year (366 days) after `start`."""
    if periods_ahead < 1:
        raise ValueError(f"Ask for at least one occurrence (got {periods_ahead}).")
    horizon = start + timedelta(days=MAX_HORIZON_DAYS)
    dates: list[date] = []
    series = _series(rule, start)
    while len(dates) < periods_ahead:
        try:
            candidate = next(series)
        except (OverflowError, ValueError):  # stepped past year 9999: far beyond the horizon
            candidate = date.max
        if candidate > horizon:
            raise ValueError(
                f"{periods_ahead} occurrences reach past one year ahead of {start.isoformat()}; "
                "generate retainer work at most a year at a time."
            )
        dates.append(candidate)
    return dates


def occurrences_due(
    rule: Recurrence, *, start: date, periods_ahead: int, calendar: BusinessCalendar
) -> list[date]:
    """`occurrences`, each rolled backward to a business day (may land before `start`)."""
    return [calendar.roll_backward(d) for d in occurrences(rule, start=start, periods_ahead=periods_ahead)]
