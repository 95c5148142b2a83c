"""The approvals layer's staff API routes, mounted by agencyops/api/urls.py under
/api/v1/agencies/<agency_slug>/.

Kwargs are named as in approvals/urls.py (``request_id``, ``change_request_id``) so the pages and the API
are probed by the isolation walker the same way.
"""

from django.urls import path

from approvals import api

urlpatterns = [
    path("approvals/", api.ApprovalListView.as_view(), name="api_approval_list"),
    path("approvals/<int:request_id>/", api.ApprovalDetailView.as_view(), name="api_approval_detail"),
    path("approvals/<int:request_id>/send/", api.ApprovalSendView.as_view(), name="api_approval_send"),
    path(
        "approvals/<int:request_id>/signoff/", api.ApprovalSignoffView.as_view(), name="api_approval_signoff"
    ),
    path("approvals/<int:request_id>/versions/", api.VersionListView.as_view(), name="api_approval_versions"),
    path("approvals/<int:request_id>/comments/", api.CommentListView.as_view(), name="api_approval_comments"),
    path(
        "approvals/<int:request_id>/decision/",
        api.ApprovalDecisionView.as_view(),
        name="api_approval_decision",
    ),
    path("decisions/", api.DecisionLogView.as_view(), name="api_decision_list"),
    path("decisions/<int:entry_id>/", api.DecisionLogEntryView.as_view(), name="api_decision_detail"),
    path("change-requests/", api.ChangeRequestListView.as_view(), name="api_change_request_list"),
    path(
        "change-requests/<int:change_request_id>/decision/",
        api.ChangeRequestDecisionView.as_view(),
        name="api_change_request_decision",
    ),
]

# A version's file and pages for API clients (approvals/file_api.py): the API's own links, not the pages'.
from approvals import file_api  # noqa: E402  (appended with its routes)

urlpatterns += [
    path("versions/<int:version_id>/file/", file_api.VersionFileView.as_view(), name="api_version_file"),
    path(
        "versions/<int:version_id>/pages/<int:page>/",
        file_api.VersionPageFileView.as_view(),
        name="api_version_page",
    ),
]
