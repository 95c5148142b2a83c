"""What approvals add to the pages the platform composes (agencyops/sections.py): client decisions,
sign-offs and change requests in the home view's "Needs decision", the client page's open approvals and
the portal home's two sections. Called from ApprovalsConfig.ready().
"""

from __future__ import annotations

from typing import Any

from agencyops import sections as registry


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

    return context.memo("approvals.portal_home", lambda: portal_home_data(context.viewer))


def portal_waiting_approvals(*, contact: Any, project_ids: list[int], today: Any) -> list[tuple[int, Any]]:
    """For the portal home's projects: the work awaiting the client's decision, per project (one query)."""
    from django.urls import reverse

    from approvals.models import ApprovalStatus
    from approvals.portal_selectors import local_date, portal_requests
    from projects.client_projects import WaitingItem

    rows = (
        portal_requests(contact)
        .filter(status=ApprovalStatus.AWAITING_CLIENT, project_id__in=project_ids)
        .only("pk", "title", "project_id", "due_at", "final_approver_id")
        .order_by("due_at", "pk")
    )
    pairs = []
    for row in rows:
        due = local_date(row.due_at, contact.agency)
        verb = "Approve" if row.final_approver_id == contact.pk else "Review"
        url = reverse("portal_approval", kwargs={"agency_slug": contact.agency.slug, "request_id": row.pk})
        pairs.append(
            (row.project_id, WaitingItem(label=f"{verb} “{row.title}”", due=due, url=url, overdue=due < today))
        )
    return pairs


def register() -> None:
    """Register approvals' sections and contributions with the platform."""
    from approvals.home_sections import home_decision_items
    from projects.home_sections import HOME_DECISIONS

    registry.contribution_register(
        registry.Contribution(target=HOME_DECISIONS, key="approvals", order=10, load=home_decision_items)
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
