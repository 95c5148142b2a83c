"""REST endpoints for the conversation on a task: comments (with @mentions) and attachments.

Mounted under /api/v1/agencies/{agency_slug}/ by projects/api_urls.py. Every member of the agency may read
and write here, as on the task page; another agency's task or attachment is a 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from agencyops.api.views import FIELD_ERRORS, NOT_FOUND, parse
from agencyops.permissions import is_agency_member
from projects import services
from projects.api import ProjectsAPIView
from projects.models import Task, TaskAttachment, TaskComment
from projects.services.conversation import MAX_COMMENT_CHARS, MAX_FILES_PER_COMMENT
from projects.views.conversation import attachment_response


class TaskAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="original_name", read_only=True)
    kind = serializers.ChoiceField(choices=["image", "pdf"], read_only=True)
    size = serializers.IntegerField(read_only=True, help_text="Bytes.")
    comment = serializers.IntegerField(source="comment_id", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    file_url = serializers.SerializerMethodField(help_text="The file, for the same token.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_file_url(self, attachment: TaskAttachment) -> str:
        request = self.context["request"]
        path = reverse(
            "api_task_attachment_file",
            kwargs={
                "agency_slug": request.agency.slug,
                "pk": attachment.task_id,
                "task_attachment_id": attachment.pk,
            },
        )
        return request.build_absolute_uri(path)


class TaskCommentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    author = serializers.IntegerField(source="author_id", read_only=True, allow_null=True)
    author_name = serializers.SerializerMethodField()
    body = serializers.CharField(read_only=True, help_text="Markdown, as written.")
    mentioned = serializers.SerializerMethodField(
        help_text="Membership ids of the team members it @mentions."
    )
    attachments = TaskAttachmentSerializer(many=True, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def get_author_name(self, comment: TaskComment) -> str:
        return comment.author.user.full_name if comment.author else ""

    def get_mentioned(self, comment: TaskComment) -> list[int]:
        return sorted(member.pk for member in comment.mentioned.all())


class TaskCommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_COMMENT_CHARS, allow_blank=True, required=False, default="")
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=MAX_FILES_PER_COMMENT
    )


class TaskAttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A PNG, JPEG, GIF or WebP image, or a PDF.")


def _comments(task: Task):
    return (
        TaskComment.objects.filter(task=task)
        .select_related("author__user")
        .prefetch_related("attachments", "mentioned")
        .order_by("created_at", "pk")
    )


def _file_errors(error: DjangoValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


@extend_schema(tags=["tasks"])
class TaskCommentListView(ProjectsAPIView):
    """What the team said on a task, oldest first; anyone on the team adds to it."""

    queryset = Task.objects.none()
    serializer_class = TaskCommentSerializer
    permission_map = {"GET": is_agency_member, "POST": is_agency_member}
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="task_comments_list",
        summary="List a task's comments",
        responses={200: TaskCommentSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        return self.list_response(_comments(self.task_or_404(pk)), TaskCommentSerializer)

    @extend_schema(
        operation_id="task_comments_create",
        summary="Comment on a task",
        description="Markdown `body`; `@handle` (the part of a team member's email before the @) notifies "
        f"them. Send multipart/form-data with up to {MAX_FILES_PER_COMMENT} `files` (images or PDFs, "
        "checked by their content) to attach them.",
        request={
            "application/json": TaskCommentInputSerializer,
            "multipart/form-data": TaskCommentInputSerializer,
        },
        responses={201: TaskCommentSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        task = self.task_or_404(pk)
        data = parse(TaskCommentInputSerializer, request)
        try:
            comment = services.task_comment_add(
                actor=request.membership, task=task, body=data["body"], files=data["files"]
            )
        except DjangoValidationError as error:
            raise _file_errors(error) from None
        return self.render(_comments(task).get(pk=comment.pk), TaskCommentSerializer, status.HTTP_201_CREATED)


@extend_schema(tags=["tasks"])
class TaskAttachmentListView(ProjectsAPIView):
    """The files shared on a task, oldest first; uploading one adds it to the conversation."""

    queryset = Task.objects.none()
    serializer_class = TaskAttachmentSerializer
    permission_map = {"GET": is_agency_member, "POST": is_agency_member}
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="task_attachments_list",
        summary="List a task's attachments",
        responses={200: TaskAttachmentSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        task = self.task_or_404(pk)
        return self.list_response(
            TaskAttachment.objects.filter(task=task).order_by("pk"), TaskAttachmentSerializer
        )

    @extend_schema(
        operation_id="task_attachments_create",
        summary="Attach a file to a task",
        description="multipart/form-data with `file`: an image or PDF, checked by its content and size. It "
        "appears in the task's conversation as a comment without words.",
        request={"multipart/form-data": TaskAttachmentInputSerializer},
        responses={201: TaskAttachmentSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        task = self.task_or_404(pk)
        data = parse(TaskAttachmentInputSerializer, request)
        try:
            comment = services.task_comment_add(
                actor=request.membership, task=task, body="", files=[data["file"]]
            )
        except DjangoValidationError as error:
            raise _file_errors(error) from None
        return self.render(comment.attachments.get(), TaskAttachmentSerializer, status.HTTP_201_CREATED)


@extend_schema(tags=["tasks"])
class TaskAttachmentFileView(ProjectsAPIView):
    """The bytes of a file shared on a task, for API clients (the same token, no login page)."""

    queryset = Task.objects.none()
    permission_map = {"GET": is_agency_member}

    @extend_schema(
        operation_id="task_attachment_file",
        summary="Download a task attachment",
        responses={
            (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The image."),
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, agency_slug: str, pk: int, task_attachment_id: int) -> Any:
        task = self.task_or_404(pk)
        attachment = self.object_or_404(TaskAttachment.objects.filter(task=task), task_attachment_id)
        response: FileResponse = attachment_response(attachment)
        return response
