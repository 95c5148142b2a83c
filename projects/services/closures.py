"""Agency closures: days the whole agency is closed, which plans skip."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from agencyops.models import Membership
from agencyops.permissions import can_plan_projects, require


@transaction.atomic
def closure_add(*, actor: Membership, day: date | None, name: str = "") -> Any:
    """Mark a day the whole agency is closed; plans created or moved later skip it."""
    from projects.models import AgencyClosure

    require(can_plan_projects, actor, "Only owners and coordinators can set closures.")
    if day is None:
        raise ValidationError({"date": "Choose the day the agency is closed."})
    if AgencyClosure.objects.filter(agency=actor.agency, date=day).exists():
        raise ValidationError({"date": f"{day:%a %-d %b %Y} is already a closure."})
    return AgencyClosure.objects.create(agency=actor.agency, date=day, name=name.strip()[:120])


@transaction.atomic
def closure_remove(*, actor: Membership, closure: Any) -> None:
    """The agency works that day after all."""
    require(can_plan_projects, actor, "Only owners and coordinators can set closures.")
    closure.delete()
