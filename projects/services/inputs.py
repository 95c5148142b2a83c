"""Required inputs: what the work needs from the agency, the client or a vendor, and by when."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from agencyops.models import Membership
from projects.calendars import agency_today
from projects.models import Party, Project, RequiredInput, Task
from projects.services._shared import _require_planner, _require_team, _rescan_soon


@transaction.atomic
def required_input_create(
    *,
    actor: Membership,
    project: Project,
    description: str,
    from_party: str,
    expected_by: date | None,
    from_name: str = "",
    tasks: Iterable[Task] = (),
) -> RequiredInput:
    """Track something the work needs: what, from whom, by when, and which tasks need it."""
    _require_planner(actor)
    errors = {}
    if not description.strip():
        errors["description"] = "Say what is needed."
    if from_party not in Party.values:
        errors["from_party"] = "Inputs come from the agency, the client or a vendor."
    if from_party == Party.VENDOR and not from_name.strip():
        errors["from_name"] = "Name the vendor."
    if expected_by is None:
        errors["expected_by"] = "Say when it is expected."
    tasks = list(tasks)
    if any(t.project_id != project.pk for t in tasks):
        errors["tasks"] = "Link tasks of this project only."
    if errors:
        raise ValidationError(errors)
    item = RequiredInput.objects.create(
        agency=actor.agency,
        project=project,
        description=description.strip(),
        from_party=from_party,
        from_name=from_name.strip(),
        expected_by=expected_by,
    )
    item.tasks.set(tasks)
    return item


@transaction.atomic
def required_input_receive(
    *, actor: Membership, item: RequiredInput, received_on: date | None = None
) -> RequiredInput:
    """Mark an input as received (today unless a date is given)."""
    _require_team(actor)
    item.received_at = received_on or agency_today(actor.agency)
    item.save(update_fields=["received_at"])
    _rescan_soon(item.agency_id)
    return item
