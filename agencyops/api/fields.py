"""Related ids in API input, resolved through the tenant's scoped querysets.

``ScopedPrimaryKeyRelatedField`` turns an id into the object, looked up only among what the view's
queryset allows (the agency in scope, and e.g. "of this project"); another agency's id, a missing one and a
number too large for the database all answer the same 400 on that field, never a 500 or a leak. With
``many=True`` (and an optional ``max_length``) it takes a list of ids, looked up together in one query; one
id that is not among the caller's refuses the whole field, never quietly drops it. Input serializers
holding such fields derive from ``ScopedInputSerializer``, which looks ids up only after the rest of the
input passed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

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

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> ScopedManyRelatedField:
        """``many=True``: a list of these ids (at most ``max_length``), looked up in one query."""
        max_length = kwargs.pop("max_length", None)
        list_kwargs = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return ScopedManyRelatedField(
            child_relation=cls(*args, **kwargs), max_length=max_length, **list_kwargs
        )

    def get_queryset(self) -> QuerySet:
        return self.queryset_for(self.parent.context if self.parent is not None else {})

    def pk_of(self, data: Any) -> int:
        """The id given, checked for shape only (no query), else the field's refusal."""
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        text = str(data).strip()
        # A number Postgres cannot hold would be a 500 in the lookup; it is simply not one of ours.
        if not text.isdigit() or not 0 < int(text) <= MAX_DB_ID:
            self.fail("does_not_exist", pk_value=data)
        return int(text)

    def to_internal_value(self, data: Any) -> Any:
        pk = self.pk_of(data)
        if getattr(self.parent, "defers_lookups", False):
            return pk  # ScopedInputSerializer looks it up once the rest of the input is valid
        return self.resolve(pk)

    def resolve(self, pk: int) -> Model:
        """The object with this id among the field's queryset, else the field's refusal."""
        return super().to_internal_value(pk)

    def resolve_many(self, pks: list[int]) -> list[Model]:
        """The objects with these ids among the field's queryset (one query, in the order given, each once);
        the field's refusal, naming the first id that is not among them, if any is not."""
        wanted = list(dict.fromkeys(pks))
        if not wanted:
            return []
        found = {obj.pk: obj for obj in self.get_queryset().filter(pk__in=wanted)}
        for pk in wanted:
            if pk not in found:
                self.fail("does_not_exist", pk_value=pk)
        return [found[pk] for pk in wanted]


class ScopedManyRelatedField(serializers.ManyRelatedField):
    """``ScopedPrimaryKeyRelatedField(many=True)``: a list of ids, each checked for shape, then all looked up
    together; the field is refused as a whole when one is not the caller's."""

    child_relation: ScopedPrimaryKeyRelatedField
    default_error_messages = {"max_length": "Give at most {max_length} ids."}

    def __init__(self, *args: Any, max_length: int | None = None, **kwargs: Any) -> None:
        self.max_length = max_length
        super().__init__(*args, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str | dict) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        items = list(data)
        if self.max_length is not None and len(items) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        if not self.allow_empty and not items:
            self.fail("empty")
        pks = [self.child_relation.pk_of(item) for item in items]
        if getattr(self.parent, "defers_lookups", False):
            return pks  # ScopedInputSerializer looks them up once the rest of the input is valid
        return self.resolve(pks)

    def resolve(self, pks: list[int]) -> list[Model]:
        return self.child_relation.resolve_many(pks)


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
            scoped = isinstance(field, ScopedPrimaryKeyRelatedField | ScopedManyRelatedField)
            if not scoped or field.read_only:
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
