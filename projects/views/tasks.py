"""Task pages: a task with everything about it, and the forms that change it (status, assignee, decision,
dependencies, a new due date with its ripple shown before it is applied)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencyops.tenancy import agency_view
from projects import services
from projects.calendars import agency_today
from projects.forms import (
    ChecklistItemForm,
    DependencyForm,
    RescheduleForm,
    TaskAssignForm,
    TaskCommentForm,
    TaskDecisionForm,
    TaskDescriptionForm,
    TaskStatusForm,
)
from projects.models import Task, TaskDependency
from projects.selectors import (
    project_page,
    task_conversation,
    task_for_page,
    task_page,
)
from projects.views.projects import can_plan_projects

CARD_TARGET_PREFIX = "task-card-"


def task_or_404(task_id: int) -> Task:
    """A task of the current agency with its project, phase and assignee; another agency's is a 404."""
    try:
        return task_for_page(task_id)
    except Task.DoesNotExist:
        raise Http404("No such task.") from None


def _back_to_task(request: HttpRequest, task: Task) -> HttpResponse:
    # Board cards without JavaScript post here too; they say where to come back to.
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("task_detail", agency_slug=request.agency.slug, task_id=task.pk)


def _render_task(request: HttpRequest, task: Task, **forms: Any) -> TemplateResponse:
    """The task page, with any bound form (carrying its errors) in place of a fresh one."""
    can_plan = can_plan_projects(request.membership)
    today = agency_today(request.agency)
    context = {
        "task": task,
        "project": task.project,
        "page": task_page(task, today),
        "today": today,
        "can_plan": can_plan,
        "status_form": forms.get("status_form") or TaskStatusForm(task=task),
        "decision_form": forms.get("decision_form") or TaskDecisionForm(task=task),
        "assign_form": (forms.get("assign_form") or TaskAssignForm(task=task)) if can_plan else None,
        "dependency_form": (forms.get("dependency_form") or DependencyForm(task=task)) if can_plan else None,
        "conversation": task_conversation(task),
        "description_form": forms.get("description_form") or TaskDescriptionForm(task=task),
        "comment_form": forms.get("comment_form") or TaskCommentForm(task=task),
        "checklist_form": forms.get("checklist_form") or ChecklistItemForm(task=task),
    }
    return TemplateResponse(request, "projects/task_detail.html", context)


@agency_view
@require_http_methods(["GET", "HEAD"])
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    """Everything about a task: dates, status, assignee, links, inputs, decision and deadline history."""
    return _render_task(request, task_or_404(task_id))


def _card_response(request: HttpRequest, task: Task, form: TaskStatusForm | None) -> TemplateResponse:
    """One board card, as the project page's board shows it (moves, critical path and all): the card of
    the page's own selector."""
    today = agency_today(request.agency)
    page = project_page(request.agency, task.project_id, today)
    if page is None:
        raise Http404("No such project.")
    card = next(row for row in page.tasks if row.pk == task.pk)
    return TemplateResponse(
        request,
        "projects/_task_card.html",
        {
            "task": card,
            "project": page.project,
            "project_url": reverse("project_detail", args=[request.agency.slug, task.project_id]),
            "card_form": form,
            "today": today,
        },
    )


@agency_view
@vary_on_headers("HX-Request", "HX-Target")
@require_POST
def task_status(request: HttpRequest, task_id: int) -> HttpResponse:
    """Change a task's status (waiting says on whom, blocked says why); htmx gets the changed part only."""
    task = task_or_404(task_id)
    form = TaskStatusForm(request.POST, task=task)
    saved = form.save(actor=request.membership) if form.is_valid() else None
    target = (request.htmx.target or "") if request.htmx else ""
    if request.htmx:
        response = _task_status_partial(request, task, form, saved, target)
        if saved is not None:
            # Other parts of the page (the home view's sections) refresh themselves on this event.
            response.headers["HX-Trigger"] = "taskChanged"
        return response
    if saved is None:
        return _render_task(request, task, status_form=form)
    messages.success(request, f"“{saved.title}” is now {saved.get_status_display().lower()}.")
    return _back_to_task(request, saved)


def _task_status_partial(request: HttpRequest, task, form, saved, target: str) -> HttpResponse:
    if target.startswith(CARD_TARGET_PREFIX):
        return _card_response(request, saved or task, None if saved else form)
    task = task_or_404(task.pk) if saved else task
    return TemplateResponse(
        request,
        "projects/task_detail.html#task-status",
        {
            "task": task,
            "project": task.project,
            "today": agency_today(request.agency),
            "status_form": TaskStatusForm(task=task) if saved else form,
            "status_saved": bool(saved),
        },
    )


