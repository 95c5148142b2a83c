"""The committed launch: the date agreed with the client, moved only by an explicit, recorded act."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from agencyops.models import Membership
from projects import extensions
from projects.calendars import agency_calendar
from projects.models import Brief, LaunchChange, Project
from projects.services._shared import _require_planner, _require_team, _rescan_soon

REASON_MAX = 2000


@dataclass(frozen=True)
class LaunchMove:
    """A recorded move of the committed launch, and what it proposed elsewhere (e.g. a change request)."""

    change: LaunchChange
    proposals: list[Any]


@transaction.atomic
def project_move_launch(
    *,
    actor: Membership,
    project: Project,
    new_launch: date,
    reason: str,
    source_reference: str = "",
    agreed_by_client: bool = False,
) -> LaunchMove:
    """Move the committed launch: owners and coordinators only, with a reason kept in the history.

    ``agreed_by_client`` marks a move the client has already agreed to (an approved change request,
    cited in ``source_reference``): it is recorded like any other, but proposes nothing further."""
    _require_team(actor)
    _require_planner(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the committed launch moves; it is kept in the history."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX} characters."})
    if new_launch is None:
        raise ValidationError({"launch_date": "Enter the new committed launch date."})
    calendar = agency_calendar(project.agency, around=new_launch)
    if not calendar.is_business_day(new_launch):
        raise ValidationError({"launch_date": f"{new_launch:%a %-d %b} is not a working day for the agency."})
    project = Project.objects.select_for_update().get(pk=project.pk)
    if new_launch == project.launch_date:
        raise ValidationError({"launch_date": f"The committed launch is already {new_launch:%a %-d %b %Y}."})
    change = LaunchChange.objects.create(
        agency=project.agency,
        project=project,
        old_launch=project.launch_date,
        new_launch=new_launch,
        reason=reason,
        source_reference=source_reference[:200],
        changed_by=actor,
    )
    project.launch_date = new_launch
    project.save(update_fields=["launch_date"])
    # The brief's due date is the committed launch: they never tell two stories.
    Brief.objects.filter(project=project).update(due_date=new_launch)
    proposals = [] if agreed_by_client else extensions.launch_moved(change=change, actor=actor)
    _rescan_soon(project.agency_id)
    return LaunchMove(change=change, proposals=proposals)
