"""The client portal's approval pages, mounted at /portal/<agency_slug>/ by agencyops/urls.py."""

from django.urls import path

from approvals import portal_views as views

urlpatterns = [
    path("approvals/<int:request_id>/", views.portal_approval, name="portal_approval"),
    path("approvals/<int:request_id>/comments/", views.portal_comment_create, name="portal_comment_create"),
    path("approvals/<int:request_id>/decision/", views.portal_decide, name="portal_decide"),
    path("approvals/<int:request_id>/advice/", views.portal_advise, name="portal_advise"),
    path(
        "approvals/<int:request_id>/revision/", views.portal_request_revision, name="portal_request_revision"
    ),
    path("versions/<int:version_id>/file/", views.portal_version_file, name="portal_version_file"),
    path(
        "versions/<int:version_id>/pages/<int:page>/", views.portal_version_page, name="portal_version_page"
    ),
    path("decisions/", views.portal_decision_log, name="portal_decision_log"),
    path("decisions.pdf", views.portal_decision_log_pdf, name="portal_decision_log_pdf"),
    path(
        "change-requests/<int:change_request_id>/", views.portal_change_request, name="portal_change_request"
    ),
]
