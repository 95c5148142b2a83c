"""Drafting pages: start a job from a piece, a project brief or for a client; the job's page (polled by htmx
while it runs, so a person can leave and come back); cancel, retry, accept a pre-edit; the agency's job
list with usage and cost per month; a project's expanded brief; the agency's provider settings.
"""

from __future__ import annotations

import difflib
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencyops.tenancy import agency_view
from brandkit import selectors as brand_selectors
from brandkit.drafting import selectors, services
from brandkit.drafting.forms import DraftingJobForm, DraftingSettingsForm
from brandkit.drafting.models import PEOPLE_KINDS, DraftingJob, JobKind, JobState
from brandkit.models import ContentPiece
from brandkit.permissions import can_manage_brand_settings
from projects.models import Project

JOB_LIST_LIMIT = 100


def _errors(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for found in error.message_dict.values() for m in found]
    return list(error.messages)


def _job_or_404(request: HttpRequest, job_id: int) -> DraftingJob:
    job = selectors.drafting_job_for(request.membership, job_id)
    if job is None:
        raise Http404("No such job.")
    return job


def _visible_projects(request: HttpRequest) -> Any:
    return Project.objects.filter(client__in=brand_selectors.clients_with_brand_access(request.membership))


def _project_or_404(request: HttpRequest, project_id: int) -> Project:
    project = _visible_projects(request).select_related("client", "brief").filter(pk=project_id).first()
    if project is None:
        raise Http404("No such project.")
    return project


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@agency_view
@require_http_methods(["GET", "HEAD"])
def drafting_job_list(request: HttpRequest) -> HttpResponse:
    """The agency's jobs, newest first, with tokens and cost per month and this month's budget."""
    agency = request.agency
    own = selectors.drafting_settings_for(agency)
    return TemplateResponse(
        request,
        "drafting/job_list.html",
        {
            "jobs": list(selectors.drafting_jobs(request.membership)[:JOB_LIST_LIMIT]),
            "usage": selectors.drafting_usage_by_month(agency),
            "budget": selectors.token_budget_for(agency, own=own),
            "used": selectors.tokens_used_this_month(agency),
            "provider": selectors.provider_config_for(agency, own=own),
        },
    )


@agency_view
@require_http_methods(["GET", "HEAD", "POST"])
def drafting_job_new(request: HttpRequest) -> HttpResponse:
    """Start a job: ?kind= and one of ?piece=, ?project= or ?client= say what it starts from."""
    kind = request.GET.get("kind", "")
    if kind not in dict(PEOPLE_KINDS):
        kind = JobKind.FIRST_DRAFT
    visible = brand_selectors.clients_with_brand_access(request.membership)
    piece = project = client = None
    if (piece_id := _int(request.GET.get("piece"))) is not None:
        piece = ContentPiece.objects.filter(client__in=visible, pk=piece_id).select_related("client").first()
        if piece is None:
            raise Http404("No such piece.")
    if (project_id := _int(request.GET.get("project"))) is not None:
        project = _project_or_404(request, project_id)
    if (client_id := _int(request.GET.get("client"))) is not None:
        client = visible.filter(pk=client_id).first()
        if client is None:
            raise Http404("No such client.")
    form = DraftingJobForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = services.drafting_job_create(
                    actor=request.membership, kind=kind, inputs=form.inputs(),
                    client=client, project=project, piece=piece,
                )  # fmt: skip
            except ValidationError as error:
                for message in _errors(error):
                    form.add_error(None, message)
            else:
                messages.success(request, f"{job.get_kind_display()} started ({job.provider}).")
                return redirect("drafting_job_detail", request.agency.slug, job.pk)
        status = 400
    context = {
        "form": form,
        "kind": kind,
        "kind_label": JobKind(kind).label,
        "kinds": PEOPLE_KINDS,
        "piece": piece,
        "project": project,
        "client": client,
        "clients": list(visible.order_by("name")) if piece is None and project is None else [],
        "provider": selectors.provider_config_for(request.agency),
    }
    return TemplateResponse(request, "drafting/job_new.html", context, status=status)


def _pre_edit_diff(job: DraftingJob) -> list[tuple[str, str]]:
    result = getattr(job, "result", None)
    if job.kind != JobKind.PRE_EDIT or result is None or not result.outputs:
        return []
    before = (job.inputs.get("source") or {}).get("body", "")
    after = result.outputs[0].get("body", "")
    marks = {" ": "same", "-": "removed", "+": "added"}
    return [
        (marks[line[0]], line[2:])
        for line in difflib.ndiff(before.splitlines(), after.splitlines())
        if line[:1] in marks
    ]


