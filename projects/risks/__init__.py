"""Deadline-risk rules: when a coordinator should escalate, and the specific sentence to say.

Pure package: plain dataclasses in, plain dataclasses out, no Django and no ORM. A scheduled
job builds one `ProjectSnapshot` per live project from the database and calls `evaluate`;
it stores each `Escalation` under its `fingerprint`, so the same risk found by the next scan
updates one row instead of adding another, and a risk that is no longer found is resolved.

Every business-day figure comes from `projects.scheduling` with the agency's calendar.

Where things live:

* `snapshot`: what the rules read (`ProjectSnapshot` and its parts) and what they return
  (`Escalation`), with the rule names, severities and home-view sections.
* `_plan`: the project's plan as a task graph, and the dates and phrases several rules share.
* One module per rule, run in this order by `evaluate`:
  1. `missing_input`: `rule_missing_input`
  2. `deadline_moved`: `rule_deadline_moved`
  3. `capacity`: `rule_capacity` (and `capacity_weeks`, the weeks it checks)
  4. `owner_unclear`: `rule_owner_unclear`
  5. `scope`: `rule_scope`
  6. `launch_at_risk`: `rule_launch_at_risk` (and `forecast_slots`)
  7. `decision_needed`: `rule_decision_needed`
* This module: the `Rule` shape, `RULES`, `evaluate` and `evaluate_many`.

Conventions the rules share:

* "Within the look-ahead window" means starting on or before `lookahead_days` business days
  after `today` (work that should already have started counts too).
* A task is open until its status is "done"; "in_progress" and "in_review" (`STARTED`) are the
  statuses that mean the work has started (waiting and blocked tasks may not have begun).
* A missing input holds back the tasks that need it: such a task keeps the handling time the
  plan gave it between the input's expected date and the task's start (at most
  `MAX_INPUT_HANDLING_DAYS` business days), counted from the day the input arrives.
* The launch moves by the business days the plan's finish passes both the launch date and the
  plan's current finish; finishing earlier never "moves" it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol

from projects.risks.capacity import CAPACITY_WEEKS, SEVERE_OVERLOAD, capacity_weeks, rule_capacity
from projects.risks.deadline_moved import rule_deadline_moved
from projects.risks.decision_needed import rule_decision_needed
from projects.risks.launch_at_risk import forecast_slots, rule_launch_at_risk
from projects.risks.missing_input import MAX_INPUT_HANDLING_DAYS, SAFE_ARRIVAL_SEARCH_DAYS, rule_missing_input
from projects.risks.owner_unclear import rule_owner_unclear
from projects.risks.scope import rule_scope
from projects.risks.snapshot import (
    DONE,
    IN_PROGRESS,
    IN_REVIEW,
    MANUAL,
    PENDING,
    SECTION_OF_RULE,
    STARTED,
    ApprovalSnap,
    ChangeRequestSnap,
    DeadlineChangeSnap,
    Escalation,
    Facts,
    FactValue,
    InputSnap,
    MemberSnap,
    ProjectSnapshot,
    RuleName,
    Section,
    Severity,
    TaskSnap,
    WeeklyLoad,
)
from projects.scheduling import BusinessCalendar

__all__ = [
    "CAPACITY_WEEKS",
    "DONE",
    "IN_PROGRESS",
    "IN_REVIEW",
    "MANUAL",
    "MAX_INPUT_HANDLING_DAYS",
    "PENDING",
    "AGENCY_RULES",
    "PROJECT_RULES",
    "RULES",
    "SAFE_ARRIVAL_SEARCH_DAYS",
    "SECTION_OF_RULE",
    "SEVERE_OVERLOAD",
    "STARTED",
    "ApprovalSnap",
    "ChangeRequestSnap",
    "DeadlineChangeSnap",
    "Escalation",
    "FactValue",
    "Facts",
    "InputSnap",
    "MemberSnap",
    "ProjectSnapshot",
    "Rule",
    "RuleName",
    "Section",
    "Severity",
    "TaskSnap",
    "WeeklyLoad",
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


class Rule(Protocol):
    """The shape every rule shares, so the scheduled job can also run one rule alone."""

    def __call__(
        self, snapshot: ProjectSnapshot, *, today: date, calendar: BusinessCalendar, lookahead_days: int
    ) -> list[Escalation]: ...


# Rules about one project's plan, run once per project.
PROJECT_RULES: tuple[Rule, ...] = (
    rule_missing_input,
    rule_deadline_moved,
    rule_owner_unclear,
    rule_scope,
    rule_launch_at_risk,
    rule_decision_needed,
)
# Rules about the whole agency (capacity reads every member's load across projects): their answer is
# the same from any project's snapshot, so a scan runs them once, not once per project.
AGENCY_RULES: tuple[Rule, ...] = (rule_capacity,)

# Every rule, in the order a single project's escalations are listed.
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
    """Every escalation of an agency's projects: the project rules once per project, the agency-wide
    rules once per scan (every snapshot carries the same members and load), each fingerprint once.

    Linear in the data: no rule runs over the whole team once per project."""
    snapshots = list(snapshots)
    found: list[Escalation] = []
    if snapshots:
        for rule in AGENCY_RULES:
            found.extend(rule(snapshots[0], today=today, calendar=calendar, lookahead_days=lookahead_days))
    for snapshot in snapshots:
        for rule in PROJECT_RULES:
            found.extend(rule(snapshot, today=today, calendar=calendar, lookahead_days=lookahead_days))
    seen: set[str] = set()
    unique: list[Escalation] = []
    for escalation in found:
        if escalation.fingerprint not in seen:
            seen.add(escalation.fingerprint)
            unique.append(escalation)
    return unique
