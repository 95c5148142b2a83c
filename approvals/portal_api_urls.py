"""The client portal's API routes, mounted by agencyops/api/urls.py under /api/v1/portal/<agency_slug>/."""

from django.urls import path

from approvals import portal_api as api

urlpatterns = [
    path("approvals/", api.PortalApprovalListView.as_view(), name="api_portal_approval_list"),
    path(
        "approvals/<int:request_id>/",
        api.PortalApprovalDetailView.as_view(),
        name="api_portal_approval_detail",
    ),
    path(
        "approvals/<int:request_id>/comments/",
        api.PortalCommentListView.as_view(),
        name="api_portal_approval_comments",
    ),
    path(
        "approvals/<int:request_id>/decision/",
        api.PortalDecisionView.as_view(),
        name="api_portal_approval_decision",
    ),
    path(
        "approvals/<int:request_id>/advice/",
        api.PortalAdviceView.as_view(),
        name="api_portal_approval_advice",
    ),
    path("decisions/", api.PortalDecisionLogView.as_view(), name="api_portal_decision_list"),
]
