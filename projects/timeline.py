"""The Gantt chart of a project as a layout model: rows, bars, arrows and gridlines in pixels.

Pure module: plain values in, plain values out, no Django and no ORM. The timeline view loads the
project's tasks and links, marks the critical path (projects.scheduling.critical_path) and hands
them here; the template only draws what comes back, as SVG with presentation attributes and
classes (the CSP forbids inline styles).

Geometry (every figure an integer number of pixels):

* Day ``d`` occupies ``[x(d), x(d) + DAY_WIDTH)`` with ``x(d) = LABEL_WIDTH + days since origin × DAY_WIDTH``;
  the origin is the Monday of the week the plan starts.
* A bar runs from the start of its start day to the end of its due day (both inclusive).
* A milestone (``milestone=True``) is a diamond centred in its due day, ``MILESTONE_RADIUS`` wide each side.
* The today line sits in the middle of today; the launch line at the end of the launch day.
* Arrows leave a predecessor at its end (FS) or start (SS) and enter the successor at its start.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from agencyops import dates
from projects.scheduling import BusinessCalendar

__all__ = [
    "Arrow",
    "Bar",
    "Link",
    "Row",
    "Tick",
    "Timeline",
    "TimelineTask",
    "build_timeline",
    "short_date",
]

LABEL_WIDTH = 280
DAY_WIDTH = 16
ROW_HEIGHT = 28
HEADER_HEIGHT = 44
BAR_HEIGHT = 16
PHASE_BAR_HEIGHT = 6
MILESTONE_RADIUS = 8
ARROW_GAP = 6
RIGHT_PADDING = 24
LABEL_CHARS = 38
NO_PHASE = "Other tasks"

State = Literal["done", "blocked", "overdue", "waiting", "in_review", "in_progress", "not_started"]
STATE_LABELS: dict[str, str] = {
    "done": "Done",
    "blocked": "Blocked",
    "overdue": "Overdue",
    "waiting": "Waiting",
    "in_review": "In review",
    "in_progress": "In progress",
    "not_started": "Not started",
}


def short_date(d: date, *, with_year: bool = False) -> str:
    """ "Tue 12 May" (with the year when asked)."""
    return dates.short_date(d, with_year=with_year)


@dataclass(frozen=True)
class Link:
    """The task waits for ``predecessor``: until it finishes (FS) or starts (SS)."""

    predecessor: str
    kind: Literal["FS", "SS"] = "FS"


@dataclass(frozen=True)
class TimelineTask:
    """One task as the chart needs it."""

    key: str
    title: str
    phase: str
    start: date
    due: date
    status: str = "not_started"
    predecessors: tuple[Link, ...] = ()
    critical: bool = False
    milestone: bool = False
    url: str = ""
    assignee: str = ""


@dataclass(frozen=True)
class Bar:
    """A task's (or a phase's) rectangle; ``points`` is set instead for a milestone diamond."""

    x: int
    y: int
    width: int
    height: int
    points: str = ""

    @property
    def start_x(self) -> int:
        return self.x

    @property
    def end_x(self) -> int:
        return self.x + self.width


@dataclass(frozen=True)
class Row:
    """One line of the chart: a phase header or a task."""

    kind: Literal["phase", "task"]
    y: int
    label: str
    title: str
    bar: Bar | None
    start: date | None
    due: date | None
    key: str = ""
    phase: str = ""
    state: str = ""
    critical: bool = False
    milestone: bool = False
    url: str = ""
    tooltip: str = ""

    @property
    def text_y(self) -> int:
        return self.y + ROW_HEIGHT // 2 + 4

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, "")

    @property
    def classes(self) -> str:
        names = [f"tl-{self.kind}"]
        if self.kind == "task":
            names.append(f"tl-{self.state.replace('_', '-')}")
            if self.critical:
                names.append("tl-critical")
            if self.milestone:
                names.append("tl-milestone")
        return " ".join(names)


@dataclass(frozen=True)
class Arrow:
    """A dependency drawn from predecessor to successor as an elbowed polyline."""

    predecessor: str
    successor: str
    kind: str
    points: tuple[tuple[int, int], ...]
    critical: bool = False

    @property
    def points_attr(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.points)


@dataclass(frozen=True)
class Tick:
    """A week gridline (on Mondays) with its date label."""

    day: date
    x: int
    label: str


@dataclass(frozen=True)
class Timeline:
    """Everything the template draws."""

    width: int
    height: int
    origin: date
    end: date
    rows: tuple[Row, ...]
    arrows: tuple[Arrow, ...]
    ticks: tuple[Tick, ...]
    off_days: tuple[Bar, ...]
    today: date
    today_x: int | None
    launch: date | None
    launch_x: int | None
    chart_top: int = HEADER_HEIGHT
    label_width: int = LABEL_WIDTH
    row_height: int = ROW_HEIGHT

    @property
    def task_rows(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.kind == "task")

    @property
    def chart_bottom(self) -> int:
        return self.height

    def row_for(self, key: str) -> Row:
        return next(r for r in self.rows if r.kind == "task" and r.key == key)


def _state(task: TimelineTask, today: date) -> str:
    # Done beats everything, then the reasons work cannot move, then lateness.
    if task.status == "done":
        return "done"
    if task.status == "blocked":
        return "blocked"
    if task.due < today:
        return "overdue"
    if task.status in ("waiting", "in_review", "in_progress"):
        return task.status
    return "not_started"


def _label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def _tooltip(task: TimelineTask, state: str, with_year: bool) -> str:
    if task.milestone or task.start == task.due:
        when = short_date(task.due, with_year=with_year)
    else:
        when = f"{short_date(task.start, with_year=with_year)} to {short_date(task.due, with_year=with_year)}"
    parts = [task.title, when, STATE_LABELS[state]]
    if task.assignee:
        parts.append(task.assignee)
    if task.critical:
        parts.append("On the critical path")
    return " · ".join(parts)


def _elbow(x1: int, y1: int, x2: int, y2: int) -> tuple[tuple[int, int], ...]:
    """Out of the predecessor to the right, down (or up) to the successor's row, into its start."""
    if x2 - x1 >= 2 * ARROW_GAP:
        bend = x2 - ARROW_GAP
        return ((x1, y1), (bend, y1), (bend, y2), (x2, y2))
    # The successor starts at (or before) the point the arrow leaves: step out, run along the
    # boundary between the two rows, and come back in from the left.
    out, back = x1 + ARROW_GAP, x2 - ARROW_GAP
    between = y2 - ROW_HEIGHT // 2 if y2 > y1 else y2 + ROW_HEIGHT // 2
    return ((x1, y1), (out, y1), (out, between), (back, between), (back, y2), (x2, y2))


