"""Who may do what, as named predicates (the ``rules`` package) over a membership.

Views pass these to ``@agency_view(permission=...)``; the API mixin's ``check_role`` calls them too.
"""

from __future__ import annotations

import rules

from agencyops.models import Role


@rules.predicate
def is_owner(membership) -> bool:
    return membership is not None and membership.role == Role.OWNER


@rules.predicate
def is_coordinator(membership) -> bool:
    return membership is not None and membership.role == Role.COORDINATOR


@rules.predicate
def is_agency_member(membership) -> bool:
    return membership is not None and membership.is_active


# Owners and coordinators lead the work: clients, plans, approvals and escalations.
can_lead_work = is_owner | is_coordinator

can_manage_members = is_owner
can_manage_clients = can_lead_work
can_plan_projects = can_lead_work
can_manage_approvals = can_lead_work
can_handle_escalations = can_lead_work
can_view_internal = is_agency_member
# Coordinators and owners read the inbox of forwarded client mail and file or discard it.
can_manage_inbox = can_lead_work


def require(predicate, membership, message: str) -> None:
    """For services: refuse an actor the predicate does not allow, with a message for people."""
    from django.core.exceptions import ValidationError

    if not predicate(membership):
        raise ValidationError(message, code="forbidden")
