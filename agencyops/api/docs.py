"""The OpenAPI schema and Swagger UI: for the agency's team when DEBUG is off, public by setting."""

from __future__ import annotations

from django.conf import settings
from django_scopes import scopes_disabled
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission


class TeamOrPublicDocs(BasePermission):
    """Public when API_DOCS_PUBLIC is on (the default with DEBUG); otherwise a signed-in member of an
    agency's team (session or token). Portal contacts and strangers see nothing of the API's shape."""

    message = "Sign in as a member of an agency's team to read the API documentation."

    def has_permission(self, request, view) -> bool:
        if settings.API_DOCS_PUBLIC:
            return True
        user = request.user
        if not user or not user.is_authenticated:
            return False
        with scopes_disabled():
            return user.memberships.filter(is_active=True).exists()


class SchemaView(SpectacularAPIView):
    permission_classes = [TeamOrPublicDocs]


class DocsView(SpectacularSwaggerSplitView):
    permission_classes = [TeamOrPublicDocs]
