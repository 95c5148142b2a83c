"""Project pages, mounted at /<agency_slug>/ by agencyops/urls.py."""

from django.urls import path

from projects.views import (
    activity,
    bulk,
    calendar,
    closures,
    conversation,
    escalations,
    projects,
    tasks,
    templates,
    timeline,
    workload,
)

urlpatterns = [
    path("projects/", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_create, name="project_create"),
    path("projects/<int:project_id>/", projects.project_detail, name="project_detail"),
    path("projects/<int:project_id>/brief/", projects.brief_edit, name="brief_edit"),
    path("projects/<int:project_id>/status/", projects.project_status, name="project_status"),
    path("projects/<int:project_id>/settings/", projects.project_settings, name="project_settings"),
    path("projects/<int:project_id>/history/", projects.project_history, name="project_history"),
    path("projects/<int:project_id>/launch/", projects.project_launch_move, name="project_launch_move"),
    path("projects/<int:project_id>/inputs/new/", projects.input_create, name="input_create"),
    path(
        "projects/<int:project_id>/inputs/<int:input_id>/received/",
        projects.input_received,
        name="input_received",
    ),
    path(
        "projects/<int:project_id>/save-as-template/",
        templates.template_from_project,
        name="template_from_project",
    ),
    path("projects/<int:project_id>/timeline/", timeline.project_timeline, name="project_timeline"),
    path("projects/<int:project_id>/activity/", activity.project_activity, name="project_activity"),
    path("projects/<int:project_id>/scan/", escalations.project_scan, name="project_scan"),
    path("projects/<int:project_id>/tasks/new/", tasks.task_create, name="task_create"),
    path("projects/<int:project_id>/tasks/bulk/", bulk.task_bulk_edit, name="task_bulk_edit"),
    path("tasks/<int:task_id>/", tasks.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/status/", tasks.task_status, name="task_status"),
    path("tasks/<int:task_id>/reschedule/", tasks.task_reschedule, name="task_reschedule"),
    path("tasks/<int:task_id>/assign/", tasks.task_assign, name="task_assign"),
    path("tasks/<int:task_id>/decision/", tasks.task_decision, name="task_decision"),
    path("tasks/<int:task_id>/dependencies/", tasks.dependency_create, name="dependency_create"),
    path(
        "tasks/<int:task_id>/dependencies/<int:dependency_id>/remove/",
        tasks.dependency_remove,
        name="dependency_remove",
    ),
    path("tasks/<int:task_id>/description/", conversation.task_description, name="task_description"),
    path("tasks/<int:task_id>/comments/", conversation.task_comment_create, name="task_comment_create"),
    path(
        "tasks/<int:task_id>/attachments/<int:task_attachment_id>/",
        conversation.task_attachment_file,
        name="task_attachment_file",
    ),
    path("tasks/<int:task_id>/checklist/", conversation.checklist_add, name="checklist_add"),
    path(
        "tasks/<int:task_id>/checklist/<int:checklist_item_id>/done/",
        conversation.checklist_toggle,
        name="checklist_toggle",
    ),
    path(
        "tasks/<int:task_id>/checklist/<int:checklist_item_id>/remove/",
        conversation.checklist_remove,
        name="checklist_remove",
    ),
    path("templates/", templates.template_list, name="template_list"),
    path("templates/<int:template_id>/", templates.template_edit, name="template_edit"),
    path("my-work/", workload.my_work, name="my_work"),
    path("workload/", workload.workload, name="workload"),
    path("calendar/", calendar.calendar_settings, name="calendar_settings"),
    path("escalations/", escalations.escalation_list, name="escalation_list"),
    path("escalations/<int:escalation_id>/", escalations.escalation_action, name="escalation_action"),
    path("closures/", closures.closure_list, name="closure_list"),
    path("closures/<int:closure_id>/remove/", closures.closure_remove, name="closure_remove"),
]

# The iCal feed is keyed by its secret, not by the agency slug: calendar apps fetch it without a session.
feed_urlpatterns = [
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
]
