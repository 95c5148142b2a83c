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
