"""How the API answers a refusal: service ValidationErrors become 400s keyed by field, any 404 has one body.

Register it for every app's API with ``REST_FRAMEWORK["EXCEPTION_HANDLER"] =
"agencyops.api.errors.api_exception_handler"``; ``AgencyAPIView`` uses it either way.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

NOT_FOUND = "Not found."


def field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as ``{field: [messages]}``, non-field messages under non_field_errors."""
    if hasattr(error, "error_dict"):
        return {
            api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field: messages
            for field, messages in error.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, taught the services' ValidationError codes and a single 404 body."""
    if isinstance(exc, DjangoValidationError):
        code = getattr(exc, "code", None)
        # Services refuse a role with code="forbidden" and a foreign object with code="not_found".
        if code == "forbidden":
            exc = exceptions.PermissionDenied(exc.messages[0])
        elif code == "not_found":
            exc = exceptions.NotFound(NOT_FOUND)
        else:
            exc = exceptions.ValidationError(field_errors(exc))
    elif isinstance(exc, Http404 | exceptions.NotFound):
        # A missing object and another agency's object must be indistinguishable, model name included.
        exc = exceptions.NotFound(NOT_FOUND)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return exception_handler(exc, context)


def api_aware_page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 page, except under /api/, where a client expects the API's JSON body."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": NOT_FOUND}, status=404)
    return page_not_found(request, exception)
