"""REST endpoints for what the project pages change: a project's status and brief, its required inputs,
and the agency's closures.

Mounted under /api/v1/agencies/{agency_slug}/ by projects/api_urls.py. Each view parses, calls the same
service as the page, and renders; refusals are the services' own messages (400), a role the service refuses
is a 403, and another agency's project, input or closure is a 404.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from agencyops.api.views import FIELD_ERRORS, FORBIDDEN, NOT_FOUND, parse
from agencyops.models import Membership
from agencyops.permissions import can_plan_projects, is_agency_member
from projects import services
from projects.api import ProjectsAPIView
from projects.models import AgencyClosure, Brief, Party, Project, ProjectStatus, RequiredInput, Task

# --- Status ---------------------------------------------------------------------------------


class ProjectStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, read_only=True)


class ProjectStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ProjectStatus.choices)


@extend_schema(tags=["projects"])
class ProjectStatusView(ProjectsAPIView):
    """Move a project between planning, active, on hold, done and cancelled."""

    queryset = Project.objects.none()
    serializer_class = ProjectStatusSerializer
    permission_map = {"POST": can_plan_projects}

    @extend_schema(
        operation_id="project_status_update",
        summary="Change a project's status",
        description="Going active needs a complete brief; the refusal names what is missing. Owners and "
        "coordinators only.",
        request=ProjectStatusInputSerializer,
        responses={200: ProjectStatusSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        project = self.project_or_404(pk)
        data = parse(ProjectStatusInputSerializer, request)
        project = services.project_set_status(
            actor=request.membership, project=project, status=data["status"]
        )
        return self.render(project, ProjectStatusSerializer)


# --- Brief ----------------------------------------------------------------------------------


class BriefEditSerializer(serializers.Serializer):
    campaign_name = serializers.CharField(max_length=160, allow_blank=True, required=False)
    objective = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    deliverables = serializers.CharField(
        max_length=5000, allow_blank=True, required=False, help_text="One per line."
    )
    channels = serializers.CharField(max_length=200, allow_blank=True, required=False)
    internal_owner = serializers.IntegerField(
        source="internal_owner_id", allow_null=True, required=False, help_text="A membership id."
    )
    due_date = serializers.DateField(allow_null=True, required=False)
    review_milestones = serializers.CharField(
        max_length=5000, allow_blank=True, required=False, help_text="One per line."
    )
    known_constraints = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    missing = serializers.SerializerMethodField(help_text="What the brief still lacks before work can start.")

    def get_missing(self, brief: Brief) -> list[str]:
        return services.brief_missing(brief)


@extend_schema(tags=["projects"])
class ProjectBriefView(ProjectsAPIView):
    """A project's brief: read it; owners and coordinators edit any of its fields."""

    queryset = Project.objects.none()
    serializer_class = BriefEditSerializer
    permission_map = {"GET": is_agency_member, "PATCH": can_plan_projects}

    @extend_schema(
        operation_id="project_brief_retrieve",
        summary="Get a project's brief",
        responses={200: BriefEditSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        return self.render(self.project_or_404(pk).brief, BriefEditSerializer)

    @extend_schema(
        operation_id="project_brief_update",
        summary="Edit a project's brief",
        description="Send only the fields that change.",
        request=BriefEditSerializer,
        responses={200: BriefEditSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, agency_slug: str, pk: int) -> Response:
        project = self.project_or_404(pk)
        data = parse(BriefEditSerializer, request, partial=True)
        fields: dict[str, Any] = {key: value for key, value in data.items() if key != "internal_owner_id"}
        if "internal_owner_id" in data:
            fields["internal_owner"] = self._member(data["internal_owner_id"])
        brief = services.brief_update(actor=request.membership, project=project, **fields)
        return self.render(brief, BriefEditSerializer)

    def _member(self, membership_id: int | None) -> Membership | None:
        if membership_id is None:
            return None
        # Scoped: someone of another agency is refused like an unknown id.
        member = Membership.objects.filter(pk=membership_id, is_active=True).first()
        if member is None:
            raise exceptions.ValidationError({"internal_owner": ["Choose someone on your team."]})
        return member


# --- Required inputs -----------------------------------------------------------------------


class RequiredInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    description = serializers.CharField(read_only=True)
    from_party = serializers.ChoiceField(choices=Party.choices, read_only=True)
    from_name = serializers.CharField(read_only=True)
    expected_by = serializers.DateField(read_only=True)
    received_at = serializers.DateField(read_only=True, allow_null=True)
    tasks = serializers.SerializerMethodField(help_text="Ids of the tasks that need it.")

    def get_tasks(self, item: RequiredInput) -> list[int]:
        return sorted(task.pk for task in item.tasks.all())


class RequiredInputCreateSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=200)
    from_party = serializers.ChoiceField(choices=Party.choices)
    from_name = serializers.CharField(max_length=120, allow_blank=True, required=False, default="")
    expected_by = serializers.DateField()
    tasks = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, max_length=200
    )


class RequiredInputReceiveSerializer(serializers.Serializer):
    received_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Today if absent."
    )


