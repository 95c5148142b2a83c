"""Who may do what in the project layer, as predicates about the object: used by the pages, the API and the
services alike."""

from __future__ import annotations

from typing import Any

from agencyops.models import Membership
from agencyops.permissions import can_lead_work


def can_manage_escalation(membership: Membership | None, escalation: Any = None) -> bool:
    """Acknowledge, assign, snooze, resolve an escalation, or scan a project now: owners and coordinators."""
    return bool(can_lead_work(membership))


def can_manage_closures(membership: Membership | None, closure: Any = None) -> bool:
    """Add or remove the agency's own closure days (they move every plan): owners and coordinators."""
    return bool(can_lead_work(membership))
