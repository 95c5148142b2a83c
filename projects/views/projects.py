"""Project pages: the list, a new project, a project's page, its brief, inputs, settings and history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from agencyops.data_version import agency_data_version
from agencyops.fragment_cache import (
    Loaded,
    render_all_for_data,
    render_cached,
    render_each_for_data,
    render_for_version,
    render_fragment,
    render_parts_for_data,
)
from agencyops.models import Agency, Discipline
from agencyops.permissions import can_plan_projects
from agencyops.row_links import link_by_id
from agencyops.tenancy import agency_view
from projects import extensions, services
from projects.calendars import agency_today
from projects.forms import (
    PROJECT_FILTER_FIELDS_TEMPLATE,
    BriefForm,
    LaunchMoveForm,
    ProjectCreateForm,
    ProjectSettingsForm,
    RecurrenceForm,
    RequiredInputForm,
    TaskPicker,
    project_filters,
)
from projects.models import Project, ProjectStatus, RequiredInput
from projects.page_versions import project_page_version
from projects.selectors import (
    ProjectListRow,
    ProjectPage,
    active_members,
    agency_has_projects,
    project_history_entries,
    project_page_digest,
    project_page_from_rows,
    project_page_reads,
    project_rows_page,
    projects_with_header,
    templates_for_picker,
)

# Owners and coordinators plan projects; members work in them.

# The words on each status button: what the person does, not the state's name.
TRANSITION_LABELS = {
    ProjectStatus.ACTIVE: "Start work",
    ProjectStatus.ON_HOLD: "Put on hold",
    ProjectStatus.DONE: "Mark done",
    ProjectStatus.CANCELLED: "Cancel project",
    ProjectStatus.PLANNING: "Back to planning",
}


def project_or_404(project_id: int) -> Project:
    """A project of the current agency with its header rows; another agency's is a 404 like a missing one."""
    return get_object_or_404(projects_with_header(), pk=project_id)


def _transitions(project: Project) -> list[tuple[str, str]]:
    allowed = services.PROJECT_TRANSITIONS[ProjectStatus(project.status)]
    labels = dict(TRANSITION_LABELS)
    if project.status in (ProjectStatus.ON_HOLD, ProjectStatus.DONE):
        labels[ProjectStatus.ACTIVE] = "Resume work" if project.status == ProjectStatus.ON_HOLD else "Reopen"
    return [(value, labels[value]) for value in ProjectStatus.values if value in allowed]


# --------------------------------------------------------------------------- the list


@agency_view
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD"])
def project_list(request: HttpRequest) -> HttpResponse:
    """Every project across clients with progress and risk, filtered by client, coordinator, status, risk,
    PROJECTS_PER_PAGE at a time in launch order.

    The body (or, asked by htmx, the table alone) is kept under the agency's data version with the query,
    the day and whether the viewer plans: a repeat view reads the version and one kept body."""
    # Read before anything it versions (see agencyops.data_version).
    version = agency_data_version(request.agency.pk)
    today = agency_today(request.agency)
    can_plan = can_plan_projects(request.membership)
    body = render_cached(
        request,
        template_name=PROJECT_TABLE_TEMPLATE if request.htmx else PROJECT_LIST_BODY_TEMPLATE,
        version=version,
        # The query as asked: the filters, the page number and the pager's links all come from it.
        variant=(request.agency.slug, can_plan, today, sorted(request.GET.lists())),
        context=lambda: _project_list_context(request, today, can_plan),
        includes=(PROJECT_LIST_ROW_TEMPLATE, PROJECT_FILTER_FIELDS_TEMPLATE),
    )
    if request.htmx:
        return HttpResponse(body)
    return TemplateResponse(request, "projects/project_list.html", {"body": body})