@extend_schema(tags=["projects"])
class ProjectInputListView(ProjectsAPIView):
    """What a project needs from whom by when; owners and coordinators add to it."""

    queryset = Project.objects.none()
    serializer_class = RequiredInputSerializer
    permission_map = {"GET": is_agency_member, "POST": can_plan_projects}

    @extend_schema(
        operation_id="project_inputs_list",
        summary="List a project's required inputs",
        responses={200: RequiredInputSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        project = self.project_or_404(pk)
        items = (
            RequiredInput.objects.filter(project=project)
            .prefetch_related("tasks")
            .order_by("expected_by", "pk")
        )
        return self.list_response(items, RequiredInputSerializer)

    @extend_schema(
        operation_id="project_inputs_create",
        summary="Track a required input",
        request=RequiredInputCreateSerializer,
        responses={201: RequiredInputSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        project = self.project_or_404(pk)
        data = parse(RequiredInputCreateSerializer, request)
        wanted = set(data.pop("tasks"))
        tasks = list(Task.objects.filter(project=project, pk__in=wanted))
        if len(tasks) != len(wanted):
            raise exceptions.ValidationError({"tasks": ["Link tasks of this project only."]})
        item = services.required_input_create(actor=request.membership, project=project, tasks=tasks, **data)
        return self.render(item, RequiredInputSerializer, status.HTTP_201_CREATED)


@extend_schema(tags=["projects"])
class ProjectInputReceiveView(ProjectsAPIView):
    """Mark a required input as received: anyone on the team may."""

    queryset = Project.objects.none()
    serializer_class = RequiredInputSerializer
    permission_map = {"POST": is_agency_member}

    @extend_schema(
        operation_id="project_inputs_receive",
        summary="Mark a required input received",
        request=RequiredInputReceiveSerializer,
        responses={200: RequiredInputSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int, input_id: int) -> Response:
        project = self.project_or_404(pk)
        item = self.object_or_404(RequiredInput.objects.filter(project=project), input_id)
        data = parse(RequiredInputReceiveSerializer, request)
        item = services.required_input_receive(
            actor=request.membership, item=item, received_on=data["received_on"]
        )
        return self.render(item, RequiredInputSerializer)


# --- Closures -------------------------------------------------------------------------------


class ClosureSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    date = serializers.DateField()
    name = serializers.CharField(max_length=120, allow_blank=True, required=False, default="")


@extend_schema(tags=["agency"])
class ClosureListView(ProjectsAPIView):
    """Days the whole agency is closed; plans skip them. Owners and coordinators add them."""

    queryset = AgencyClosure.objects.none()
    serializer_class = ClosureSerializer
    permission_map = {"GET": is_agency_member, "POST": can_plan_projects}

    @extend_schema(
        operation_id="closures_list",
        summary="List the agency's closures",
        responses={200: ClosureSerializer(many=True)},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        return self.list_response(AgencyClosure.objects.order_by("date", "pk"), ClosureSerializer)

    @extend_schema(
        operation_id="closures_create",
        summary="Add a closure",
        request=ClosureSerializer,
        responses={201: ClosureSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        data = parse(ClosureSerializer, request)
        closure = services.closure_add(actor=request.membership, day=data["date"], name=data["name"])
        return self.render(closure, ClosureSerializer, status.HTTP_201_CREATED)


@extend_schema(tags=["agency"])
class ClosureDetailView(ProjectsAPIView):
    """Remove a closure: the agency works that day after all."""

    queryset = AgencyClosure.objects.none()
    serializer_class = ClosureSerializer
    permission_map = {"DELETE": can_plan_projects}

    @extend_schema(
        operation_id="closures_destroy",
        summary="Remove a closure",
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request: Request, agency_slug: str, closure_id: int) -> Response:
        closure = self.object_or_404(AgencyClosure.objects.all(), closure_id)
        services.closure_remove(actor=request.membership, closure=closure)
        return Response(status=status.HTTP_204_NO_CONTENT)
