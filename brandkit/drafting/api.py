"""REST endpoints of AI drafting under /api/v1/agencies/{agency_slug}/drafting-jobs/: start a job (kind and
inputs), list, retrieve with state, result and findings, cancel and retry.

A job, client, project or piece the caller may not see is a 404 like a missing one; roles are enforced by
the services (403). The stored prompt and response are shown to owners and coordinators only.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from agencyops.api.filters import ChoiceFilterField
from agencyops.api.permissions import team_reads_and_writes_by
from agencyops.api.views import FIELD_ERRORS, FORBIDDEN, NOT_FOUND, AgencyAPIView, parse
from agencyops.permissions import is_agency_member
from brandkit import selectors as brand_selectors
from brandkit.drafting import prompts, selectors, services
from brandkit.drafting.models import PEOPLE_KINDS, DraftingJob, JobKind, JobState
from brandkit.governance.types import CHANNELS
from brandkit.models import ContentPiece
from projects.models import CampaignGoal, Project

JOB_ID = OpenApiParameter("job_id", int, OpenApiParameter.PATH, description="The drafting job's id.")


class DraftingInputsSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=CHANNELS, required=False)
    goal = serializers.ChoiceField(choices=CampaignGoal.choices, required=False, allow_blank=True, default="")
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    count = serializers.IntegerField(required=False, min_value=1, max_value=services.MAX_COUNT)
    spacing_days = serializers.IntegerField(required=False, min_value=1, max_value=60)
    variant_of = serializers.ChoiceField(choices=list(prompts.VARIANT_OF), required=False)
    instructions = serializers.CharField(
        required=False, allow_blank=True, max_length=services.MAX_INSTRUCTIONS
    )
    examples = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=10_000),
        required=False,
        max_length=prompts.MAX_EXAMPLES,
        help_text="Positions of the brand layer's example assets to follow.",
    )


class DraftingJobCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PEOPLE_KINDS)
    client = serializers.IntegerField(required=False, help_text="The client to draft for (first drafts).")
    project = serializers.IntegerField(required=False, help_text="The project whose brief to use.")
    piece = serializers.IntegerField(required=False, help_text="The content piece to start from.")
    inputs = DraftingInputsSerializer(required=False)


class FindingOutSerializer(serializers.Serializer):
    key = serializers.CharField()
    check = serializers.CharField()
    severity = serializers.CharField(help_text="error, warning or suggestion")
    field = serializers.CharField()
    excerpt = serializers.CharField()
    message = serializers.CharField()
    suggestion = serializers.CharField()


class DraftingOutputSerializer(serializers.Serializer):
    piece = serializers.IntegerField(required=False, help_text="The content piece written (or pre-edited).")
    title = serializers.CharField(required=False)
    version = serializers.IntegerField(required=False)
    body = serializers.CharField(required=False, help_text="A pre-edit's proposed text.")
    expanded_brief = serializers.IntegerField(required=False, help_text="The expanded brief's version.")
    findings = FindingOutSerializer(many=True, required=False)


class MessageSerializer(serializers.Serializer):
    role = serializers.CharField()
    content = serializers.CharField()


class DraftingJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=JobKind.choices)
    state = serializers.ChoiceField(choices=JobState.choices)
    client = serializers.IntegerField(source="client_id")
    client_name = serializers.CharField(source="client.name")
    project = serializers.IntegerField(source="project_id", allow_null=True)
    source_piece = serializers.IntegerField(source="source_piece_id", allow_null=True)
    provider = serializers.CharField(help_text="“offline drafter” or the model's name.")
    attempts = serializers.IntegerField()
    error = serializers.CharField()
    estimated_tokens = serializers.IntegerField()
    prompt_tokens = serializers.IntegerField()
    completion_tokens = serializers.IntegerField()
    cost = serializers.DecimalField(max_digits=12, decimal_places=6)
    requested_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_requested_by(self, job: DraftingJob) -> str:
        return job.requested_by.user.full_name if job.requested_by else ""


class DraftingJobDetailSerializer(DraftingJobSerializer):
    inputs = serializers.DictField(help_text="What was asked, with the source texts as they were.")
    brand_version = serializers.IntegerField(source="brand_version.number", allow_null=True, default=None)
    outputs = serializers.SerializerMethodField()
    messages = serializers.SerializerMethodField(
        help_text="The exact messages sent (owners and coordinators)."
    )
    response = serializers.SerializerMethodField(help_text="The response received (owners and coordinators).")

    @extend_schema_field(DraftingOutputSerializer(many=True))
    def get_outputs(self, job: DraftingJob) -> list[dict[str, Any]]:
        result = getattr(job, "result", None) if job.state == JobState.SUCCEEDED else None
        return list(result.outputs) if result else []

    def _coordinator(self) -> bool:
        return self.context["request"].membership.is_coordinator_or_owner

    @extend_schema_field(MessageSerializer(many=True, allow_null=True))
    def get_messages(self, job: DraftingJob) -> list[dict[str, str]] | None:
        return job.messages if self._coordinator() else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_response(self, job: DraftingJob) -> str | None:
        return job.response if self._coordinator() else None


class DraftingAPIView(AgencyAPIView):
    permission_map: Any = team_reads_and_writes_by(is_agency_member)

    def job_or_404(self, job_id: int) -> DraftingJob:
        job = selectors.drafting_job_for(self.request.membership, job_id)
        if job is None:
            raise exceptions.NotFound()
        return job


def _lookup(queryset: Any, pk: int | None, field: str, errors: dict[str, list[str]]) -> Any:
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        errors[field] = [f"No such {field} among the clients you work with."]
    return found


class DraftingJobFilterSerializer(serializers.Serializer):
    state = ChoiceFilterField(choices=JobState.values, message="Use one of {allowed}.")
    kind = ChoiceFilterField(choices=JobKind.values, message="Use one of {allowed}.")


@extend_schema(tags=["drafting"])
class DraftingJobListView(DraftingAPIView):
    """The agency's drafting jobs; anyone on the team starts one."""

    queryset = DraftingJob.objects.none()
    serializer_class = DraftingJobSerializer
    filter_serializer_class = DraftingJobFilterSerializer

    @extend_schema(
        operation_id="drafting_job_list",
        summary="List drafting jobs",
        responses={200: DraftingJobSerializer(many=True), 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        jobs = selectors.drafting_jobs(
            request.membership, state=self.filters.get("state", ""), kind=self.filters.get("kind", "")
        )
        return self.list_response(jobs, DraftingJobSerializer)

    @extend_schema(
        operation_id="drafting_job_create",
        summary="Start a drafting job",
        description="Queued at once and run by a worker; poll the job for its state. A job that would pass "
        "the agency's monthly token budget is refused (400, field `budget`, with the figures).",
        request=DraftingJobCreateSerializer,
        responses={201: DraftingJobDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        data = parse(DraftingJobCreateSerializer, request)
        errors: dict[str, list[str]] = {}
        visible = brand_selectors.clients_with_brand_access(request.membership)
        client = _lookup(visible, data.get("client"), "client", errors)
        project = _lookup(Project.objects.filter(client__in=visible), data.get("project"), "project", errors)
        piece = _lookup(ContentPiece.objects.filter(client__in=visible), data.get("piece"), "piece", errors)
        if errors:
            raise exceptions.ValidationError(errors)
        job = services.drafting_job_create(
            actor=request.membership,
            kind=data["kind"],
            inputs=dict(data.get("inputs") or {}),
            client=client,
            project=project,
            piece=piece,
        )
        return self.render(self.job_or_404(job.pk), DraftingJobDetailSerializer, status.HTTP_201_CREATED)


@extend_schema(tags=["drafting"], parameters=[JOB_ID])
class DraftingJobDetailView(DraftingAPIView):
    """One job: state, result, findings; the stored prompt for owners and coordinators."""

    queryset = DraftingJob.objects.none()
    serializer_class = DraftingJobDetailSerializer

    @extend_schema(operation_id="drafting_job_retrieve", summary="Get a drafting job",
                   responses={200: DraftingJobDetailSerializer, 404: NOT_FOUND})  # fmt: skip
    def get(self, request: Request, agency_slug: str, job_id: int) -> Response:
        return self.render(self.job_or_404(job_id), DraftingJobDetailSerializer)


@extend_schema(tags=["drafting"], parameters=[JOB_ID], request=None)
class DraftingJobCancelView(DraftingAPIView):
    queryset = DraftingJob.objects.none()
    serializer_class = DraftingJobDetailSerializer

    @extend_schema(operation_id="drafting_job_cancel", summary="Cancel a drafting job",
                   responses={200: DraftingJobDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND})  # fmt: skip
    def post(self, request: Request, agency_slug: str, job_id: int) -> Response:
        job = services.drafting_job_cancel(actor=request.membership, job=self.job_or_404(job_id))
        return self.render(self.job_or_404(job.pk), DraftingJobDetailSerializer)


@extend_schema(tags=["drafting"], parameters=[JOB_ID], request=None)
class DraftingJobRetryView(DraftingAPIView):
    queryset = DraftingJob.objects.none()
    serializer_class = DraftingJobDetailSerializer

    @extend_schema(operation_id="drafting_job_retry", summary="Retry a failed or cancelled drafting job",
                   responses={200: DraftingJobDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND})  # fmt: skip
    def post(self, request: Request, agency_slug: str, job_id: int) -> Response:
        job = services.drafting_job_retry(actor=request.membership, job=self.job_or_404(job_id))
        return self.render(self.job_or_404(job.pk), DraftingJobDetailSerializer)
