"""The project layer's API routes, mounted by agencyops/api/urls.py under /api/v1/agencies/<agency_slug>/."""

from django.urls import path

from projects import api

urlpatterns = [
    path("templates/", api.TemplateListView.as_view(), name="api_template_list"),
    path("projects/", api.ProjectListView.as_view(), name="api_project_list"),
    path("projects/<int:pk>/", api.ProjectDetailView.as_view(), name="api_project_detail"),
    path("projects/<int:pk>/tasks/", api.ProjectTaskListView.as_view(), name="api_project_tasks"),
    path("tasks/<int:pk>/", api.TaskDetailView.as_view(), name="api_task_detail"),
    path("tasks/<int:pk>/dependencies/", api.TaskDependencyListView.as_view(), name="api_task_dependencies"),
    path("home/", api.HomeView.as_view(), name="api_home"),
]
