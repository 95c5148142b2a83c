"""Template pages: the six built-ins and the agency's own, saving a project as a template, editing one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from agencyops.tenancy import agency_view
from projects.forms import TemplateEditor, TemplateSaveForm
from projects.models import ProjectTemplate
from projects.selectors import templates_for_picker
from projects.views.projects import can_plan_projects, project_or_404


@agency_view
@require_http_methods(["GET", "HEAD"])
def template_list(request: HttpRequest) -> HttpResponse:
    """The built-in templates (read-only) and the agency's own, with what each plans."""
    templates = templates_for_picker(request.agency)
    return TemplateResponse(
        request,
        "projects/template_list.html",
        {
            "builtins": [t for t in templates if t.builtin],
            "own": [t for t in templates if not t.builtin],
            "can_plan": can_plan_projects(request.membership),
        },
    )


@agency_view(permission=can_plan_projects)
@require_http_methods(["GET", "HEAD", "POST"])
def template_from_project(request: HttpRequest, project_id: int) -> HttpResponse:
    """Save a project's phases, tasks and dependencies as one of the agency's templates."""
    project = project_or_404(project_id)
    form = TemplateSaveForm(request.POST or None, initial={"name": project.name})
    if request.method == "POST" and form.is_valid():
        template = form.save(actor=request.membership, project=project)
        if template is not None:
            messages.success(
                request, f"“{template.name}” saved as a template: pick it when you start the next project."
            )
            return redirect("template_edit", agency_slug=request.agency.slug, template_id=template.pk)
    return TemplateResponse(
        request, "projects/template_from_project.html", {"project": project, "form": form}
    )


@agency_view(permission=can_plan_projects)
@require_http_methods(["GET", "HEAD", "POST"])
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    """Edit an agency template's name, description and task table; loops and unknown keys are refused."""
    template = get_object_or_404(ProjectTemplate, pk=template_id)
    editor = TemplateEditor(template, request.POST if request.method == "POST" else None)
    if request.method == "POST" and editor.save(actor=request.membership):
        messages.success(request, f"“{template.name}” saved.")
        return redirect("template_list", agency_slug=request.agency.slug)
    return TemplateResponse(request, "projects/template_edit.html", {"template": template, "editor": editor})
