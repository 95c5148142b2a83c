"""Who may do what with approvals, as predicates about the object: one answer for the pages, the API and
the services. "Can this be sent" lives here once (it was written three times and disagreed).
"""

from __future__ import annotations

from typing import Any

from agencyops.models import Membership, Role
from agencyops.permissions import can_lead_work
from approvals.models import ApprovalRequest, ApprovalStatus

APPROVED_STATUSES = (ApprovalStatus.APPROVED, ApprovalStatus.APPROVED_WITH_CHANGES)


def can_manage_approvals(membership: Membership | None, request: ApprovalRequest | None = None) -> bool:
    """Create, edit, send and cancel approval requests, capture feedback, decide change requests: owners
    and coordinators (the people who lead the work)."""
    return bool(can_lead_work(membership))


def approval_is_sendable(request: ApprovalRequest, latest: Any) -> bool:
    """The state half of sending: a draft whose latest version has not gone out yet.

    Awaiting internal sign-off is not sendable: the internal approver's sign-off sends it. After the client
    asks for changes, a new version puts the request back to draft.
    """
    return request.status == ApprovalStatus.DRAFT and latest is not None and latest.sent_at is None


def can_send_approval(membership: Membership | None, request: ApprovalRequest, latest: Any) -> bool:
    """Send the latest version (to the client, or first to the internal approver)."""
    return can_manage_approvals(membership, request) and approval_is_sendable(request, latest)


def can_add_version(membership: Membership | None, request: ApprovalRequest, latest: Any) -> bool:
    """Upload the next version: the request is open, not waiting on sign-off, and the last one went out."""
    return (
        can_manage_approvals(membership, request)
        and not request.is_closed
        and request.status != ApprovalStatus.AWAITING_INTERNAL
        and (latest is None or latest.sent_at is not None)
    )


def can_sign_off_approval(membership: Membership | None, request: ApprovalRequest) -> bool:
    """Give the internal sign-off: the named internal approver, or an owner."""
    return (
        membership is not None
        and request.status == ApprovalStatus.AWAITING_INTERNAL
        and (membership.pk == request.internal_approver_id or membership.role == Role.OWNER)
    )


def can_request_revision(membership: Membership | None, request: ApprovalRequest) -> bool:
    """Reopen approved work for a revision."""
    return can_manage_approvals(membership, request) and request.status in APPROVED_STATUSES


def can_decide_change_request(membership: Membership | None, change_request: Any = None) -> bool:
    """Accept or decline a change request on the agency's side."""
    return can_manage_approvals(membership)
