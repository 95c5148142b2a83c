"""Bulk edit in a project's task list: the ticked tasks reassigned, given a status, or shifted by business days.

Works as a plain form post; the shift shows what moves (forecast against the committed launch) before it is
confirmed, exactly as moving one due date does.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from agencyops.permissions import can_plan_projects
from agencyops.tenancy import agency_view
from projects.forms import TaskBulkForm
from projects.models import Project, Task

# A plan holds a few hundred tasks at most; more ids than that is not a selection from the page.
MAX_BULK_TASKS = 500


def _plural(n: int) -> str:
    return f"{n} task{'s' if n != 1 else ''}"


@agency_view
@require_POST
def task_bulk_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    """Apply one change to the ticked tasks of this project; every id must be one of its tasks (else 404)."""
    project = get_object_or_404(Project.objects.select_related("agency", "client"), pk=project_id)
    list_url = reverse("project_detail", args=[request.agency.slug, project.pk]) + "?view=list"
    raw = request.POST.getlist("task")
    if len(raw) > MAX_BULK_TASKS:
        return HttpResponseBadRequest(f"Choose at most {MAX_BULK_TASKS} tasks at once.")
    try:
        ids = {int(value) for value in raw}
    except ValueError:
        return HttpResponseBadRequest("Task ids are numbers.")
    if not ids:
        messages.error(request, "Tick the tasks to change first.")
        return redirect(list_url)
    tasks = list(Task.objects.filter(project=project, pk__in=ids).order_by("start_date", "order", "pk"))
    if len(tasks) != len(ids):
        # A task of another project or agency is not one of these: nothing is touched.
        raise Http404("No such task in this project.")
    form = TaskBulkForm(request.POST, agency=request.agency)
    if request.POST.get("action") == "assign" and not can_plan_projects(request.membership):
        raise PermissionDenied("Only owners and coordinators can reassign tasks.")
    impact = None
    if form.is_valid():
        action = form.cleaned_data["action"]
        if action == "shift" and not form.cleaned_data["confirm"]:
            impact = form.shift_preview(project=project, tasks=tasks)
        else:
            done = form.save(actor=request.membership, project=project, tasks=tasks)
            if done is not None:
                messages.success(request, _applied_message(form, tasks, done))
                return redirect(list_url)
    if form.errors and "confirm" in form.data:
        # Whatever was refused is shown again to be corrected and previewed, never applied straight away.
        form.data = form.data.copy()
        form.data.pop("confirm")
    return TemplateResponse(
        request,
        "projects/task_bulk.html",
        {
            "project": project,
            "tasks": tasks,
            "form": form,
            "impact": impact,
            "impact_rows": [(item, impact.business_days(item)) for item in impact.shifted] if impact else [],
            "chosen_pks": {t.pk for t in tasks},
            "list_url": list_url,
        },
    )


def _applied_message(form: TaskBulkForm, tasks: list[Task], done) -> str:
    data = form.cleaned_data
    if data["action"] == "assign":
        who = data["assignee"].user.full_name if data["assignee"] else "nobody"
        return f"{_plural(len(tasks))} now assigned to {who}."
    if data["action"] == "status":
        label = dict(form.fields["status"].choices)[data["status"]]
        return f"{_plural(len(tasks))} now {label.lower()}."
    days = data["days"]
    direction = "later" if days > 0 else "earlier"
    chosen = {t.pk for t in tasks}
    others = sum(1 for item in done.shifted if item.task.pk not in chosen)
    ripple = f" {others} other task{'s' if others != 1 else ''} moved with them." if others > 0 else ""
    step = f"{abs(days)} business day{'s' if abs(days) != 1 else ''} {direction}"
    return f"{_plural(len(tasks))} moved {step}.{ripple} {done.summary}."