@agency_view(permission=can_plan_projects)
@require_POST
def task_assign(request: HttpRequest, task_id: int) -> HttpResponse:
    """Give the task to someone on the team, or to nobody."""
    task = task_or_404(task_id)
    form = TaskAssignForm(request.POST, task=task)
    saved = form.save(actor=request.membership) if form.is_valid() else None
    if saved is None:
        return _render_task(request, task, assign_form=form)
    who = saved.assignee.user.full_name if saved.assignee else "nobody (owner unclear)"
    messages.success(request, f"“{saved.title}” is now assigned to {who}.")
    return _back_to_task(request, saved)


@agency_view
@require_POST
def task_decision(request: HttpRequest, task_id: int) -> HttpResponse:
    """Flag that the task needs a decision (question and who decides), or clear the flag."""
    task = task_or_404(task_id)
    form = TaskDecisionForm(request.POST, task=task)
    saved = form.save(actor=request.membership) if form.is_valid() else None
    if saved is None:
        return _render_task(request, task, decision_form=form)
    messages.success(
        request,
        f"“{saved.title}” needs a decision from {saved.decision_by}."
        if saved.needs_decision
        else f"The decision on “{saved.title}” is taken.",
    )
    return _back_to_task(request, saved)


@agency_view(permission=can_plan_projects)
@require_POST
def dependency_create(request: HttpRequest, task_id: int) -> HttpResponse:
    """Make the task wait for another task of its project; loops and bad lags come back on the form."""
    task = task_or_404(task_id)
    form = DependencyForm(request.POST, task=task)
    if form.is_valid() and form.save(actor=request.membership):
        messages.success(request, f"“{task.title}” now waits for “{form.cleaned_data['predecessor'].title}”.")
        return _back_to_task(request, task)
    return _render_task(request, task, dependency_form=form)


@agency_view(permission=can_plan_projects)
@require_POST
def dependency_remove(request: HttpRequest, task_id: int, dependency_id: int) -> HttpResponse:
    """Remove a link to or from this task; dates stay where they are."""
    task = task_or_404(task_id)
    link = get_object_or_404(
        TaskDependency.objects.select_related("predecessor", "successor"), pk=dependency_id
    )
    if task.pk not in (link.predecessor_id, link.successor_id):
        raise Http404("No such dependency on this task.")
    services.dependency_remove(actor=request.membership, dependency=link)
    messages.success(request, f"“{link.successor.title}” no longer waits for “{link.predecessor.title}”.")
    return _back_to_task(request, task)


@agency_view
@require_http_methods(["GET", "HEAD", "POST"])
def task_reschedule(request: HttpRequest, task_id: int) -> HttpResponse:
    """Move a due date in two steps: the ripple (tasks that shift, the launch) first, then confirm."""
    task = task_or_404(task_id)
    form = RescheduleForm(request.POST or None, initial={"due_date": task.due_date})
    impact = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirm"):
            applied = form.save(actor=request.membership, task=task)
            if applied is not None:
                others = len(applied.shifted) - 1
                ripple = (
                    f" {others} other task{'s' if others != 1 else ''} moved with it." if others > 0 else ""
                )
                messages.success(
                    request,
                    f"“{task.title}” is now due {form.cleaned_data['due_date']:%a %-d %b}."
                    f"{ripple} {applied.summary}.",
                )
                return redirect("task_detail", agency_slug=request.agency.slug, task_id=task.pk)
        else:
            impact = form.impact(task)
    return TemplateResponse(
        request,
        "projects/task_reschedule.html",
        {
            "task": task,
            "project": task.project,
            "form": form,
            "impact": impact,
            "impact_rows": [(item, impact.business_days(item)) for item in impact.shifted] if impact else [],
            "today": agency_today(request.agency),
        },
    )


@agency_view(permission=can_plan_projects)
@require_http_methods(["GET", "HEAD", "POST"])
def task_create(request: HttpRequest, project_id: int) -> HttpResponse:
    """Add a one-off task to a project's plan, after a task it waits for or from today."""
    from projects.forms import TaskCreateForm
    from projects.models import Project

    project = get_object_or_404(Project, pk=project_id)
    form = TaskCreateForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        task = form.save(actor=request.membership)
        if task is not None:
            messages.success(
                request, f"“{task.title}” added: {task.start_date:%a %-d %b} to {task.due_date:%a %-d %b}."
            )
            return redirect("task_detail", agency_slug=request.agency.slug, task_id=task.pk)
    return TemplateResponse(request, "projects/task_create.html", {"form": form, "project": project})