def _project_list_context(request: HttpRequest, today: Any, can_plan: bool) -> dict[str, Any]:
    chosen = project_filters(request.agency, request.GET)
    filters = chosen.filters
    number = _page_number(request.GET.get("page"))
    page = project_rows_page(
        request.agency,
        today=today,
        offset=(number - 1) * PROJECTS_PER_PAGE,
        limit=PROJECTS_PER_PAGE,
        keep=False,
        **filters,
    )
    if not page.rows and page.count:
        # Past the last page (an old link, a hand-typed number): the last page instead.
        number = -(-page.count // PROJECTS_PER_PAGE)
        page = project_rows_page(
            request.agency,
            today=today,
            offset=(number - 1) * PROJECTS_PER_PAGE,
            limit=PROJECTS_PER_PAGE,
            keep=False,
            **filters,
        )
    filtered = any(filters.values())
    return {
        "filter_fields": chosen.fields,
        "rows": _list_rows_markup(request, page.rows, today),
        "count": page.count,
        "pages": _pages(request, number, page.count),
        "filtered": filtered,
        "has_any_project": bool(page.count) or (filtered and agency_has_projects(request.agency)),
        "can_plan": can_plan,
    }


PROJECTS_PER_PAGE = 50
# A page number past any agency's projects, so a hostile one never reaches PostgreSQL as an offset.
MAX_PAGE = 100_000
PROJECT_LIST_ROW_TEMPLATE = "projects/_project_list_row.html"
PROJECT_LIST_BODY_TEMPLATE = "projects/_project_list_body.html"
PROJECT_TABLE_TEMPLATE = "projects/_project_table.html"


def _page_number(raw: str | None) -> int:
    """The asked page, 1 when it is missing or not a page number."""
    try:
        return min(max(int(raw or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


def _pages(request: HttpRequest, number: int, count: int) -> dict[str, Any]:
    """Which projects the page shows and the links to its neighbours, the filters kept."""
    last = max(-(-count // PROJECTS_PER_PAGE), 1)

    def link(to: int) -> str:
        query = request.GET.copy()
        query["page"] = str(to)
        return f"?{query.urlencode()}"

    return {
        "number": number,
        "last": last,
        "first_shown": (number - 1) * PROJECTS_PER_PAGE + 1 if count else 0,
        "last_shown": min(number * PROJECTS_PER_PAGE, count),
        "previous": link(number - 1) if number > 1 else "",
        "next": link(number + 1) if number < last else "",
    }


def _list_rows_markup(request: HttpRequest, rows: list[ProjectListRow], today: Any) -> SafeString:
    """The rows' markup, the whole page of rows and each row kept under their values: the same page again
    costs one cache read, and a page shown again after one project changed renders that row alone."""
    project_url = link_by_id("project_detail", "project_id", agency_slug=request.agency.slug)
    return render_all_for_data(
        request,
        template_name=PROJECT_LIST_ROW_TEMPLATE,
        items=[(row, {"row": row, "url": project_url(row.id), "this_year": today.year}) for row in rows],
        # The launch shows its year outside this year.
        variant=(request.agency.slug, today.year),
    )


# --------------------------------------------------------------------------- a new project


def _preview_context(preview: services.PlanPreview) -> dict[str, Any]:
    """The preview's tasks grouped by phase, in plan order, for the preview partial."""
    titles = {t.key: t for t in preview.spec.tasks}
    groups: dict[str, list[dict[str, Any]]] = {p.name: [] for p in preview.spec.phases}
    for key, slot in sorted(preview.slots.items(), key=lambda kv: (kv[1].start, kv[1].due, kv[0])):
        task = titles[key]
        groups.setdefault(task.phase, []).append(
            {
                "title": task.title,
                "discipline": Discipline(task.discipline).label if task.discipline else "",
                "start": slot.start,
                "due": slot.due,
                "review": task.review,
            }
        )
    return {"preview": preview, "preview_groups": [(name, rows) for name, rows in groups.items() if rows]}


@agency_view(permission=can_plan_projects)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    """One form: client, name, template, launch date; "Preview plan" shows the back-scheduled plan first."""
    templates = templates_for_picker(request.agency)
    form = ProjectCreateForm(request.POST or None, agency=request.agency, templates=templates)
    context: dict[str, Any] = {
        "form": form,
        "templates": templates,
        "preview": None,
        "today": agency_today(request.agency),
    }
    template = "projects/project_create.html"
    if request.method == "POST":
        wants_preview = bool(request.POST.get("preview"))
        if wants_preview:
            # A preview needs only the template and the date; client and name may still be empty.
            for name in ("client", "name"):
                form.fields[name].required = False
        if form.is_valid():
            if wants_preview:
                preview = form.preview()
                if preview is not None:
                    context.update(_preview_context(preview))
            else:
                chosen, launch = form.cleaned_data["template"], form.cleaned_data["launch_date"]
                project = form.save(actor=request.membership)
                if project is not None:
                    messages.success(
                        request,
                        f"{project.name} is planned: {project.tasks.count()} tasks scheduled back from "
                        f"{project.launch_date:%a %-d %b}. Complete the brief, then start work.",
                    )
                    return redirect("project_detail", agency_slug=request.agency.slug, project_id=project.pk)
                # Refused for starting in the past: show the plan and the checkbox that accepts it.
                try:
                    preview = services.project_preview(
                        agency=request.agency, template_ref=chosen, launch_date=launch
                    )
                except ValidationError:
                    preview = None
                if preview is not None and preview.starts_in_past:
                    context.update(_preview_context(preview))
        if wants_preview:
            for name in ("client", "name"):
                form.fields[name].required = True
        if wants_preview and request.htmx:
            template += "#plan-preview"
    return TemplateResponse(request, template, context)


# --------------------------------------------------------------------------- a project's page

TOP_TEMPLATE = "projects/_project_top.html"
INPUTS_TEMPLATE = "projects/_project_inputs.html"
TASKS_TEMPLATE = "projects/_project_tasks.html"
CARD_TEMPLATE = "projects/_task_card.html"
ROW_TEMPLATE = "projects/_task_row.html"
INPUT_FORM_TEMPLATE = "projects/_input_form.html"
FORM_FIELD_LIST_TEMPLATE = "components/form_field_list.html"
# The input form's task picker renders its own template (projects.forms.TaskPicker).
TASK_PICKER_TEMPLATE = TaskPicker.template_name
# Every template whose markup the page's body holds.
PAGE_PARTS = (
    TOP_TEMPLATE,
    INPUTS_TEMPLATE,
    TASKS_TEMPLATE,
    CARD_TEMPLATE,
    ROW_TEMPLATE,
    INPUT_FORM_TEMPLATE,
    TASK_PICKER_TEMPLATE,
    FORM_FIELD_LIST_TEMPLATE,
)


Part = tuple[str, Any, Callable[[], dict[str, Any]]]


def _part(
    template_name: str,
    data: dict[str, Any],
    *,
    derived: Callable[[], dict[str, Any]] | None = None,
    **options: Any,
) -> Part:
    """One part of the page's body, to be rendered from ``data`` and ``options`` (the viewer's, such as
    can_plan) and kept under a digest of both: it is rendered again only when what it shows changes.
    ``derived`` adds what the template reads that is made from ``data`` alone (so not digested), only
    when the part is rendered."""
    return (
        template_name,
        (data, options),
        lambda: {**data, **options, **(derived() if derived else {})},
    )


def _parts_markup(request: HttpRequest, parts: list[Part]) -> list[SafeString]:
    """The parts' markup, looked up together (one cache round trip for all of them)."""
    return render_parts_for_data(request, parts=parts, variant=(request.agency.slug,), includes=PAGE_PARTS)


def _top(page: ProjectPage, can_plan: bool) -> Part:
    """Header, status, risks, brief and phases: unchanged by most edits to tasks."""
    project = page.project
    data = {
        "project": project,
        "brief": project.brief,
        "health": page.health,
        "forecast_launch": page.forecast_launch,
        "slip_business_days": page.slip_business_days,
        "tasks_done": page.tasks_done,
        "tasks_total": page.tasks_total,
        "missing": page.missing,
        "escalations": page.escalations,
        "phases": page.phases,
        "transitions": _transitions(project) if can_plan else [],
    }
    return _part(TOP_TEMPLATE, data, can_plan=can_plan)


def _inputs(request: HttpRequest, page: ProjectPage, can_plan: bool) -> Part:
    """The required inputs and the form to track one, whose task picker lists the plan's tasks by title:
    rendered again when an input or a task's title changes, the form only then."""
    data = {
        "project_id": page.project.pk,
        "inputs": page.inputs,
        "picker": [(task.pk, task.title) for task in page.tasks] if can_plan else None,
    }
    return _part(
        INPUTS_TEMPLATE,
        data,
        derived=lambda: {"input_form": _input_form(request, page) if can_plan else None},
        can_plan=can_plan,
    )


def _tasks(
    request: HttpRequest, page: ProjectPage, view: str, can_plan: bool, members: list[tuple[int, str]] | None
) -> Part:
    """The tasks as a board (each card a part of its own) or as a list by phase (with ``members``, the
    bulk "Reassign" picker's people, for a viewer who plans)."""
    data: dict[str, Any] = {"project_id": page.project.pk, "view": view, "tasks": page.tasks}
    if view == "board":
        project_url = reverse("project_detail", args=[request.agency.slug, page.project.pk])
        # The cards are made only when the board is rendered afresh; the tasks in its data cover them.
        return _part(
            TASKS_TEMPLATE,
            data,
            derived=lambda: {"board": _board(request, page, project_url)},
            can_plan=can_plan,
        )
    data["groups"] = [(group.name, group.tasks) for group in page.groups]
    data["statuses"] = [(value, label) for value, label, _tasks in page.columns]
    # The bulk "Reassign" picker (the page's version covers the agency's people).
    data["members"] = members or []
    return _part(
        TASKS_TEMPLATE,
        data,
        derived=lambda: {"groups_rows": _list_rows(request, data["groups"])},
        can_plan=can_plan,
    )


def _members(agency: Agency) -> list[tuple[int, str]]:
    """The agency's people as the bulk "Reassign" picker lists them."""
    return [(m.pk, m.user.full_name or m.user.email) for m in active_members(agency)]


def _board(request: HttpRequest, page: ProjectPage, project_url: str) -> list[tuple[str, str, list[str]]]:
    """The board's columns with their cards' markup. Each card is kept under its own task's values, so a
    board rendered again after a change renders only the cards it changed (one, for most edits)."""
    cards = render_each_for_data(
        request,
        template_name=CARD_TEMPLATE,
        items=[(task, {"task": task, "project_url": project_url}) for task in page.tasks],
        variant=(request.agency.slug, project_url),
    )
    by_task = {task.pk: card for task, card in zip(page.tasks, cards, strict=True)}
    return [(value, label, [by_task[task.pk] for task in tasks]) for value, label, tasks in page.columns]


def _list_rows(request: HttpRequest, groups: list[tuple[str, list[Any]]]) -> list[tuple[str, list[str]]]:
    """The list's phase groups with their rows' markup, each row kept under its own task's values."""
    tasks = [task for _name, group in groups for task in group]
    rows = iter(
        render_each_for_data(
            request,
            template_name=ROW_TEMPLATE,
            items=[(task, {"task": task}) for task in tasks],
            variant=(request.agency.slug,),
        )
    )
    return [(name, [next(rows) for _task in group]) for name, group in groups]


def _input_form(request: HttpRequest, page: ProjectPage) -> str:
    """The "Track a required input" form: its task picker written from the plan's tasks, its other fields
    (the same on every project page) rendered once per process."""
    form = RequiredInputForm(project=page.project, tasks=page.tasks)
    return render_fragment(
        request,
        INPUT_FORM_TEMPLATE,
        {"input_form": form, "fields": _input_form_fields(form), "project": page.project},
    )


_input_form_fields_markup: list[str] = []


def _input_form_fields(form: RequiredInputForm) -> SafeString:
    """The markup of the input form's fields other than its task picker: they show the form's definition
    alone, so a process renders them once (a deploy starts new processes; in DEBUG, every time)."""
    if settings.DEBUG or not _input_form_fields_markup:
        fields = [field for field in form.visible_fields() if field.name != "tasks"]
        markup = render_to_string(FORM_FIELD_LIST_TEMPLATE, {"fields": fields})
        if settings.DEBUG:
            return mark_safe(markup)  # noqa: S308 - our own markup
        _input_form_fields_markup[:] = [markup]
    return mark_safe(_input_form_fields_markup[0])  # noqa: S308 - our own markup


@agency_view
@require_http_methods(["GET", "HEAD"])
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    """A project: header, status, brief, required inputs, phases, its tasks as a board or a list, and the
    sections other apps add (approvals).

    The body is rendered once per version of what it shows (see projects.page_versions) and served
    from the cache until something on it changes. On a new version PostgreSQL digests the rows it is made
    from: if they are what an earlier body was made from (the write changed nothing the page shows), that
    body is used again without reading them; otherwise they are read and only the parts whose own values
    changed are rendered again (the top, the inputs, the tasks, each card).
    """
    stamp = project_page_version(agency_id=request.agency.pk, project_id=project_id)
    if stamp is None:
        raise Http404("No such project.")
    agency = request.agency
    today = agency_today(agency)
    view = "list" if request.GET.get("view") == "list" else "board"
    can_plan = can_plan_projects(request.membership)
    # The version read after the rows a body is rendered from (see unchanged, below).
    read_at: list[str] = []

    def load() -> Loaded:
        """What the body is made from, as a digest of the page's and its sections' rows, the reassign
        picker's people and the agency itself (its calendar); the day and the viewer's options are in the
        key. The rows are read, the page shaped and its parts looked up only when the body is rendered."""
        digest = project_page_digest(agency, project_id, today)
        members = _members(agency) if view == "list" and can_plan else None

        def context() -> dict[str, Any]:
            reads = project_page_reads(agency, project_id, today)
            page = project_page_from_rows(agency, today, reads.rows)
            if page is None or reads.version is None:
                raise Http404("No such project.")
            read_at.append(reads.version.version)
            sections = extensions.page_sections_from_rows(agency, project_id, today, reads.section_rows)
            top, inputs, tasks = _parts_markup(
                request,
                [
                    _top(page, can_plan),
                    _inputs(request, page, can_plan),
                    _tasks(request, page, view, can_plan, members),
                ],
            )
            return {"top": top, "inputs": inputs, "tasks": tasks, "sections": sections}

        agency_row = [getattr(agency, field.attname) for field in agency._meta.concrete_fields]
        return (digest, members, agency_row), context, None

    def unchanged() -> bool:
        # No write committed between the version read first and the one read with the rows: the rows are
        # those the digest was computed from, so the body may be kept under it.
        return read_at == [stamp.version]

    body = render_for_version(
        request,
        template_name="projects/_project_page.html",
        version=stamp.version,
        variant=(agency.slug, project_id, view, can_plan, today),
        load=load,
        includes=(*PAGE_PARTS, *extensions.page_section_templates()),
        unchanged=unchanged,
    )
    return TemplateResponse(
        request, "projects/project_detail.html", {"title": stamp.project_name, "body": body}
    )


@agency_view(permission=can_plan_projects)
@require_http_methods(["GET", "HEAD", "POST"])
def brief_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    """Edit every field of a project's brief."""
    project = project_or_404(project_id)
    form = BriefForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid() and form.save(actor=request.membership):
        missing = services.brief_missing(Project.objects.get(pk=project.pk).brief)
        note = f" Still missing: {', '.join(missing)}." if missing else " The brief is complete."
        messages.success(request, "Brief saved." + note)
        return redirect("project_detail", agency_slug=request.agency.slug, project_id=project.pk)
    return TemplateResponse(request, "projects/project_brief_form.html", {"project": project, "form": form})


@agency_view(permission=can_plan_projects)
@require_POST
def project_status(request: HttpRequest, project_id: int) -> HttpResponse:
    """Move a project to another status; refusals (such as an incomplete brief) come back as a message."""
    project = project_or_404(project_id)
    try:
        project = services.project_set_status(
            actor=request.membership, project=project, status=request.POST.get("status", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{project.name} is now {project.get_status_display().lower()}.")
    return redirect("project_detail", agency_slug=request.agency.slug, project_id=project.pk)


@agency_view(permission=can_plan_projects)
@require_http_methods(["GET", "HEAD", "POST"])
def input_create(request: HttpRequest, project_id: int) -> HttpResponse:
    """Track something the work needs from someone; errors come back on this page's form."""
    project = project_or_404(project_id)
    form = RequiredInputForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid() and form.save(actor=request.membership):
        messages.success(request, f"Now tracking “{form.cleaned_data['description'].strip()}”.")
        return redirect("project_detail", agency_slug=request.agency.slug, project_id=project.pk)
    return TemplateResponse(request, "projects/project_input_form.html", {"project": project, "form": form})


@agency_view
@require_POST
def input_received(request: HttpRequest, project_id: int, input_id: int) -> HttpResponse:
    """Mark a required input as received today."""
    project = project_or_404(project_id)
    item = get_object_or_404(RequiredInput, pk=input_id, project=project)
    try:
        services.required_input_receive(actor=request.membership, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{item.description}” received.")
    return redirect("project_detail", agency_slug=request.agency.slug, project_id=project.pk)


@agency_view(permission=can_plan_projects)
@require_http_methods(["GET", "HEAD", "POST"])
def project_settings(request: HttpRequest, project_id: int) -> HttpResponse:
    """How the project plans (ripple, revision rounds) and, for a retainer, its recurrence."""
    project = project_or_404(project_id)
    which = request.POST.get("form") if request.method == "POST" else None
    settings_form = ProjectSettingsForm(request.POST if which == "settings" else None, project=project)
    recurrence_form = (
        RecurrenceForm(request.POST if which == "recurrence" else None, project=project)
        if project.is_recurring
        else None
    )
    bound = settings_form if which == "settings" else recurrence_form if which == "recurrence" else None
    if bound is not None and bound.is_valid() and bound.save(actor=request.membership):
        messages.success(request, "Recurrence saved." if which == "recurrence" else "Project settings saved.")
        return redirect("project_detail", agency_slug=request.agency.slug, project_id=project.pk)
    return TemplateResponse(
        request,
        "projects/project_settings.html",
        {"project": project, "settings_form": settings_form, "recurrence_form": recurrence_form},
    )


@agency_view(permission=can_plan_projects)
@require_http_methods(["GET", "HEAD", "POST"])
def project_launch_move(request: HttpRequest, project_id: int) -> HttpResponse:
    """Move the committed launch: an explicit act with a reason, kept in the deadline history."""
    project = project_or_404(project_id)
    form = LaunchMoveForm(request.POST or None, initial={"launch_date": project.launch_date})
    if request.method == "POST" and form.is_valid():
        moved = form.save(actor=request.membership, project=project)
        if moved is not None:
            change = moved.change
            proposed = "".join(f" {proposal}" for proposal in moved.proposals)
            messages.success(
                request,
                f"The committed launch moved from {change.old_launch:%a %-d %b} to "
                f"{change.new_launch:%a %-d %b}.{proposed}",
            )
            return redirect("project_detail", agency_slug=request.agency.slug, project_id=project.pk)
    return TemplateResponse(request, "projects/project_launch_move.html", {"project": project, "form": form})


@agency_view
@require_http_methods(["GET", "HEAD"])
def project_history(request: HttpRequest, project_id: int) -> HttpResponse:
    """Every deadline move of the project, newest first: what moved, by how much, why, and who moved it."""
    project = project_or_404(project_id)
    return TemplateResponse(
        request,
        "projects/project_history.html",
        {
            "project": project,
            "entries": project_history_entries(project),
            "today": agency_today(request.agency),
        },
    )
