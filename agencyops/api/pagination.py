"""Every API list pages with ?limit=&offset=; both are capped so no client-chosen number reaches SQL raw."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination

MAX_LIMIT = 200
# Far past any real list; a larger offset simply lands past the end.
MAX_OFFSET = 1_000_000_000


class CappedLimitOffsetPagination(LimitOffsetPagination):
    """DRF's limit/offset paging with a maximum page size and offset (a huge number once answered 500)."""

    max_limit = MAX_LIMIT

    def get_offset(self, request) -> int:
        return min(super().get_offset(request), MAX_OFFSET)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            schema = parameter["schema"]
            schema["minimum"] = 0 if parameter["name"] == "offset" else 1
            schema["maximum"] = MAX_OFFSET if parameter["name"] == "offset" else MAX_LIMIT
        return parameters
