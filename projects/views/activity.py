"""A project's activity tab: the timeline of everything that happened to it, newest first."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from agencyops.activity import activity_timeline
from agencyops.tenancy import agency_view
from agencyops.views.activity import activity_filter_from
from projects.views.projects import project_or_404


@agency_view
@require_http_methods(["GET", "HEAD"])
def project_activity(request: HttpRequest, project_id: int) -> HttpResponse:
    """Deadline moves, status changes, versions, approvals, decisions, change requests, risks and captured
    feedback of one project, filterable by kind, a page at a time (one query per kind shown)."""
    project = project_or_404(project_id)
    kinds, page = activity_filter_from(request)
    url = reverse("project_activity", kwargs={"agency_slug": request.agency.slug, "project_id": project.pk})
    return TemplateResponse(
        request,
        "projects/project_activity.html",
        {
            "project": project,
            "section": activity_timeline(
                agency_slug=request.agency.slug, project_id=project.pk, kinds=kinds, page=page, url=url
            ),
        },
    )
