"""A version's file and rendered pages for API clients: the same token as every other endpoint.

The pages' links (``/<agency>/approvals/versions/…``) need a browser session, so an integration following
``file_url`` used to land on the login page.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request

from agencyops import files
from agencyops.api.views import NOT_FOUND
from agencyops.permissions import is_agency_member
from approvals.api import ApprovalsAPIView
from approvals.models import AssetVersion, VersionPage

BINARY = OpenApiResponse(OpenApiTypes.BINARY, description="The file's bytes, typed by their content.")


@extend_schema(tags=["approvals"])
class VersionFileView(ApprovalsAPIView):
    """The uploaded image or PDF of a version."""

    queryset = AssetVersion.objects.none()
    permission_map = {"GET": is_agency_member}

    @extend_schema(
        operation_id="approval_version_file",
        summary="Download a version's file",
        responses={(200, "image/*"): BINARY, (200, "application/pdf"): BINARY, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, version_id: int) -> Any:
        # Scoped: another agency's version is "not found", like a missing one or a copy version.
        version = self.object_or_404(AssetVersion.objects.all(), version_id)
        if not version.file:
            raise exceptions.NotFound()
        try:
            return files.stream(version.file, filename=version.original_name or f"version-{version.number}")
        except Http404:
            raise exceptions.NotFound() from None


@extend_schema(tags=["approvals"])
class VersionPageFileView(ApprovalsAPIView):
    """One rendered page of a PDF version, as a PNG."""

    queryset = AssetVersion.objects.none()
    permission_map = {"GET": is_agency_member}

    @extend_schema(
        operation_id="approval_version_page_file",
        summary="Download a rendered page of a PDF version",
        responses={(200, "image/png"): BINARY, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, version_id: int, page: int) -> Any:
        rendered = VersionPage.objects.filter(version_id=version_id, number=page).first()
        if rendered is None:
            raise exceptions.NotFound()
        try:
            return files.stream(rendered.image, filename=f"version-{version_id}-page-{page}.png")
        except Http404:
            raise exceptions.NotFound() from None
