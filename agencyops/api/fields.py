"""Related ids in API input, resolved through the tenant's scoped querysets.

``ScopedPrimaryKeyRelatedField`` turns an id into the object, looked up only among what the view's
queryset allows (the agency in scope, and e.g. "of this project"); another agency's id, a missing one and a
number too large for the database all answer the same 400 on that field, never a 500 or a leak. Input serializers holding such fields derive from
``ScopedInputSerializer``, which looks ids up only after the rest of the input passed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import serializers

# Ids are Postgres integers; a larger number names nothing (and would be an error in the query).
MAX_DB_ID = 2_147_483_647

QuerysetFor = Callable[[dict[str, Any]], QuerySet]


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id of ``model``, accepted only if ``queryset(context)`` holds it.

    ``queryset`` is called at validation time, inside the request's scope, with the serializer's context
    (the view puts what the choice depends on there, e.g. ``{"project": project}``). ``message`` is what
    the caller reads when the id is not one of those.
    """

    def __init__(
        self, *, model: type[Model], queryset: QuerysetFor | None = None, message: str, **kwargs: Any
    ) -> None:
        self.model = model
        self.queryset_for = queryset or (lambda context: model._default_manager.all())
        kwargs.setdefault("help_text", f"A {model._meta.verbose_name} id.")
        error_messages = {
            "does_not_exist": message,
            "incorrect_type": message,
            **kwargs.pop("error_messages", {}),
        }
        # ``none()`` is the one query a scoped manager allows outside a scope: it tells the schema the model.
        super().__init__(queryset=model._default_manager.none(), error_messages=error_messages, **kwargs)

    def get_queryset(self) -> QuerySet:
        return self.queryset_for(self.parent.context if self.parent is not None else {})

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        text = str(data).strip()
        # A number Postgres cannot hold would be a 500 in the lookup; it is simply not one of ours.
        if not text.isdigit() or not 0 < int(text) <= MAX_DB_ID:
            self.fail("does_not_exist", pk_value=data)
        if getattr(self.parent, "defers_lookups", False):
            return int(text)  # ScopedInputSerializer looks it up once the rest of the input is valid
        return self.resolve(int(text))

    def resolve(self, pk: int) -> Model:
        """The object with this id among the field's queryset, else the field's refusal."""
        return super().to_internal_value(pk)


class ScopedInputSerializer(serializers.Serializer):
    """An input serializer whose related ids are looked up only once every field has the right shape.

    Input refused for its shape costs no query and names only those fields; then every id that is not
    among the caller's is named together (400, never a 500).
    """

    defers_lookups = False

    def to_internal_value(self, data: Any) -> Any:
        self.defers_lookups = True
        try:
            values = super().to_internal_value(data)
        finally:
            self.defers_lookups = False
        errors: dict[str, Any] = {}
        for name, field in self.fields.items():
            if not isinstance(field, ScopedPrimaryKeyRelatedField) or field.read_only:
                continue
            if values.get(field.source) is None:
                continue
            try:
                values[field.source] = field.resolve(values[field.source])
            except serializers.ValidationError as error:
                errors[name] = error.detail
        if errors:
            raise serializers.ValidationError(errors)
        return values