@agency_view
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD"])
def drafting_job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's state and result (polled while it runs), findings, and the stored prompt for coordinators."""
    job = _job_or_404(request, job_id)
    result = getattr(job, "result", None) if job.state == JobState.SUCCEEDED else None
    context = {
        "job": job,
        "outputs": list(result.outputs) if result else [],
        "pieces": {o.piece_id: o.piece for o in job.outputs.all()},
        "diff": _pre_edit_diff(job),
        "can_see_prompt": request.membership.is_coordinator_or_owner,
    }
    template = "drafting/job_detail.html"
    if request.htmx:
        template += "#job-status"
    return TemplateResponse(request, template, context)


def _back(request: HttpRequest, job: DraftingJob) -> HttpResponse:
    return redirect("drafting_job_detail", request.agency.slug, job.pk)


@agency_view
@require_POST
def drafting_job_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_or_404(request, job_id)
    try:
        services.drafting_job_cancel(actor=request.membership, job=job)
        messages.success(request, "Job cancelled.")
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    return _back(request, job)


@agency_view
@require_POST
def drafting_job_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_or_404(request, job_id)
    try:
        services.drafting_job_retry(actor=request.membership, job=job)
        messages.success(request, "Queued again with the same inputs.")
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    return _back(request, job)


@agency_view
@require_POST
def drafting_job_accept(request: HttpRequest, job_id: int) -> HttpResponse:
    """Accept a pre-edit: its revised text becomes the piece's next version."""
    job = _job_or_404(request, job_id)
    try:
        version = services.drafting_pre_edit_accept(actor=request.membership, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
        return _back(request, job)
    messages.success(request, f"Saved as version {version.number} and checked again.")
    return redirect("content_detail", request.agency.slug, job.source_piece_id)


@agency_view
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD"])
def piece_drafting(request: HttpRequest, piece_id: int) -> HttpResponse:
    """The drafting jobs of a piece and links to start one (loaded into the piece's page)."""
    piece = brand_selectors.content_pieces(request.membership).filter(pk=piece_id).first()
    if piece is None:
        raise Http404("No such piece.")
    context = {
        "piece": piece,
        "jobs": list(selectors.jobs_of_piece(piece.pk)[:20]),
        # Loaded into the piece's page by htmx: the section alone; opened as a link: a whole page.
        "base_template": "drafting/_bare.html" if request.htmx else "base.html",
    }
    return TemplateResponse(request, "drafting/piece_jobs.html", context)


@agency_view
@require_http_methods(["GET", "HEAD", "POST"])
def expanded_brief(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's expanded brief beside its brief: accept, edit or drop each section."""
    project = _project_or_404(request, project_id)
    if request.method == "POST":
        try:
            services.expanded_brief_decide(
                actor=request.membership,
                project=project,
                key=request.POST.get("key", "")[:40],
                action=request.POST.get("action", ""),
                text=request.POST.get("text", "")[:20_001],
            )
            messages.success(request, "Saved as a new version of the expanded brief.")
        except ValidationError as error:
            messages.error(request, " ".join(_errors(error)))
        return redirect("expanded_brief", request.agency.slug, project.pk)
    context = {"project": project, "expanded": selectors.expanded_brief_latest(project)}
    return TemplateResponse(request, "drafting/expanded_brief.html", context)


@agency_view(permission=can_manage_brand_settings)
@require_http_methods(["GET", "HEAD", "POST"])
def drafting_settings(request: HttpRequest) -> HttpResponse:
    """Point the agency at its own model (any OpenAI-compatible endpoint); the key is never shown back."""
    current = selectors.drafting_settings_for(request.agency)
    initial = {
        "base_url": current.base_url,
        "model": current.model,
        "monthly_token_budget": current.monthly_token_budget,
        "price_input_per_million": current.price_input_per_million,
        "price_output_per_million": current.price_output_per_million,
    }
    form = DraftingSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.drafting_settings_update(actor=request.membership, **form.cleaned_data)
            except ValidationError as error:
                for message in _errors(error):
                    form.add_error(None, message)
            else:
                messages.success(request, "Drafting settings saved.")
                return redirect("drafting_settings", request.agency.slug)
        status = 400
    context = {"form": form, "current": current, "provider": selectors.provider_config_for(request.agency)}
    return TemplateResponse(request, "drafting/settings.html", context, status=status)
