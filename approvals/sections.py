"""What approvals add to the pages the platform composes (agencyops/sections.py): client decisions,
sign-offs and change requests in the home view's "Needs decision", the client page's open approvals and
the portal home's two sections. Called from ApprovalsConfig.ready().
"""

from __future__ import annotations

from typing import Any

from agencyops import sections as registry
from agencyops.planned_sql import planned_cursor


def client_open_approvals(context: registry.SectionContext) -> list[Any]:
    """The client's approvals still open, soonest due first (one query)."""
    from approvals.models import ApprovalRequest, ApprovalStatus

    return list(
        ApprovalRequest.objects.filter(
            client=context.subject,
            status__in=[
                ApprovalStatus.AWAITING_CLIENT,
                ApprovalStatus.AWAITING_INTERNAL,
                ApprovalStatus.CHANGES_REQUESTED,
                ApprovalStatus.DRAFT,
            ],
        )
        .select_related("final_approver")
        .order_by("due_at")[:20]
    )


def portal_home_for_page(context: registry.SectionContext) -> Any:
    """The portal home's two sections share one load per page."""
    from approvals.portal_selectors import portal_home_data

    return context.memo(
        "approvals.portal_home", lambda: portal_home_data(context.viewer, changes_at=context.changes_at)
    )


# The requests awaiting the client on the portal home's projects, written once (the portal home is every
# client's first page). The rule of what a contact may open is approvals.selectors.requests_visible_to's:
# their own client's requests, once sent.
PORTAL_WAITING_SQL = """
SELECT r.id, r.title, r.project_id, r.due_at, r.final_approver_id
FROM approvals_approvalrequest r
WHERE r.agency_id = %(agency)s AND r.client_id = %(client)s AND r.sent_at IS NOT NULL
  AND r.status = %(awaiting)s AND r.project_id = ANY(%(projects)s)
ORDER BY r.due_at, r.id
"""


def portal_waiting_approvals(*, contact: Any, project_ids: list[int], today: Any) -> list[tuple[int, Any]]:
    """For the portal home's projects: the work awaiting the client's decision, per project (one query)."""
    from agencyops.row_links import link_by_id
    from approvals.models import ApprovalStatus
    from approvals.portal_selectors import local_date
    from projects.client_projects import WaitingItem

    params = {
        "agency": contact.agency_id,
        "client": contact.client_id,
        "awaiting": ApprovalStatus.AWAITING_CLIENT.value,
        "projects": list(project_ids),
    }
    with planned_cursor() as cursor:
        cursor.execute(PORTAL_WAITING_SQL, params)
        rows = cursor.fetchall()
    link = link_by_id("portal_approval", "request_id", agency_slug=contact.agency.slug)
    pairs = []
    for pk, title, project_id, due_at, final_approver_id in rows:
        due = local_date(due_at, contact.agency)
        verb = "Approve" if final_approver_id == contact.pk else "Review"
        pairs.append(
            (project_id, WaitingItem(label=f"{verb} “{title}”", due=due, url=link(pk), overdue=due < today))
        )
    return pairs


def register() -> None:
    """Register approvals' sections and contributions with the platform."""
    from approvals.home_sections import home_decision_items, home_decision_reads
    from projects.home_sections import HOME_DECISIONS

    registry.contribution_register(
        registry.Contribution(
            target=HOME_DECISIONS,
            key="approvals",
            order=10,
            load=home_decision_items,
            reads=home_decision_reads,
        )
    )
    registry.section_register(
        registry.Section(
            page=registry.CLIENT,
            key="approvals",
            order=20,
            template="approvals/client_sections.html#approvals",
            selector=client_open_approvals,
        )
    )
    from projects.client_projects import PORTAL_WAITING

    registry.contribution_register(
        registry.Contribution(target=PORTAL_WAITING, key="approvals", order=10, load=portal_waiting_approvals)
    )
    for key, order in (("awaiting", 10), ("decisions", 20)):
        registry.section_register(
            registry.Section(
                page=registry.PORTAL_HOME,
                key=key,
                order=order,
                template=f"approvals/portal_sections.html#{key}",
                selector=portal_home_for_page,
            )
        )
