"""Rule 3, capacity: a team member is booked beyond their weekly hours this week or next, across projects."""

from __future__ import annotations

from datetime import date, timedelta

from projects.risk_messages import full_date, hours_text, join_names
from projects.risks.snapshot import Escalation, ProjectSnapshot, _escalation
from projects.scheduling import BusinessCalendar, working_week

# Weeks checked for overload: the current working week and the next one.
CAPACITY_WEEKS = 2
# Booked this far over capacity, the week cannot be rescued by overtime.
SEVERE_OVERLOAD = 1.25


def capacity_weeks(today: date, calendar: BusinessCalendar) -> list[date]:
    """Mondays of the weeks the capacity rule checks: the current working week and the next, or
    from the coming week once this one's working days are over. Compute `weekly_load` for these."""
    monday, _ = working_week(today, calendar.working_weekdays)
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
