"""The project layer's API routes, mounted by agencyops/api/urls.py under /api/v1/agencies/<agency_slug>/."""

from django.urls import path

from projects import api

urlpatterns = [
    path("templates/", api.TemplateListView.as_view(), name="api_template_list"),
    path("projects/", api.ProjectListView.as_view(), name="api_project_list"),
    path("projects/<int:pk>/", api.ProjectDetailView.as_view(), name="api_project_detail"),
    path("projects/<int:pk>/tasks/", api.ProjectTaskListView.as_view(), name="api_project_tasks"),
    path("projects/<int:pk>/launch/", api.ProjectLaunchView.as_view(), name="api_project_launch"),
    path("tasks/<int:pk>/", api.TaskDetailView.as_view(), name="api_task_detail"),
    path("tasks/<int:pk>/dependencies/", api.TaskDependencyListView.as_view(), name="api_task_dependencies"),
    path("home/", api.HomeView.as_view(), name="api_home"),
]

# Escalations found by the risk scan (projects/escalation_api.py).
from projects import escalation_api  # noqa: E402  (appended with its routes)

urlpatterns += [
    path("escalations/", escalation_api.EscalationListView.as_view(), name="api_escalation_list"),
    path(
        "escalations/<int:pk>/acknowledge/",
        escalation_api.EscalationAcknowledgeView.as_view(),
        name="api_escalation_acknowledge",
    ),
    path(
        "escalations/<int:pk>/assign/",
        escalation_api.EscalationAssignView.as_view(),
        name="api_escalation_assign",
    ),
    path(
        "escalations/<int:pk>/snooze/",
        escalation_api.EscalationSnoozeView.as_view(),
        name="api_escalation_snooze",
    ),
    path(
        "escalations/<int:pk>/resolve/",
        escalation_api.EscalationResolveView.as_view(),
        name="api_escalation_resolve",
    ),
    path("projects/<int:pk>/scan/", escalation_api.ProjectScanView.as_view(), name="api_project_scan"),
]

# The conversation on a task (projects/conversation_api.py).
from projects import conversation_api  # noqa: E402  (appended with its routes)

urlpatterns += [
    path(
        "tasks/<int:pk>/comments/", conversation_api.TaskCommentListView.as_view(), name="api_task_comments"
    ),
    path(
        "tasks/<int:pk>/attachments/",
        conversation_api.TaskAttachmentListView.as_view(),
        name="api_task_attachments",
    ),
    path(
        "tasks/<int:pk>/attachments/<int:task_attachment_id>/file/",
        conversation_api.TaskAttachmentFileView.as_view(),
        name="api_task_attachment_file",
    ),
]

# What the project pages change, for scripts (projects/project_api.py).
from projects import project_api  # noqa: E402  (appended with its routes)

urlpatterns += [
    path("projects/<int:pk>/status/", project_api.ProjectStatusView.as_view(), name="api_project_status"),
    path("projects/<int:pk>/brief/", project_api.ProjectBriefView.as_view(), name="api_project_brief"),
    path("projects/<int:pk>/inputs/", project_api.ProjectInputListView.as_view(), name="api_project_inputs"),
    path(
        "projects/<int:pk>/inputs/<int:input_id>/receive/",
        project_api.ProjectInputReceiveView.as_view(),
        name="api_project_input_receive",
    ),
    path("closures/", project_api.ClosureListView.as_view(), name="api_closure_list"),
    path("closures/<int:closure_id>/", project_api.ClosureDetailView.as_view(), name="api_closure_detail"),
]
