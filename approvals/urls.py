"""Approval pages for the agency, mounted at /<agency_slug>/ by agencyops/urls.py."""

from django.urls import path

from approvals import inbox_views, views

urlpatterns = [
    path("approvals/", views.approval_list, name="approval_list"),
    path("approvals/new/", views.approval_create, name="approval_create"),
    path("approvals/<int:request_id>/", views.approval_detail, name="approval_detail"),
    path("approvals/<int:request_id>/send/", views.approval_send, name="approval_send"),
    path("approvals/<int:request_id>/signoff/", views.approval_signoff, name="approval_signoff"),
    path("approvals/<int:request_id>/versions/new/", views.version_create, name="version_create"),
    path("approvals/<int:request_id>/compare/", views.version_compare, name="version_compare"),
    path("approvals/<int:request_id>/comments/", views.comment_create, name="comment_create"),
    path(
        "approvals/<int:request_id>/comments/<int:comment_id>/resolve/",
        views.comment_resolve,
        name="comment_resolve",
    ),
    path("approvals/<int:request_id>/capture/", views.feedback_capture, name="feedback_capture"),
    path("approvals/<int:request_id>/revision/", views.approval_revision, name="approval_revision"),
    path("versions/<int:version_id>/file/", views.version_file, name="version_file"),
    path("versions/<int:version_id>/pages/<int:page>/", views.version_page, name="version_page"),
    path("clients/<int:client_id>/decisions/", views.decision_log, name="decision_log"),
    path("clients/<int:client_id>/decisions.csv", views.decision_log_csv, name="decision_log_csv"),
    path("clients/<int:client_id>/decisions.pdf", views.decision_log_pdf, name="decision_log_pdf"),
    path("decisions/new/", views.decision_create, name="decision_create"),
    path("change-requests/", views.change_request_list, name="change_request_list"),
    path(
        "change-requests/<int:change_request_id>/", views.change_request_detail, name="change_request_detail"
    ),
    path("notifications/", views.notification_list, name="notification_list"),
    # The inbox of client mail and chat (the platform keeps it; approvals files it).
    path("inbox/", inbox_views.inbox_list, name="inbox_list"),
    path("inbox/paste/", inbox_views.inbox_paste, name="inbox_paste"),
    path("inbox/<int:message_id>/", inbox_views.inbox_detail, name="inbox_detail"),
    path("inbox/<int:message_id>/raw/", inbox_views.inbox_raw, name="inbox_raw"),
    path(
        "inbox/<int:message_id>/attachments/<int:attachment_id>/",
        inbox_views.inbox_attachment,
        name="inbox_attachment",
    ),
    path("inbox/<int:message_id>/file/", inbox_views.inbox_file, name="inbox_file"),
    path("inbox/<int:message_id>/task/", inbox_views.inbox_task, name="inbox_task"),
    path("inbox/<int:message_id>/change-request/", inbox_views.inbox_change_request, name="inbox_change_request"),
    path("inbox/<int:message_id>/decision/", inbox_views.inbox_decision, name="inbox_decision"),
    path("inbox/<int:message_id>/discard/", inbox_views.inbox_discard, name="inbox_discard"),
    path(
        "approvals/<int:request_id>/inbound-address/",
        inbox_views.request_inbound_address,
        name="request_inbound_address",
    ),
]
