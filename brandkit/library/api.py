"""REST endpoints of the library, under /api/v1/agencies/{agency_slug}/library/, and the portal's brand files.

Views parse with an input serializer, call brandkit.library.services or .selectors and render with an output
serializer. Another agency's item, version or download is a 404 with the same body as a missing one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from agencyops.api.permissions import team_reads_and_writes_by
from agencyops.api.views import FIELD_ERRORS, FORBIDDEN, NOT_FOUND, AgencyAPIView, parse
from agencyops.models import Client
from agencyops.permissions import is_agency_member
from approvals.portal_api import PortalAPIView
from brandkit.library import selectors, services
from brandkit.library.models import ItemKind, LibraryItem, LibraryVersion
from brandkit.library.views import stream_version

FILE_RESPONSE = OpenApiResponse(
    OpenApiTypes.BINARY, description="The file itself (or a redirect for a link)."
)


class LibraryVersionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    original_name = serializers.CharField()
    url = serializers.CharField(help_text="The link, for a link version; empty for a file.")
    file_kind = serializers.CharField()
    content_type = serializers.CharField()
    size_bytes = serializers.IntegerField()
    sha256 = serializers.CharField()
    pages = serializers.IntegerField()
    extraction_state = serializers.CharField()
    extraction_note = serializers.CharField()
    notes = serializers.CharField()
    client_visible = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, version: LibraryVersion) -> str:
        slug = self.context["request"].agency.slug
        return reverse("api_library_version_download", args=[slug, version.item_id, version.pk])


class LibraryItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    client = serializers.IntegerField(source="client_id", allow_null=True)
    client_name = serializers.SerializerMethodField()
    tags = serializers.ListField(child=serializers.CharField())
    description = serializers.CharField()
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    project = serializers.IntegerField(source="project_id", allow_null=True)
    approval_request = serializers.IntegerField(source="approval_request_id", allow_null=True)
    client_visible = serializers.BooleanField()
    deleted_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    latest_version = LibraryVersionOutput(allow_null=True)

    def get_client_name(self, item: LibraryItem) -> str | None:
        return item.client.name if item.client_id else None


class LibrarySearchHitOutput(serializers.Serializer):
    item = LibraryItemOutput()
    rank = serializers.FloatField()
    snippet = serializers.CharField(
        help_text="HTML: the matching passage, escaped, with <mark> around the words."
    )


class LibrarySearchPageOutput(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = LibrarySearchHitOutput(many=True)


class LibraryFilterInput(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    client = serializers.IntegerField(required=False, min_value=1, max_value=2_147_483_647)
    agency_wide = serializers.BooleanField(required=False, default=False)
    kind = serializers.ChoiceField(choices=ItemKind.choices, required=False)
    tag = serializers.CharField(required=False, max_length=40)
    owner = serializers.IntegerField(required=False, min_value=1, max_value=2_147_483_647)
    project = serializers.IntegerField(required=False, min_value=1, max_value=2_147_483_647)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)
    deleted = serializers.BooleanField(required=False, default=False)
    page = serializers.IntegerField(required=False, min_value=1, max_value=selectors.MAX_PAGE, default=1)


class LibraryItemCreateInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ItemKind.choices, default=ItemKind.OTHER)
    client = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2_147_483_647)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    file = serializers.FileField(required=False)
    url = serializers.URLField(required=False, allow_blank=True, max_length=1000)
    allow_duplicate = serializers.BooleanField(required=False, default=False)


class LibraryItemUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=ItemKind.choices, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    client_visible = serializers.BooleanField(required=False)


class LibraryVersionCreateInput(serializers.Serializer):
    file = serializers.FileField(required=False)
    url = serializers.URLField(required=False, allow_blank=True, max_length=1000)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    allow_duplicate = serializers.BooleanField(required=False, default=False)


def _as_api_error(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(error.message_dict)
    return exceptions.ValidationError({"detail": error.messages})


class LibraryAPIView(AgencyAPIView):
    # Everyone on the team files and replaces items; the services hold the lead-only actions.
    permission_map: Any = team_reads_and_writes_by(is_agency_member)
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    queryset = LibraryItem.objects.none()

    def item_or_404(self, item_id: int, *, include_deleted: bool = False) -> LibraryItem:
        item = selectors.library_item_detail(
            viewer=self.request.membership, item_id=item_id, include_deleted=include_deleted
        )
        if item is None:
            raise Http404
        return item


class LibraryListView(LibraryAPIView):
    """Search and list the library; file a new item with its first file or link."""

    serializer_class = LibraryItemOutput
    filter_serializer_class = LibraryFilterInput

    @extend_schema(
        operation_id="library_search",
        summary="Search the library",
        description="`q` is searched in titles (highest weight), tags and the text inside files; "
        '"quoted phrases", OR and -excluded words work as in a search engine. Ranked when `q` is given, '
        "newest first otherwise; 25 a page.",
        responses={200: LibrarySearchPageOutput, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        data = self.filters
        filters = selectors.LibraryFilters(
            q=data.get("q", ""),
            client_id=data.get("client"),
            agency_wide=data["agency_wide"],
            kind=data.get("kind", ""),
            tag=data.get("tag", ""),
            owner_id=data.get("owner"),
            project_id=data.get("project"),
            since=data.get("since"),
            until=data.get("until"),
            deleted=data["deleted"],
            page=data["page"],
        )
        page = selectors.library_search(viewer=request.membership, filters=filters)
        body = {"count": page.total, "page": page.page, "pages": page.pages, "results": page.hits}
        return Response(LibrarySearchPageOutput(body, context=self.get_serializer_context()).data)

    @extend_schema(
        operation_id="library_create",
        summary="File an item",
        description="Multipart with `file`, or JSON/form with `url` for a link. A file already in the library "
        "is refused (400, `file`) unless `allow_duplicate` is true.",
        request={"multipart/form-data": LibraryItemCreateInput, "application/json": LibraryItemCreateInput},
        responses={201: LibraryItemOutput, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        data = parse(LibraryItemCreateInput, request)
        client = None
        if data.get("client"):
            client = Client.objects.filter(pk=data["client"]).first()
            if client is None:
                raise exceptions.ValidationError({"client": ["Choose one of your clients."]})
        try:
            item = services.library_item_create(
                actor=request.membership,
                title=data["title"],
                kind=data["kind"],
                client=client,
                tags=data.get("tags", []),
                description=data.get("description", ""),
                upload=data.get("file"),
                url=data.get("url", ""),
                allow_duplicate=data["allow_duplicate"],
            )
        except DjangoValidationError as error:
            raise _as_api_error(error) from None
        return self.render(self.item_or_404(item.pk), LibraryItemOutput, status.HTTP_201_CREATED)


class LibraryItemView(LibraryAPIView):
    """One item: read it, change it (title, kind, tags, sharing), or move it to the bin."""

    serializer_class = LibraryItemOutput

    @extend_schema(
        operation_id="library_retrieve",
        summary="Get a library item",
        responses={200: LibraryItemOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        return self.render(self.item_or_404(pk, include_deleted=True), LibraryItemOutput)

    @extend_schema(
        operation_id="library_update",
        summary="Change a library item",
        request=LibraryItemUpdateInput,
        responses={200: LibraryItemOutput, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, agency_slug: str, pk: int) -> Response:
        item = self.item_or_404(pk)
        data = parse(LibraryItemUpdateInput, request)
        try:
            if {"title", "kind", "tags", "description"} & data.keys():
                services.library_item_update(
                    actor=request.membership,
                    item=item,
                    title=data.get("title", item.title),
                    kind=data.get("kind", item.kind),
                    tags=data.get("tags", item.tags),
                    description=data.get("description", item.description),
                )
            if "client_visible" in data:
                services.library_item_share(
                    actor=request.membership, item=item, visible=data["client_visible"]
                )
        except DjangoValidationError as error:
            raise _as_api_error(error) from None
        return self.render(self.item_or_404(pk), LibraryItemOutput)

    @extend_schema(
        operation_id="library_delete",
        summary="Move a library item to the bin",
        description="Restorable for LIBRARY_RESTORE_DAYS days, then purged with its files.",
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request: Request, agency_slug: str, pk: int) -> Response:
        services.library_item_delete(actor=request.membership, item=self.item_or_404(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LibraryVersionListView(LibraryAPIView):
    """An item's versions, newest first; add a new latest version."""

    pagination_class = None  # an item has few versions: the whole list, never a page

    serializer_class = LibraryVersionOutput

    @extend_schema(
        operation_id="library_versions_list",
        summary="List an item's versions",
        responses={200: LibraryVersionOutput(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        item = self.item_or_404(pk, include_deleted=True)
        return Response(
            LibraryVersionOutput(item.version_list, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        operation_id="library_versions_create",
        summary="Replace an item with a new version",
        request={
            "multipart/form-data": LibraryVersionCreateInput,
            "application/json": LibraryVersionCreateInput,
        },
        responses={201: LibraryVersionOutput, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        item = self.item_or_404(pk)
        data = parse(LibraryVersionCreateInput, request)
        try:
            version = services.library_version_add(
                actor=request.membership,
                item=item,
                upload=data.get("file"),
                url=data.get("url", ""),
                notes=data.get("notes", ""),
                allow_duplicate=data["allow_duplicate"],
            )
        except DjangoValidationError as error:
            raise _as_api_error(error) from None
        return self.render(version, LibraryVersionOutput, status.HTTP_201_CREATED)


class LibraryVersionDownloadView(LibraryAPIView):
    """A version's file, streamed after the tenant check (attachments for SVG and HTML)."""

    @extend_schema(
        operation_id="library_version_download",
        summary="Download a version",
        responses={(200, "application/octet-stream"): FILE_RESPONSE, 302: FILE_RESPONSE, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int, library_version_id: int) -> HttpResponse:
        version = selectors.library_version_for(
            viewer=request.membership, item_id=pk, library_version_id=library_version_id
        )
        if version is None:
            raise Http404
        return stream_version(version)


# --- Portal ----------------------------------------------------------------------------------------


class SharedBrandFileOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    description = serializers.CharField()
    version = serializers.IntegerField(source="shared_version.number")
    original_name = serializers.CharField(source="shared_version.original_name")
    url = serializers.CharField(source="shared_version.url")
    size_bytes = serializers.IntegerField(source="shared_version.size_bytes")
    updated_at = serializers.DateTimeField(source="shared_version.created_at")
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, item: Any) -> str:
        return reverse("api_portal_brand_file_download", args=[self.context["request"].agency.slug, item.pk])


class PortalBrandFileListView(PortalAPIView):
    """What the agency shares with the caller's client: latest shared version of each file."""

    pagination_class = None  # the shared brand kit is short: the whole list, never a page

    serializer_class = SharedBrandFileOutput

    @extend_schema(
        operation_id="portal_brand_files_list",
        summary="List shared brand files",
        responses={200: SharedBrandFileOutput(many=True), 404: NOT_FOUND},
        parameters=[OpenApiParameter("agency_slug", str, OpenApiParameter.PATH)],
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        items = selectors.shared_brand_files(contact=request.contact)
        return Response(SharedBrandFileOutput(items, many=True, context=self.get_serializer_context()).data)


class PortalBrandFileDownloadView(PortalAPIView):
    @extend_schema(
        operation_id="portal_brand_file_download",
        summary="Download a shared brand file",
        responses={(200, "application/octet-stream"): FILE_RESPONSE, 302: FILE_RESPONSE, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> HttpResponse:
        item = selectors.shared_brand_file(contact=request.contact, item_id=pk)
        if item is None:
            raise Http404
        return stream_version(item.shared_version)
