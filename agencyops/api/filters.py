"""Query parameters of a list, parsed by a serializer instead of by hand.

A view names ``filter_serializer_class``; ``FilterSerializerMixin`` validates ``request.query_params`` with
it once, on first use of ``self.filters``, and refuses bad input with a 400 naming each field. The same
serializer documents the parameters in the OpenAPI schema (``FilterSerializerSchema``), so what the schema
promises and what the view accepts cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from agencyops.api.fields import MAX_DB_ID

FILTERED_METHODS = ("GET", "HEAD")


class FilterSerializerMixin:
    """Gives a view ``self.filters``: its ``filter_serializer_class``'s validated data (400 otherwise).

    Only the serializer's own fields are read; paging parameters and anything else are left to others.
    Values are stripped, and an empty one (``?status=``) means the filter is not used, as it always did.
    """

    filter_serializer_class: type[serializers.Serializer] | None = None
    # The methods whose query parameters the serializer describes (for the schema); reads by default.
    filter_methods: tuple[str, ...] = FILTERED_METHODS
    request: Any

    def get_filter_serializer_context(self) -> dict[str, Any]:
        return self.get_serializer_context()  # type: ignore[attr-defined]

    @property
    def filters(self) -> dict[str, Any]:
        if not hasattr(self, "_filters"):
            if self.filter_serializer_class is None:
                raise AttributeError(f"{type(self).__name__} declares no filter_serializer_class.")
            given = {
                name: value.strip() for name, value in self.request.query_params.items() if value.strip()
            }
            serializer = self.filter_serializer_class(
                data=given, context=self.get_filter_serializer_context()
            )
            serializer.is_valid(raise_exception=True)
            self._filters = dict(serializer.validated_data)
        return self._filters


class FilterSerializerSchema(AutoSchema):
    """drf-spectacular's schema, with a view's filter serializer listed as the GET query parameters."""

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        filter_class = getattr(self.view, "filter_serializer_class", None)
        if filter_class is not None and self.method in getattr(self.view, "filter_methods", FILTERED_METHODS):
            parameters.insert(0, filter_class)
        return parameters


class IdFilterField(serializers.IntegerField):
    """An id in a query string: a whole number the database can hold, else a 400 on the field."""

    def __init__(self, *, what: str, **kwargs: Any) -> None:
        message = f"Give a {what}'s id, a whole number."
        kwargs.setdefault("help_text", f"Only those of the {what} with this id.")
        kwargs.setdefault("required", False)
        super().__init__(
            min_value=1,
            max_value=MAX_DB_ID,
            error_messages={"invalid": message, "min_value": message, "max_value": message},
            **kwargs,
        )


class FlagFilterField(serializers.BooleanField):
    """true/false in a query string (also 1/0, yes/no); absent means "either" (None)."""

    def __init__(self, *, name: str, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("default", None)
        super().__init__(error_messages={"invalid": f"Use {name}=true or {name}=false."}, **kwargs)


class ChoiceFilterField(serializers.ChoiceField):
    """One of ``choices`` in a query string; the refusal names the value and lists the allowed ones
    (or says ``message``, where ``{allowed}`` lists them)."""

    def __init__(self, *, choices: Any, what: str = "", message: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(choices=choices, **kwargs)
        allowed = ", ".join(str(key) for key in self.choices)
        refusal = message.format(allowed=allowed) if message else f"“{{input}}” is not {what}; use {allowed}."
        self.error_messages: dict[str, str] = {**self.error_messages, "invalid_choice": refusal}
