"""What the risk scan reads about a live project, and the escalation it hands its owner."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, TypeVar

from projects.risk_messages import mid_sentence
from projects.scheduling import Dependency

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
IN_REVIEW = "in_review"
# The statuses that mean the work has begun: a task in review is started and not yet done.
STARTED = frozenset({IN_PROGRESS, IN_REVIEW})
MANUAL = "manual"
PENDING = "pending"

_Snap = TypeVar("_Snap")


def snapshot_from_fields(cls: type[_Snap], fields: dict[str, Any]) -> _Snap:
    """A snapshot (a frozen dataclass) from a dict that names every one of its fields, none left to its
    default, as the scan builds one per task and move of an agency: the generated keyword __init__ sets the
    fields one by one through object.__setattr__, about three times the cost of handing it the dict."""
    snap = cls.__new__(cls)
    object.__setattr__(snap, "__dict__", fields)
    return snap


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
    # A retainer period's work feeds that period's own deadline, not the launch (None: one-off work).
    period: date | None = None

    @classmethod
    def from_fields(cls, rows: Iterable[dict[str, Any]]) -> list[TaskSnap]:
        """Snapshots from dicts that each name every field, as the scan builds one per task of the agency
        (see ``snapshot_from_fields``; the loop spares a call per task)."""
        new, set_dict = cls.__new__, object.__setattr__
        snaps = []
        for fields in rows:
            snap = new(cls)
            set_dict(snap, "__dict__", fields)
            snaps.append(snap)
        return snaps

    @property
    def is_open(self) -> bool:
        return self.status != DONE

    @property
    def is_started(self) -> bool:
        return self.status in STARTED


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
