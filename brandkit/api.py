"""REST endpoints of the brandkit layer: a client's brand layer (read, update, versions, compare, export
and import as JSON or a Vale style), content pieces (create, list, versions, findings, transitions) and
checking arbitrary text against a brand layer without saving.

Mounted under /api/v1/agencies/{agency_slug}/ (see brandkit/api_urls.py). A client the caller may not
see (another agency's, or one a restricted member is not on) is a 404 like a missing one; roles are
enforced by the services (403).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from agencyops.api.fields import MAX_DB_ID
from agencyops.api.filters import ChoiceFilterField, IdFilterField
from agencyops.api.permissions import team_reads_and_writes_by
from agencyops.api.views import FIELD_ERRORS, FORBIDDEN, NOT_FOUND, AgencyAPIView, parse
from agencyops.models import Client, ClientContact
from agencyops.permissions import is_agency_member
from brandkit import selectors, services
from brandkit.exports import brand_export_json, brand_export_vale_zip
from brandkit.findings import TEXT_FIELDS, can_accept
from brandkit.governance.types import CHANNELS
from brandkit.models import BrandLayerVersion, ContentPiece, ContentState
from brandkit.services.content import MAX_BODY
from projects.models import CampaignGoal, Project, Task

TOO_LARGE = OpenApiResponse(OpenApiTypes.OBJECT, description="The text is longer than 100,000 characters.")
CLIENT_ID = OpenApiParameter("client_id", int, OpenApiParameter.PATH, description="The client's id.")
PIECE_ID = OpenApiParameter("piece_id", int, OpenApiParameter.PATH, description="The content piece's id.")


# --- Serializers -----------------------------------------------------------------------------------


class BrandVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    changed = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField()
    created_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_created_by(self, version: BrandLayerVersion) -> str:
        return version.created_by.user.full_name if version.created_by else ""


class BrandLayerSerializer(serializers.Serializer):
    client = serializers.IntegerField(source="client_id")
    version = BrandVersionSerializer(allow_null=True)
    content = serializers.DictField(
        help_text="The brand layer document (see the README's brand layer section)."
    )


class BrandUpdateSerializer(serializers.Serializer):
    content = serializers.DictField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class FieldChangeSerializer(serializers.Serializer):
    section = serializers.CharField()
    label = serializers.CharField()
    before = serializers.JSONField()
    after = serializers.JSONField()


class CompareSerializer(serializers.Serializer):
    a = serializers.IntegerField()
    b = serializers.IntegerField()
    changes = FieldChangeSerializer(many=True)


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()


class ValeExportSerializer(serializers.Serializer):
    filename = serializers.CharField(help_text="The zip's file name when downloaded.")
    files = serializers.DictField(child=serializers.CharField(), help_text="Each file's path and text.")


class ValeImportResultSerializer(serializers.Serializer):
    version = BrandVersionSerializer()
    unsupported = serializers.ListField(
        child=serializers.CharField(), help_text="Rules of kinds the checker does not run, by file."
    )


class FindingSerializer(serializers.Serializer):
    key = serializers.CharField()
    check = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning", "suggestion"])
    field = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    excerpt = serializers.CharField()
    message = serializers.CharField()
    suggestion = serializers.CharField()
    question = serializers.IntegerField(help_text="1..8: which pre-review question it answers.")
    dismissed = serializers.BooleanField()
    can_accept = serializers.BooleanField()


class ContentVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    headline = serializers.CharField()
    subject = serializers.CharField()
    preheader = serializers.CharField()
    body = serializers.CharField()
    brand_version = serializers.IntegerField(source="brand_version.number", allow_null=True, default=None)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class ContentPieceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client = serializers.IntegerField(source="client_id")
    client_name = serializers.CharField(source="client.name")
    project = serializers.IntegerField(source="project_id", allow_null=True)
    title = serializers.CharField()
    channel = serializers.ChoiceField(choices=CHANNELS)
    goal = serializers.CharField()
    state = serializers.ChoiceField(choices=ContentState.choices, source="effective_state")
    approval_request = serializers.IntegerField(source="approval_request_id", allow_null=True)
    updated_at = serializers.DateTimeField()


class ContentPieceDetailSerializer(ContentPieceSerializer):
    latest = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()

    @extend_schema_field(ContentVersionSerializer)
    def get_latest(self, piece: ContentPiece) -> dict[str, Any]:
        return ContentVersionSerializer(selectors.latest_version(piece)).data

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, piece: ContentPiece) -> list[dict[str, Any]]:
        return findings_out(piece)


class ContentCreateSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    project = serializers.IntegerField(required=False, allow_null=True)
    task = serializers.IntegerField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    channel = serializers.ChoiceField(choices=CHANNELS)
    goal = serializers.ChoiceField(choices=CampaignGoal.choices, required=False, allow_blank=True, default="")
    body = serializers.CharField(max_length=MAX_BODY)
    subject = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    preheader = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    headline = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ContentEditSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_BODY)
    subject = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    preheader = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    headline = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class TransitionSerializer(serializers.Serializer):
    to_state = serializers.ChoiceField(choices=ContentState.choices)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    final_approver = serializers.IntegerField(
        required=False, allow_null=True, help_text="For sent_for_approval: a contact at the client."
    )


class FindingActionSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=64)
    action = serializers.ChoiceField(choices=["accept", "dismiss"])
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class CheckSerializer(serializers.Serializer):
    client = serializers.IntegerField()
    channel = serializers.ChoiceField(choices=CHANNELS)
    goal = serializers.ChoiceField(choices=CampaignGoal.choices, required=False, allow_blank=True, default="")
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)
    subject = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    preheader = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    headline = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class CheckResultSerializer(serializers.Serializer):
    brand_version = serializers.IntegerField(allow_null=True)
    findings = FindingSerializer(many=True)


def findings_out(piece: ContentPiece, *, staff: bool = True) -> list[dict[str, Any]]:
    dismissed = selectors.dismissed_keys(piece)
    return [
        {**record, "dismissed": record["key"] in dismissed, "can_accept": can_accept(record)}
        for record in selectors.latest_version(piece).findings
        if staff or not record["staff_only"]
    ]


class ZipRenderer(BaseRenderer):
    """Lets a caller ask for the Vale style as a zip (``Accept: application/zip``); refusals stay JSON text."""

    media_type = "application/zip"
    format = "zip"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return data if isinstance(data, bytes) else json.dumps(data).encode()


# --- Base ------------------------------------------------------------------------------------------


class BrandAPIView(AgencyAPIView):
    """Any member may call; the services refuse roles (403) and the selectors hide clients (404)."""

    permission_map: Any = team_reads_and_writes_by(is_agency_member)

    def client_or_404(self, client_id: int) -> Client:
        client = selectors.client_for_brand(self.request.membership, client_id)
        if client is None:
            raise exceptions.NotFound()
        return client

    def piece_or_404(self, piece_id: int) -> ContentPiece:
        piece = selectors.content_piece_for(self.request.membership, piece_id)
        if piece is None:
            raise exceptions.NotFound()
        return piece


def _layer_out(client: Client, version: BrandLayerVersion | None) -> dict[str, Any]:
    return {"client_id": client.pk, "version": version, "content": selectors.brand_layer_document(version)}


def _version_number(description: str) -> serializers.IntegerField:
    """A brand layer version's number in a query string."""
    message = "A version number, a whole number."
    return serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_DB_ID,
        help_text=description,
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


