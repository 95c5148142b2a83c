"""Every write of the approvals layer: requests, versions, comments, decisions, the log, change requests.

A final decision locks its request row, so two clicks at once produce exactly one decision and one
log entry (the database's one-final-decision-per-round constraint backs this up). Mail leaves only
after the transaction commits.

- ``requests``: preparing and sending approval requests, the revision budget check, internal sign-off.
- ``versions``: uploading the next version of a deliverable.
- ``feedback``: comments, pins and passages, captured feedback, resolving comments.
- ``decisions``: final and advisory verdicts, the decision log.
- ``change_requests``: change requests to approved work and their decision.
- ``_shared``: permission check and agency-local times (``format_moment``); notifications go through
  ``agencyops.notifications.services.notify``.
"""

from approvals.services._shared import format_moment
from approvals.services.change_requests import (
    approval_request_revision,
    change_request_create,
    change_request_decide,
)
from approvals.services.decisions import approval_advise, approval_decide, decision_log_add
from approvals.services.feedback import CAPTURE_SOURCES, comment_add, comment_resolve, feedback_capture
from approvals.services.requests import (
    SendCheck,
    approval_internal_signoff,
    approval_request_create,
    approval_request_send,
    approval_send_check,
    rounds_included,
)
from approvals.services.versions import version_add, version_pages_store

__all__ = [
    "CAPTURE_SOURCES",
    "SendCheck",
    "approval_advise",
    "approval_decide",
    "approval_internal_signoff",
    "approval_request_create",
    "approval_request_revision",
    "approval_request_send",
    "approval_send_check",
    "change_request_create",
    "change_request_decide",
    "comment_add",
    "comment_resolve",
    "decision_log_add",
    "feedback_capture",
    "format_moment",
    "rounds_included",
    "version_add",
    "version_pages_store",
]
