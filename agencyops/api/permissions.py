"""Who may call which HTTP method of an endpoint: one map per view, read by one permission class.

A view says ``permission_map = {"GET": is_agency_member, "POST": can_plan_projects}`` (predicates from the
apps' permissions modules, over the caller's membership), the way Sentry's scope maps do. HEAD and OPTIONS
follow GET. A method the view implements but the map leaves out is refused: a new handler cannot ship open
by accident. A method the view does not implement is left to DRF, which answers 405 to everyone alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rest_framework.permissions import BasePermission

from agencyops.models import Membership

# Predicates take the caller's membership, or None when there is none (they then refuse).
Predicate = Callable[[Membership | None], bool]
PermissionMap = Mapping[str, Predicate]
ROLE_REFUSED = "Your role in this agency does not allow this."
FOLLOWS_GET = ("HEAD", "OPTIONS")


def predicate_for(view: Any, method: str) -> Predicate | None:
    """The predicate that guards ``method`` on ``view``, or None when nothing allows it.

    A view without a ``permission_map`` allows nothing: every endpoint says who may call each method.
    """
    method = "GET" if method in FOLLOWS_GET else method
    declared: PermissionMap | None = getattr(view, "permission_map", None)
    if declared is None:
        return None
    return declared.get(method)


class MethodPermission(BasePermission):
    """Allows a request when its method's predicate in the view's ``permission_map`` allows the caller.

    Runs once the tenant is resolved (``request.membership`` is set), so an outsider still gets the 404 of
    an unknown agency, never a 403 that would confirm it exists.
    """

    message = ROLE_REFUSED

    def has_permission(self, request: Any, view: Any) -> bool:
        if not hasattr(view, request.method.lower()) and request.method not in FOLLOWS_GET:
            return True  # DRF answers 405, the same for every role.
        predicate = predicate_for(view, request.method)
        return predicate is not None and bool(predicate(getattr(request, "membership", None)))


def team_reads_and_writes_by(write: Predicate) -> dict[str, Predicate]:
    """The usual map of an app's base view: the whole team reads, ``write`` guards every change."""
    from agencyops.permissions import is_agency_member

    return {"GET": is_agency_member, "POST": write, "PUT": write, "PATCH": write, "DELETE": write}