class BrandVersionFilterSerializer(serializers.Serializer):
    version = _version_number("An older version's number.")


class BrandCompareFilterSerializer(serializers.Serializer):
    a = _version_number("The older version's number.")
    b = _version_number("The newer version's number.")


class ContentFilterSerializer(serializers.Serializer):
    client = IdFilterField(what="client", help_text="Only this client's pieces.")
    state = ChoiceFilterField(choices=ContentState.values, message="Use one of {allowed}.")
    channel = ChoiceFilterField(choices=[c for c, _ in CHANNELS], message="Use one of {allowed}.")


# --- Brand layer -----------------------------------------------------------------------------------


@extend_schema(tags=["brand"], parameters=[CLIENT_ID])
class BrandLayerView(BrandAPIView):
    """A client's brand layer: the latest version (or ?version=N), and saving a new one."""

    queryset = Client.objects.none()
    serializer_class = BrandLayerSerializer
    filter_serializer_class = BrandVersionFilterSerializer

    @extend_schema(
        operation_id="brand_retrieve",
        summary="Get a client's brand layer",
        responses={200: BrandLayerSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, client_id: int) -> Response:
        client = self.client_or_404(client_id)
        number = self.filters.get("version")
        version = selectors.brand_version(client, number) if number else selectors.brand_layer_latest(client)
        if number and version is None:
            raise exceptions.NotFound()
        return self.render(_layer_out(client, version), BrandLayerSerializer)

    @extend_schema(
        operation_id="brand_update",
        summary="Save the brand layer as a new version",
        description="The whole document; every save that changes something is a new version.",
        request=BrandUpdateSerializer,
        responses={200: BrandLayerSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def put(self, request: Request, agency_slug: str, client_id: int) -> Response:
        client = self.client_or_404(client_id)
        data = parse(BrandUpdateSerializer, request)
        version = services.brand_layer_save(
            actor=request.membership, client=client, content=data["content"], note=data["note"]
        )
        return self.render(_layer_out(client, version), BrandLayerSerializer)


class BrandFileSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The library item's id.")
    title = serializers.CharField()
    kind = serializers.CharField()
    latest_version = serializers.IntegerField(source="latest_version.number", help_text="Its number.")


class BrandClaimProofSerializer(serializers.Serializer):
    claim = serializers.CharField()
    items = BrandFileSerializer(many=True)


class BrandFilesSerializer(serializers.Serializer):
    examples = BrandFileSerializer(many=True, help_text="Library files that sound right.")
    proofs = BrandClaimProofSerializer(many=True, help_text="The files that prove each approved claim.")


class BrandClaimProofInputSerializer(serializers.Serializer):
    claim = serializers.CharField(max_length=500, help_text="An approved claim's text, as in the layer.")
    items = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=10)


class BrandFilesInputSerializer(serializers.Serializer):
    examples = serializers.ListField(
        child=serializers.IntegerField(min_value=1), max_length=20, required=False, default=list,
        help_text="Ids of the client's library items that are example assets.",
    )  # fmt: skip
    proofs = serializers.ListField(
        child=BrandClaimProofInputSerializer(), max_length=1000, required=False, default=list
    )


def _brand_files_out(client: Client) -> dict[str, Any]:
    chosen = selectors.brand_files_of(client)
    return {
        "examples": chosen.examples,
        "proofs": [{"claim": claim, "items": items} for claim, items in chosen.proofs.items()],
    }


@extend_schema(tags=["brand"], parameters=[CLIENT_ID])
class BrandFilesView(BrandAPIView):
    """The client's library files its brand layer points at: example assets and proof for approved claims."""

    queryset = Client.objects.none()
    serializer_class = BrandFilesSerializer

    @extend_schema(
        operation_id="brand_files_retrieve",
        summary="Get the library files of a client's brand layer",
        responses={200: BrandFilesSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, client_id: int) -> Response:
        return self.render(_brand_files_out(self.client_or_404(client_id)), BrandFilesSerializer)

    @extend_schema(
        operation_id="brand_files_update",
        summary="Choose the library files of a client's brand layer",
        description="Replaces the choice. Every id must be a live library item of this client (else 400).",
        request=BrandFilesInputSerializer,
        responses={200: BrandFilesSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def put(self, request: Request, agency_slug: str, client_id: int) -> Response:
        client = self.client_or_404(client_id)
        data = parse(BrandFilesInputSerializer, request)
        proofs: dict[str, list[int]] = {}
        for row in data["proofs"]:
            proofs.setdefault(row["claim"], []).extend(row["items"])
        services.brand_files_set(
            actor=request.membership, client=client, examples=data["examples"], proofs=proofs
        )
        return self.render(_brand_files_out(client), BrandFilesSerializer)


@extend_schema(tags=["brand"], parameters=[CLIENT_ID])
class BrandVersionListView(BrandAPIView):
    """Every version of a client's brand layer: who saved it, when and which sections changed."""

    queryset = Client.objects.none()
    serializer_class = BrandVersionSerializer

    @extend_schema(
        operation_id="brand_versions_list",
        summary="List brand layer versions",
        responses={200: BrandVersionSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, client_id: int) -> Response:
        return self.list_response(
            selectors.brand_versions(self.client_or_404(client_id)), BrandVersionSerializer
        )


@extend_schema(tags=["brand"], parameters=[CLIENT_ID])
class BrandCompareView(BrandAPIView):
    """Two versions side by side, section by section (default: the latest against the one before)."""

    queryset = Client.objects.none()
    serializer_class = CompareSerializer
    filter_serializer_class = BrandCompareFilterSerializer

    @extend_schema(
        operation_id="brand_compare",
        summary="Compare two brand layer versions",
        responses={200: CompareSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, client_id: int) -> Response:
        client = self.client_or_404(client_id)
        a, b = self.filters.get("a"), self.filters.get("b")
        compare = selectors.brand_compare(client, a, b)
        if compare is None:
            raise exceptions.NotFound()
        return self.render(compare, CompareSerializer)


@extend_schema(tags=["brand"], parameters=[CLIENT_ID])
class BrandExportView(BrandAPIView):
    """The brand layer as a JSON file to keep or to import into another client."""

    queryset = Client.objects.none()

    @extend_schema(
        operation_id="brand_export_json",
        summary="Export the brand layer as JSON",
        responses={(200, "application/json"): OpenApiTypes.OBJECT, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, client_id: int) -> HttpResponse:
        client = self.client_or_404(client_id)
        return brand_export_json(client, selectors.brand_layer_latest(client))


@extend_schema(tags=["brand"], parameters=[CLIENT_ID])
class BrandImportView(BrandAPIView):
    """Replace the brand layer with an exported JSON file: all of it or nothing."""

    queryset = Client.objects.none()
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="brand_import_json",
        summary="Import a brand layer from JSON",
        description="A `file` (multipart) or the document itself as the JSON body. A refusal names the file, "
        "the line (for broken JSON) or the field; nothing is half-imported.",
        request={"multipart/form-data": ImportSerializer, "application/json": OpenApiTypes.OBJECT},
        responses={201: BrandLayerSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, client_id: int) -> Response:
        client = self.client_or_404(client_id)
        upload = request.FILES.get("file")
        if upload is not None:
            raw, filename = upload.read(services.brand.MAX_IMPORT_BYTES + 1), upload.name
        else:
            raw, filename = json.dumps(request.data).encode(), "request body"
        version = services.brand_layer_import_json(
            actor=request.membership, client=client, raw=raw, filename=filename
        )
        return self.render(_layer_out(client, version), BrandLayerSerializer, status.HTTP_201_CREATED)


@extend_schema(tags=["brand"], parameters=[CLIENT_ID])
class BrandValeView(BrandAPIView):
    """The layer's rules as a Vale style (zip), and importing a Vale style zip."""

    queryset = Client.objects.none()
    parser_classes = [MultiPartParser, FormParser]
    renderer_classes = [JSONRenderer, ZipRenderer]

    @extend_schema(
        operation_id="brand_export_vale",
        summary="Export the rules as a Vale style",
        description="The style's files as JSON (path → text); with `Accept: application/zip` the zip itself, "
        "ready to drop into a Vale `StylesPath`.",
        responses={
            (200, "application/json"): ValeExportSerializer,
            (200, "application/zip"): OpenApiTypes.BINARY,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, agency_slug: str, client_id: int) -> Any:
        client = self.client_or_404(client_id)
        response = brand_export_vale_zip(client, selectors.brand_layer_latest(client))
        if "application/zip" in request.META.get("HTTP_ACCEPT", ""):
            return response
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            files = {
                name: archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist()
            }
        filename = response["Content-Disposition"].split('filename="')[1].rstrip('"')
        return Response(ValeExportSerializer({"filename": filename, "files": files}).data)

    @extend_schema(
        operation_id="brand_import_vale",
        summary="Import a Vale style zip",
        description="YAML rules of the kinds existence, substitution, occurrence and metric plus accept.txt / "
        "reject.txt. Other kinds are listed in `unsupported`; a broken file refuses the whole zip with the "
        "file and line.",
        request={"multipart/form-data": ImportSerializer},
        responses={201: ValeImportResultSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, client_id: int) -> Response:
        client = self.client_or_404(client_id)
        upload = request.FILES.get("file")
        if upload is None:
            raise exceptions.ValidationError({"file": ["Attach the Vale style as a zip file."]})
        version, unsupported = services.brand_layer_import_vale(
            actor=request.membership,
            client=client,
            raw=upload.read(services.brand.MAX_IMPORT_BYTES + 1),
            filename=upload.name,
        )
        return self.render(
            {"version": version, "unsupported": unsupported},
            ValeImportResultSerializer,
            status.HTTP_201_CREATED,
        )


# --- Content pieces --------------------------------------------------------------------------------


def _lookup(queryset: Any, pk: int | None, field: str, message: str, errors: dict) -> Any:
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        errors[field] = [message]
    return found


@extend_schema(tags=["content"])
class ContentListView(BrandAPIView):
    """Content pieces of the clients the caller sees; anyone on the team writes a new one."""

    queryset = ContentPiece.objects.none()
    serializer_class = ContentPieceSerializer
    filter_serializer_class = ContentFilterSerializer

    @extend_schema(
        operation_id="content_list",
        summary="List content pieces",
        responses={200: ContentPieceSerializer(many=True), 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        pieces = selectors.content_pieces(
            request.membership,
            client_id=self.filters.get("client"),
            state=self.filters.get("state", ""),
            channel=self.filters.get("channel", ""),
        )
        return self.list_response(pieces, ContentPieceSerializer)

    @extend_schema(
        operation_id="content_create",
        summary="Write a content piece",
        description="The first version is checked against the client's latest brand layer on save.",
        request=ContentCreateSerializer,
        responses={201: ContentPieceDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        data = parse(ContentCreateSerializer, request)
        errors: dict[str, list[str]] = {}
        client = _lookup(
            selectors.clients_with_brand_access(request.membership), data["client"], "client",
            "Choose one of your clients.", errors,
        )  # fmt: skip
        project = _lookup(
            Project.objects.all(), data.get("project"), "project", "Choose one of your projects.", errors
        )
        task = _lookup(Task.objects.all(), data.get("task"), "task", "Choose a task of the project.", errors)
        if errors:
            raise exceptions.ValidationError(errors)
        piece = services.content_piece_create(
            actor=request.membership,
            client=client,
            project=project,
            task=task,
            **{k: data[k] for k in ("title", "channel", "goal", *TEXT_FIELDS)},
        )
        return self.render(self.piece_or_404(piece.pk), ContentPieceDetailSerializer, status.HTTP_201_CREATED)


@extend_schema(tags=["content"], parameters=[PIECE_ID])
class ContentDetailView(BrandAPIView):
    """One piece with its latest version and findings."""

    queryset = ContentPiece.objects.none()
    serializer_class = ContentPieceDetailSerializer

    @extend_schema(operation_id="content_retrieve", summary="Get a content piece",
                   responses={200: ContentPieceDetailSerializer, 404: NOT_FOUND})  # fmt: skip
    def get(self, request: Request, agency_slug: str, piece_id: int) -> Response:
        return self.render(self.piece_or_404(piece_id), ContentPieceDetailSerializer)


@extend_schema(tags=["content"], parameters=[PIECE_ID])
class ContentVersionListView(BrandAPIView):
    """A piece's versions, newest first; posting saves an edit as the next version (checked on save)."""

    queryset = ContentPiece.objects.none()
    serializer_class = ContentVersionSerializer

    @extend_schema(operation_id="content_versions_list", summary="List a piece's versions",
                   responses={200: ContentVersionSerializer(many=True), 404: NOT_FOUND})  # fmt: skip
    def get(self, request: Request, agency_slug: str, piece_id: int) -> Response:
        piece = self.piece_or_404(piece_id)
        return Response(ContentVersionSerializer(piece.versions.all(), many=True).data)

    @extend_schema(
        operation_id="content_versions_create",
        summary="Save an edit",
        request=ContentEditSerializer,
        responses={201: ContentPieceDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, piece_id: int) -> Response:
        piece = self.piece_or_404(piece_id)
        data = parse(ContentEditSerializer, request)
        services.content_piece_edit(actor=request.membership, piece=piece, **data)
        return self.render(self.piece_or_404(piece_id), ContentPieceDetailSerializer, status.HTTP_201_CREATED)


@extend_schema(tags=["content"], parameters=[PIECE_ID])
class ContentCheckView(BrandAPIView):
    """The findings of the piece's latest version; posting accepts a suggestion or dismisses a finding."""

    queryset = ContentPiece.objects.none()
    serializer_class = FindingSerializer

    @extend_schema(operation_id="content_check", summary="Get a piece's findings",
                   responses={200: FindingSerializer(many=True), 404: NOT_FOUND})  # fmt: skip
    def get(self, request: Request, agency_slug: str, piece_id: int) -> Response:
        return Response(FindingSerializer(findings_out(self.piece_or_404(piece_id)), many=True).data)

    @extend_schema(
        operation_id="content_finding_act",
        summary="Accept a suggestion or dismiss a finding",
        description="`accept` applies the suggestion and saves a new version; `dismiss` needs a `reason`.",
        request=FindingActionSerializer,
        responses={200: FindingSerializer(many=True), 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, piece_id: int) -> Response:
        piece = self.piece_or_404(piece_id)
        data = parse(FindingActionSerializer, request)
        if data["action"] == "accept":
            services.content_finding_accept(actor=request.membership, piece=piece, key=data["key"])
        else:
            services.content_finding_dismiss(
                actor=request.membership, piece=piece, key=data["key"], reason=data["reason"]
            )
        return Response(FindingSerializer(findings_out(self.piece_or_404(piece_id)), many=True).data)


@extend_schema(tags=["content"], parameters=[PIECE_ID])
class ContentTransitionView(BrandAPIView):
    """Move a piece: open errors stop ready_for_client unless a coordinator gives an override_reason;
    sent_for_approval creates (or continues) its approval request."""

    queryset = ContentPiece.objects.none()
    serializer_class = ContentPieceDetailSerializer

    @extend_schema(
        operation_id="content_transition",
        summary="Move a piece to another state",
        request=TransitionSerializer,
        responses={200: ContentPieceDetailSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, piece_id: int) -> Response:
        piece = self.piece_or_404(piece_id)
        data = parse(TransitionSerializer, request)
        if data["to_state"] == ContentState.SENT_FOR_APPROVAL:
            errors: dict[str, list[str]] = {}
            approver = _lookup(
                ClientContact.objects.filter(client=piece.client), data.get("final_approver"),
                "final_approver", "Choose a contact at this client.", errors,
            )  # fmt: skip
            if errors:
                raise exceptions.ValidationError(errors)
            services.content_piece_send_for_approval(
                actor=request.membership, piece=piece, final_approver=approver
            )
        else:
            services.content_piece_transition(
                actor=request.membership,
                piece=piece,
                to_state=data["to_state"],
                override_reason=data["override_reason"],
            )
        return self.render(self.piece_or_404(piece_id), ContentPieceDetailSerializer)


@extend_schema(tags=["content"])
class CheckTextView(BrandAPIView):
    """Check any text against a client's brand layer without saving: for editors and browser extensions."""

    queryset = Client.objects.none()
    serializer_class = CheckResultSerializer

    @extend_schema(
        operation_id="check_text",
        summary="Check text against a brand layer",
        description="Up to 100,000 characters of body; longer text is refused with 413.",
        request=CheckSerializer,
        responses={200: CheckResultSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND, 413: TOO_LARGE},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        body = request.data.get("body") if hasattr(request.data, "get") else None
        if isinstance(body, str) and len(body) > MAX_BODY:
            return Response(
                {"detail": f"The text is {len(body):,} characters; check at most {MAX_BODY:,} at once."},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        data = parse(CheckSerializer, request)
        errors: dict[str, list[str]] = {}
        client = _lookup(
            selectors.clients_with_brand_access(request.membership), data["client"], "client",
            "Choose one of your clients.", errors,
        )  # fmt: skip
        if errors:
            raise exceptions.ValidationError(errors)
        texts = {f: data[f] for f in TEXT_FIELDS}
        try:
            records, brand_version = services.content_check(
                client=client, channel=data["channel"], goal=data["goal"], texts=texts
            )
        except DjangoValidationError as error:  # pragma: no cover - the checks take plain text
            raise exceptions.ValidationError(error.messages) from None
        out = [{**r, "dismissed": False, "can_accept": can_accept(r)} for r in records]
        return Response(
            CheckResultSerializer(
                {"brand_version": brand_version.number if brand_version else None, "findings": out}
            ).data
        )
