"""Celery tasks of the project layer."""

from __future__ import annotations

from celery import shared_task
from django_scopes import scope, scopes_disabled

from projects.models import Project, ProjectStatus


@shared_task(name="projects.tasks.generate_retainer_work")
def generate_retainer_work() -> int:
    """Beat job: every retainer project creates its deliverables for the periods ahead (idempotent)."""
    with scopes_disabled():
        projects = list(
            Project.objects.exclude(recurrence_frequency="")
            .filter(status__in=[ProjectStatus.PLANNING, ProjectStatus.ACTIVE])
            .values_list("pk", "agency_id")
        )
    made = 0
    for project_id, agency_id in projects:
        made += generate_retainer_work_for_project(project_id, agency_id)
    return made


@shared_task(name="projects.tasks.generate_retainer_work_for_project")
def generate_retainer_work_for_project(project_id: int, agency_id: int) -> int:
    """Create one retainer's upcoming deliverables; a missing project is a quiet no-op."""
    from projects import services

    with scope(agency=agency_id):
        project = Project.objects.filter(pk=project_id).first()
        if project is None:
            return 0
        return services.retainer_generate(project=project)
