"""REST endpoints of the project layer: templates, projects and their plans, tasks, dependencies, home.

Mounted under /api/v1/agencies/{agency_slug}/ (see projects/api_urls.py). Each view parses with an input
serializer, calls a service (projects.services) or a selector (projects.selectors,
projects.home_sections) and renders with a read-only serializer. The tenant comes from
TenantScopedAPIMixin (through the platform's AgencyAPIView); another agency's project or task is a 404
with the same body as a missing one.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import rest_framework
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from redis.exceptions import RedisError
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import ISO_8601, api_settings

from agencyops.api import renderers
from agencyops.api.fields import MAX_DB_ID, ScopedInputSerializer, ScopedPrimaryKeyRelatedField
from agencyops.api.filters import ChoiceFilterField, FlagFilterField, IdFilterField
from agencyops.api.renderers import EncodedJSON, SplicingJSONRenderer, encoded_json
from agencyops.api.views import FIELD_ERRORS, FORBIDDEN, NOT_FOUND, AgencyAPIView, parse
from agencyops.data_version import code_stamp
from agencyops.models import ClientContact, Discipline, Membership
from agencyops.permissions import can_plan_projects, is_agency_member
from projects import scheduling, selectors, services
from projects import serializers as api
from projects.calendars import agency_today
from projects.home_sections import home_sections
from projects.models import Phase, Project, ProjectStatus, ProjectTemplate, Task
from projects.serializers import ASSIGNEE_REFUSED, PREDECESSOR_REFUSED

# Planning (new projects, links between tasks) is for owners and coordinators, as in the services.
READ_OR_PLAN = {"GET": is_agency_member, "POST": can_plan_projects}

PLAN_REFUSED = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Refused input: field name to a list of messages. A plan that would have to start in the "
    "past also carries `shortfall_business_days` (an integer) and `plan_start` (ISO date); send "
    "`accept_start_in_past: true` to create it anyway.",
)

logger = logging.getLogger(__name__)


class TaskPreviewFilterSerializer(serializers.Serializer):
    preview = FlagFilterField(
        name="preview", help_text="true: show the impact of `due_date` without applying anything."
    )


@dataclass(frozen=True)
class TaskChange:
    """What a task edit answers: the task now, and the ripple of a due-date move (if one was sent)."""

    applied: bool
    task: selectors.TaskPage
    shifted: list[dict[str, Any]]
    launch: dict[str, Any] | None


def _ripple(impact: services.RescheduleImpact | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    if impact is None:
        return [], None
    shifted = [
        {"task": item.task, "old": item.old, "new": item.new, "business_days": impact.business_days(item)}
        for item in impact.shifted
    ]
    launch = {
        "before": impact.launch_before,
        "after": impact.launch_after,
        "business_days": scheduling.launch_shift(
            impact.launch_before, impact.launch_after, calendar=impact.calendar
        ),
        "summary": impact.summary,
        # The commitment never moves with a reschedule; the slip past it is stated, not refused.
        "committed": impact.committed_launch,
        "slip_business_days": impact.slip_business_days,
    }
    return shifted, launch


def _page_response(
    paginator: LimitOffsetPagination,
    request: Request,
    *,
    limit: int,
    offset: int,
    count: int,
    rows: list[dict[str, Any]] | EncodedJSON,
) -> Response:
    """A page of rows a selector already counted and shaped, in the pager's envelope: the count comes
    with the page, so the pager costs no query of its own."""
    paginator.request, paginator.limit, paginator.offset, paginator.count = request, limit, offset, count
    return paginator.get_paginated_response(rows)


# A page of the task list is kept for a day at most: its key changes with the plan's version anyway.
TASK_PAGE_KEPT_SECONDS = 24 * 60 * 60


@functools.cache
def _encoding_stamp() -> str:
    """How kept pages are encoded: the renderer's code and DRF's JSON settings. A deploy that changes
    either never serves pages encoded before it."""
    settings = (api_settings.COMPACT_JSON, api_settings.UNICODE_JSON, api_settings.STRICT_JSON)
    source = inspect.getsource(renderers)
    return hashlib.sha256(f"{rest_framework.VERSION}:{settings}:{source}".encode()).hexdigest()[:16]


def _kept_task_page(key: str) -> tuple[tuple[int, EncodedJSON] | None, bool]:
    """A kept page of a task list (its plan's count and its rows as JSON) or None, and whether the cache
    server answered: without it the page is read as it would be without the cache, and not kept."""
    try:
        kept = cache.get(f"{key}:{_encoding_stamp()}")
    except RedisError:
        logger.warning("Cache unavailable; reading the task list afresh", exc_info=True)
        return None, False
    if kept is None:
        return None, True
    count, results = kept
    return (count, EncodedJSON(results)), True


def _keep_task_page(key: str, page: tuple[int, EncodedJSON]) -> None:
    count, results = page
    try:
        cache.set(f"{key}:{_encoding_stamp()}", (count, bytes(results)), TASK_PAGE_KEPT_SECONDS)
    except RedisError:
        logger.warning("Cache unavailable; the task list page is not kept", exc_info=True)


class ProjectsAPIView(AgencyAPIView):
    """Base of the project layer's endpoints: scoped lookups, 404 for anything outside the agency."""

    def project_or_404(self, pk: int) -> Project:
        # The scope limits the lookup to the caller's agency: another agency's project is "not found".
        return self.object_or_404(selectors.projects_with_header().select_related("agency"), pk)

    def task_or_404(self, pk: int) -> Task:
        if not 0 < pk <= MAX_DB_ID:
            raise exceptions.NotFound()
        try:
            task = selectors.task_for_page(pk)
        except Task.DoesNotExist:
            raise exceptions.NotFound() from None
        # The agency is already resolved; sharing it spares the calendar lookups a query.
        task.agency = self.request.agency
        return task

    def today(self) -> Any:
        return agency_today(self.request.agency)


# --- Templates -----------------------------------------------------------------------------


@extend_schema(tags=["projects"])
class TemplateListView(ProjectsAPIView):
    """The templates a project can start from: the built-ins, then the agency's own."""

    pagination_class = None  # the whole list, as the schema says
    queryset = ProjectTemplate.objects.none()
    serializer_class = api.TemplateSerializer
    permission_map = {"GET": is_agency_member}

    @extend_schema(
        operation_id="templates_list",
        summary="List project templates",
        description="Built-ins have ids like `builtin:website-launch`; the agency's own have their numeric "
        "id as a string. Send the id as `template` when creating a project.",
        responses={200: api.TemplateSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        templates = selectors.templates_for_picker(request.agency)
        return Response(api.TemplateSerializer(templates, many=True).data)


# --- Projects ------------------------------------------------------------------------------


class ProjectFilterSerializer(serializers.Serializer):
    client = IdFilterField(what="client", help_text="Only projects of the client with this id.")
    status = ChoiceFilterField(
        choices=ProjectStatus.values, what="a project status", help_text="Only projects with this status."
    )
    at_risk = FlagFilterField(
        name="at_risk",
        help_text="true: only projects whose health is not on track (an open escalation, or the forecast "
        "launch after the committed launch date); false: only the others.",
    )


def _moment_renderer() -> Callable[[datetime | None], str | None]:
    """A moment as DRF's DateTimeField renders it here (ISO 8601, in the current time zone, "Z" for UTC;
    the schema's format), with the time zone looked up once for a page rather than once a row: asking for
    it, and the field's checks around it, cost more than the fifty conversions."""
    if api_settings.DATETIME_FORMAT.lower() != ISO_8601:
        return serializers.DateTimeField().to_representation
    zone = timezone.get_current_timezone()

    def render(value: datetime | None) -> str | None:
        if not value:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return render


def _project_json(row: selectors.ProjectListRow, render_datetime: Any) -> dict[str, Any]:
    """A row of the project list in ProjectSerializer's shape (the schema of the list), built directly:
    ``render_datetime`` renders ``created_at`` as the serializer's field does."""
    return {
        "id": row.id,
        "name": row.name,
        "client": {"id": row.client_id, "name": row.client_name},
        "status": row.status,
        "launch_date": row.launch_date.isoformat(),
        "template_name": row.template_name,
        "coordinator": None
        if row.coordinator_id is None
        else {"id": row.coordinator_id, "name": row.coordinator_name, "is_active": row.coordinator_active},
        "tasks_total": row.tasks_total,
        "tasks_done": row.tasks_done,
        "overdue_count": row.overdue_count,
        "blocked_count": row.blocked_count,
        "forecast_launch": row.forecast_launch and row.forecast_launch.isoformat(),
        "open_risks": row.open_risks,
        "at_risk": row.at_risk,
        "created_at": render_datetime(row.created_at),
    }


def _project_list_encoded(page: selectors.ProjectRowsPage) -> tuple[int, bytes]:
    """A page of the project list as the endpoint answers it: the filters' count, and the rows encoded."""
    render_moment = _moment_renderer()
    return page.count, bytes(encoded_json([_project_json(row, render_moment) for row in page.rows]))


@functools.cache
def _project_list_stamp() -> str:
    """The code and the encoding a kept page of the project list follows from."""
    return f"{code_stamp(_project_json, _moment_renderer, _project_list_encoded)}:{_encoding_stamp()}"


@extend_schema(tags=["projects"])
class ProjectListView(ProjectsAPIView):
    """The agency's projects; owners and coordinators start new ones from a template."""

    queryset = Project.objects.none()
    # The kept pages are written into the response as they were encoded.
    renderer_classes = [SplicingJSONRenderer]
    serializer_class = api.ProjectSerializer
    filter_serializer_class = ProjectFilterSerializer
    permission_map = READ_OR_PLAN

    @extend_schema(
        operation_id="projects_list",
        summary="List projects",
        responses={200: api.ProjectSerializer(many=True), 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        at_risk = self.filters["at_risk"]
        paginator = self.paginator
        limit, offset = paginator.get_limit(request), paginator.get_offset(request)
        # The page as this endpoint answers it, kept encoded under the agency's data version (its rows are
        # read only when it is not there): an unchanged list is neither shaped nor encoded again. Its
        # moments are rendered in the current time zone, part of the key.
        count, results = selectors.project_rows_page(
            request.agency,
            client_id=self.filters.get("client"),
            status=self.filters.get("status", ""),
            at_risk=at_risk is True,
            on_track=at_risk is False,
            today=self.today(),
            offset=offset,
            limit=limit,
            shape=_project_list_encoded,
            shape_parts=(_project_list_stamp(), timezone.get_current_timezone_name()),
        )
        return _page_response(
            paginator, request, limit=limit, offset=offset, count=count, rows=EncodedJSON(results)
        )

    @extend_schema(
        operation_id="projects_create",
        summary="Start a project from a template",
        description="Back-schedules every task of the template from the launch date in business days, "
        "assigns tasks by discipline and answers with the whole plan. Owners and coordinators only.",
        request=api.ProjectCreateInputSerializer,
        responses={201: api.ProjectCreatedSerializer, 400: PLAN_REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        data = parse(api.ProjectCreateInputSerializer, request)
        try:
            project = services.project_create_from_template(
                actor=request.membership,
                client=data["client"],
                name=data["name"],
                template_ref=data["template"],
                launch_date=data["launch_date"],
                accept_start_in_past=data["accept_start_in_past"],
            )
        except DjangoValidationError as error:
            refused = self._starts_in_past(error, data)
            if refused is not None:
                return Response(refused, status=status.HTTP_400_BAD_REQUEST)
            raise
        # The project as its detail shows it, and the whole plan as its task list shows each task.
        today = self.today()
        summary = selectors.project_summary(request.agency, project.pk, today)
        body = api.ProjectDetailSerializer(summary, context=self.get_serializer_context()).data
        plan = selectors.project_tasks_page(request.agency, project.pk, today, offset=0, limit=None)
        body["tasks"] = plan.rows if plan is not None else []
        return Response(body, status=status.HTTP_201_CREATED)

    def _starts_in_past(self, error: DjangoValidationError, data: dict[str, Any]) -> dict[str, Any] | None:
        """The refusal body of a plan that would start before today, with how far before; else None."""
        if not hasattr(error, "error_dict") or set(error.message_dict) != {"launch_date"}:
            return None
        try:
            preview = services.project_preview(
                agency=self.request.agency, template_ref=data["template"], launch_date=data["launch_date"]
            )
        except DjangoValidationError:
            return None
        if not preview.starts_in_past:
            return None
        return {
            "launch_date": error.message_dict["launch_date"],
            "shortfall_business_days": preview.shortfall_days,
            "plan_start": preview.start.isoformat(),
        }


@extend_schema(tags=["projects"])
class ProjectDetailView(ProjectsAPIView):
    """One project: its brief, what the brief still lacks, and its phases."""

    queryset = Project.objects.none()
    serializer_class = api.ProjectDetailSerializer
    permission_map = {"GET": is_agency_member}

    @extend_schema(
        operation_id="projects_retrieve",
        summary="Get a project",
        responses={200: api.ProjectDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        # The header, counts and health in one query: the plan itself is the task list's business.
        summary = selectors.project_summary(request.agency, pk, self.today())
        if summary is None:
            raise exceptions.NotFound()
        return self.render(summary, api.ProjectDetailSerializer)


@extend_schema(tags=["projects"])
class ProjectLaunchView(ProjectsAPIView):
    """Move a project's committed launch: an explicit act, never a side effect of rescheduling tasks."""

    queryset = Project.objects.none()
    serializer_class = api.LaunchMoveSerializer
    permission_map = {"POST": can_plan_projects}

    @extend_schema(
        operation_id="project_launch_move",
        summary="Move the committed launch",
        description="Owners and coordinators only; a reason is required and kept in the deadline history. "
        "Where the client approved the timing, a change request citing that approval is proposed and "
        "named in `proposals`. Rescheduling tasks never moves the committed launch; it moves "
        "`forecast_launch`.",
        request=api.LaunchMoveInputSerializer,
        responses={200: api.LaunchMoveSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        project = self.project_or_404(pk)
        data = parse(api.LaunchMoveInputSerializer, request)
        moved = services.project_move_launch(
            actor=request.membership, project=project, new_launch=data["launch_date"], reason=data["reason"]
        )
        return Response(
            api.LaunchMoveSerializer(
                {"change": moved.change, "proposals": [str(p) for p in moved.proposals]}
            ).data
        )


class TaskPagination(LimitOffsetPagination):
    """A project's task list: a page holds most plans whole; a client may not ask for more than the cap."""

    default_limit = selectors.TASK_PAGE_DEFAULT
    max_limit = selectors.TASK_PAGE_MAX


def _of_the_project(model: type[Phase] | type[Task]) -> Any:
    """The rows of ``model`` in the project the view put in the serializer's context."""
    return lambda context: model.objects.filter(project=context["project"])


class TaskCreateInputSerializer(ScopedInputSerializer):
    title = serializers.CharField(max_length=200)
    phase = ScopedPrimaryKeyRelatedField(
        model=Phase,
        queryset=_of_the_project(Phase),
        message="Choose a phase of this project.",
        required=False,
        allow_null=True,
        help_text="A phase id of this project.",
    )
    discipline = serializers.ChoiceField(
        choices=Discipline.choices, required=False, allow_blank=True, default=""
    )
    duration_days = serializers.IntegerField(
        min_value=0, max_value=250, default=1, help_text="0 for a milestone."
    )
    estimated_hours = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=0, default=0)
    after = ScopedPrimaryKeyRelatedField(
        model=Task,
        queryset=_of_the_project(Task),
        message=PREDECESSOR_REFUSED,
        required=False,
        allow_null=True,
        help_text="The task it follows.",
    )
    assignee = ScopedPrimaryKeyRelatedField(
        model=Membership,
        queryset=lambda context: Membership.objects.filter(is_active=True),
        message=ASSIGNEE_REFUSED,
        required=False,
        allow_null=True,
        help_text="A membership id.",
    )


@extend_schema(tags=["projects"])
class ProjectTaskListView(ProjectsAPIView):
    """A project's tasks in plan order, a page at a time, with how often each has moved and whether it is
    critical."""

    pagination_class = None  # the whole list, as the schema says
    queryset = Project.objects.none()
    serializer_class = api.TaskSerializer
    pagination_class = TaskPagination
    # The kept pages are written into the response as they were encoded.
    renderer_classes = [SplicingJSONRenderer]
    # Adding a one-off task is planning (owners and coordinators), as on the page.
    permission_map = READ_OR_PLAN

    @extend_schema(
        operation_id="project_tasks_list",
        summary="List a project's tasks",
        description=f"The plan in order, paginated: `limit` defaults to {selectors.TASK_PAGE_DEFAULT} tasks "
        f"and is capped at {selectors.TASK_PAGE_MAX}; `count` is the whole plan's. `moved_count` counts "
        "the task's deadline history; `critical` marks every task with no float to the deadline it feeds "
        "(for a retainer, the current month's chain), judged over the whole plan whatever the page.",
        responses={200: api.TaskSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        if not 0 < pk <= MAX_DB_ID:
            raise exceptions.NotFound()
        paginator = self.paginator
        limit, offset = paginator.get_limit(request), paginator.get_offset(request)
        today = self.today()
        # The plan's version; then the page from the cache, or the plan, its links, the page's rows and the
        # calendar in one query. Another agency's project is not found, like a missing one.
        key = selectors.project_tasks_page_key(request.agency, pk, today, offset=offset, limit=limit)
        if key is None:
            raise exceptions.NotFound()
        kept, cache_answered = _kept_task_page(key)
        if kept is None:
            page = selectors.project_tasks_page(request.agency, pk, today, offset=offset, limit=limit)
            if page is None:
                raise exceptions.NotFound()
            # The rows are already in TaskSerializer's shape (the schema above): encoded as they are, and
            # kept encoded, so a read of an unchanged plan neither decodes nor encodes them again.
            kept = (page.count, encoded_json(page.rows))
            if cache_answered:
                _keep_task_page(key, kept)
        count, results = kept
        # The count is the whole plan's, which the page was cut from.
        return _page_response(paginator, request, limit=limit, offset=offset, count=count, rows=results)

    @extend_schema(
        operation_id="project_tasks_create",
        summary="Add a one-off task",
        description="It starts today (or when the task it follows allows) and is marked as added after the "
        "plan, so the risk scan asks whether the brief covers it.",
        request=TaskCreateInputSerializer,
        responses={201: api.TaskDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        project = self.project_or_404(pk)
        # Phase, predecessor and assignee ids are looked up in this project and agency only.
        data = parse(TaskCreateInputSerializer, request, context={"project": project})
        task = services.task_create(
            actor=request.membership,
            project=project,
            title=data["title"],
            phase=data.get("phase"),
            discipline=data["discipline"],
            duration_days=data["duration_days"],
            estimated_hours=data["estimated_hours"],
            after=data.get("after"),
            assignee=data.get("assignee"),
        )
        task = self.task_or_404(task.pk)
        return self.render(
            selectors.task_page(task, self.today()), api.TaskDetailSerializer, status.HTTP_201_CREATED
        )


# --- Tasks ---------------------------------------------------------------------------------


@extend_schema(tags=["tasks"])
class TaskDetailView(ProjectsAPIView):
    """One task: read it; change its status, assignee, pending decision or due date.

    Everyone on the team may change status, decisions and due dates; assigning is for planners.
    """

    queryset = Task.objects.none()
    serializer_class = api.TaskDetailSerializer
    permission_map = {"GET": is_agency_member, "PATCH": is_agency_member}
    filter_serializer_class = TaskPreviewFilterSerializer
    filter_methods = ("PATCH",)

    @extend_schema(
        operation_id="tasks_retrieve",
        summary="Get a task",
        responses={200: api.TaskDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        task = self.task_or_404(pk)
        return self.render(selectors.task_page(task, self.today()), api.TaskDetailSerializer)

    @extend_schema(
        operation_id="tasks_partial_update",
        summary="Change a task",
        description="Send any of: `status` (with `waiting_on` for waiting, `blocked_reason` for blocked), "
        "`assignee`, `needs_decision` (with `decision_question` and `decider_member` or `decider_contact`), "
        "`due_date` with "
        "`reason`. Everything sent is applied together or not at all. A new due date moves the tasks that "
        "depend on it; every task that moves is listed in `shifted`, with the effect on the launch. "
        "With `?preview=true` and a `due_date`, nothing is written: the answer shows what would move.",
        request=api.TaskUpdateInputSerializer,
        responses={200: api.TaskChangeSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, agency_slug: str, pk: int) -> Response:
        task = self.task_or_404(pk)
        data = parse(api.TaskUpdateInputSerializer, request, context={"task": task})
        if not data:
            raise exceptions.ValidationError(
                {
                    "non_field_errors": [
                        "Send at least one change: status, assignee, needs_decision or due_date."
                    ]
                }
            )
        if "reason" in data and "due_date" not in data:
            raise exceptions.ValidationError({"reason": ["A reason goes with a new due_date."]})
        if self.filters["preview"]:
            if "due_date" not in data:
                raise exceptions.ValidationError(
                    {"due_date": ["Give the due date whose impact you want to see."]}
                )
            preview = services.task_reschedule_preview(task=task, new_due=data["due_date"])
            shifted, launch = _ripple(preview)
            change = TaskChange(False, selectors.task_page(task, self.today()), shifted, launch)
            return self.render(change, api.TaskChangeSerializer)
        with transaction.atomic():
            impact = self._apply(task, data)
        task = self.task_or_404(pk)
        shifted, launch = _ripple(impact)
        change = TaskChange(True, selectors.task_page(task, self.today()), shifted, launch)
        return self.render(change, api.TaskChangeSerializer)

    def _apply(self, task: Task, data: dict[str, Any]) -> services.RescheduleImpact | None:
        """Call the service for each part of the edit; any refusal rolls all of them back."""
        actor = self.request.membership
        status_parts = ("status", "waiting_on", "waiting_on_name", "blocked_reason")
        if any(part in data for part in status_parts):
            # Without a status, the details (e.g. a new blocked reason) apply to the current one.
            services.task_update_status(
                actor=actor,
                task=task,
                status=data.get("status", task.status),
                waiting_on=data.get("waiting_on", task.waiting_on),
                waiting_on_name=data.get("waiting_on_name", task.waiting_on_name),
                blocked_reason=data.get("blocked_reason", task.blocked_reason),
            )
        if "assignee" in data:
            services.task_assign(actor=actor, task=task, assignee=data["assignee"])
        decision_parts = ("decision_question", "decider_member", "decider_contact")
        if "needs_decision" in data or any(part in data for part in decision_parts):
            if not data.get("needs_decision", False):
                if any(data.get(part) for part in decision_parts):
                    raise exceptions.ValidationError(
                        {"needs_decision": ["Send needs_decision: true with the question and who decides."]}
                    )
                services.task_clear_decision(actor=actor, task=task)
            else:
                services.task_flag_decision(
                    actor=actor,
                    task=task,
                    question=data.get("decision_question", ""),
                    decider=self._decider(task, data),
                )
        if "due_date" in data:
            return services.task_reschedule(
                actor=actor, task=task, new_due=data["due_date"], reason=data.get("reason", "")
            )
        return None

    def _decider(self, task: Task, data: dict[str, Any]) -> Membership | ClientContact:
        """Who decides: a person on the team or a contact of the project's client (resolved by the input
        serializer through scoped querysets)."""
        if ("decider_member" in data) == ("decider_contact" in data):
            raise exceptions.ValidationError(
                {"decider_member": ["Say who decides: send decider_member or decider_contact (one of them)."]}
            )
        return data["decider_member"] if "decider_member" in data else data["decider_contact"]


@extend_schema(tags=["tasks"])
class TaskDependencyListView(ProjectsAPIView):
    """What a task waits for and what waits for it; planners add links."""

    queryset = Task.objects.none()
    serializer_class = api.TaskDependenciesSerializer
    permission_map = READ_OR_PLAN

    @extend_schema(
        operation_id="task_dependencies_list",
        summary="List a task's dependencies",
        responses={200: api.TaskDependenciesSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        task = self.task_or_404(pk)
        return self.render(selectors.task_page(task, self.today()), api.TaskDependenciesSerializer)

    @extend_schema(
        operation_id="task_dependencies_create",
        summary="Make a task wait for another",
        description="The predecessor must be a task of the same project; a link that would close a loop is "
        "refused, naming the loop. If the current dates break the new link, this task and what follows it "
        "move later (recorded in the deadline history). Owners and coordinators only.",
        request=api.DependencyCreateInputSerializer,
        responses={201: api.TaskDependenciesSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        task = self.task_or_404(pk)
        data = parse(api.DependencyCreateInputSerializer, request)
        services.dependency_add(
            actor=request.membership,
            predecessor=data["predecessor"],
            successor=task,
            kind=data["kind"],
            lag_days=data["lag_days"],
        )
        task = self.task_or_404(pk)
        return self.render(
            selectors.task_page(task, self.today()), api.TaskDependenciesSerializer, status.HTTP_201_CREATED
        )


# --- Home ----------------------------------------------------------------------------------


@extend_schema(tags=["home"])
class HomeView(ProjectsAPIView):
    """The owner's one-minute view: what is due this week, what is blocked, what needs a decision."""

    queryset = Task.objects.none()
    serializer_class = api.HomeSerializer
    permission_map = {"GET": is_agency_member}

    @extend_schema(
        operation_id="home_retrieve",
        summary="What is due, blocked and waiting for a decision",
        description="The same three sections as the home page, agency-wide: open tasks of live projects due "
        "by the end of this working week (overdue first), blocked or waiting tasks with the launch they "
        "endanger, and pending decisions.",
        responses={200: api.HomeSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        sections = home_sections(request.agency, request.membership, self.today())
        return self.render(sections, api.HomeSerializer)