def build_timeline(
    tasks: Iterable[TimelineTask],
    *,
    today: date,
    launch: date | None = None,
    phases: Sequence[str] = (),
    calendar: BusinessCalendar | None = None,
) -> Timeline:
    """Lay out a Gantt chart: phase header rows (in ``phases`` order) each followed by its tasks.

    Tasks keep their given order within a phase; phases not named in ``phases`` follow in order of
    appearance, and tasks without a phase come last under "Other tasks". With a calendar, days that
    are not business days are shaded.
    """
    tasks = list(tasks)
    if not tasks:
        origin = today - timedelta(days=today.weekday())
        end = origin + timedelta(days=6)
    else:
        first = min(t.start for t in tasks)
        last = max([t.due for t in tasks] + ([launch] if launch else []))
        origin = first - timedelta(days=first.weekday())
        end = last + timedelta(days=6 - last.weekday())
    days = (end - origin).days + 1
    with_year = origin.year != end.year

    def x(d: date) -> int:
        return LABEL_WIDTH + (d - origin).days * DAY_WIDTH

    order: list[str] = list(phases)
    groups: dict[str, list[TimelineTask]] = {p: [] for p in order}
    for task in tasks:
        name = task.phase or NO_PHASE
        if name not in groups:
            groups[name] = []
            order.append(name)
        groups[name].append(task)
    if NO_PHASE in order:  # tasks without a phase always come last
        order.remove(NO_PHASE)
        order.append(NO_PHASE)

    rows: list[Row] = []
    y = HEADER_HEIGHT
    for name in order:
        members = groups[name]
        if not members:
            continue
        start, due = min(t.start for t in members), max(t.due for t in members)
        span = Bar(
            x=x(start),
            y=y + (ROW_HEIGHT - PHASE_BAR_HEIGHT) // 2,
            width=x(due) + DAY_WIDTH - x(start),
            height=PHASE_BAR_HEIGHT,
        )
        span_text = f"{short_date(start, with_year=with_year)} to {short_date(due, with_year=with_year)}"
        rows.append(
            Row(
                kind="phase",
                y=y,
                label=_label(name),
                title=name,
                bar=span,
                start=start,
                due=due,
                tooltip=f"{name} · {span_text}",
            )
        )
        y += ROW_HEIGHT
        for task in members:
            state = _state(task, today)
            centre_y = y + ROW_HEIGHT // 2
            if task.milestone:
                cx = x(task.due) + DAY_WIDTH // 2
                r = MILESTONE_RADIUS
                bar = Bar(
                    x=cx - r,
                    y=centre_y - r,
                    width=2 * r,
                    height=2 * r,
                    points=f"{cx},{centre_y - r} {cx + r},{centre_y} {cx},{centre_y + r} {cx - r},{centre_y}",
                )
            else:
                bar = Bar(
                    x=x(task.start),
                    y=y + (ROW_HEIGHT - BAR_HEIGHT) // 2,
                    width=x(task.due) + DAY_WIDTH - x(task.start),
                    height=BAR_HEIGHT,
                )
            rows.append(
                Row(
                    kind="task",
                    y=y,
                    label=_label(task.title),
                    title=task.title,
                    bar=bar,
                    start=task.start,
                    due=task.due,
                    key=task.key,
                    phase=name,
                    state=state,
                    critical=task.critical,
                    milestone=task.milestone,
                    url=task.url,
                    tooltip=_tooltip(task, state, with_year),
                )
            )
            y += ROW_HEIGHT

    by_key = {r.key: r for r in rows if r.kind == "task"}
    critical = {t.key for t in tasks if t.critical}
    arrows: list[Arrow] = []
    for task in tasks:
        succ = by_key[task.key]
        assert succ.bar is not None
        for link in task.predecessors:
            pred = by_key.get(link.predecessor)
            if pred is None or pred.bar is None:
                continue  # a link to a task outside the chart has nothing to point from
            x1 = pred.bar.end_x if link.kind == "FS" else pred.bar.start_x
            y1 = pred.y + ROW_HEIGHT // 2
            y2 = succ.y + ROW_HEIGHT // 2
            arrows.append(
                Arrow(
                    predecessor=link.predecessor,
                    successor=task.key,
                    kind=link.kind,
                    points=_elbow(x1, y1, succ.bar.start_x, y2),
                    critical=link.predecessor in critical and task.key in critical,
                )
            )

    ticks = tuple(
        Tick(day=d, x=x(d), label=dates.day_month(d, with_year=with_year))
        for d in (origin + timedelta(weeks=w) for w in range(days // 7 + 1))
        if d <= end
    )
    off_days: tuple[Bar, ...] = ()
    if calendar is not None:
        off_days = tuple(
            Bar(x=x(d), y=HEADER_HEIGHT, width=DAY_WIDTH, height=y - HEADER_HEIGHT)
            for d in (origin + timedelta(days=i) for i in range(days))
            if not calendar.is_business_day(d)
        )
    today_x = x(today) + DAY_WIDTH // 2 if origin <= today <= end else None
    launch_x = x(launch) + DAY_WIDTH if launch and origin <= launch <= end else None
    return Timeline(
        width=LABEL_WIDTH + days * DAY_WIDTH + RIGHT_PADDING,
        height=max(y, HEADER_HEIGHT + ROW_HEIGHT),
        origin=origin,
        end=end,
        rows=tuple(rows),
        arrows=tuple(arrows),
        ticks=ticks,
        off_days=off_days,
        today=today,
        today_x=today_x,
        launch=launch,
        launch_x=launch_x,
    )
