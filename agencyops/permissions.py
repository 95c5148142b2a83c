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


can_manage_members = is_owner
can_manage_clients = is_owner | is_coordinator
can_view_internal = is_agency_member
