"""Model instances from rows of SQL written once, for the reads every request makes.

The ORM compiles a query's SQL again on every call; for the few lookups each request repeats (the session,
the signed-in person, their membership) that compiling costs several times what PostgreSQL spends running
them. Those lookups select the columns this module lists and build instances the way the ORM does, with
each field's own conversion from the database (JSON, say).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model


def model_loader(model: type[Model], alias: str) -> tuple[str, Callable[[Sequence[Any]], Model]]:
    """The SELECT list of every concrete column of ``model`` (as ``alias``) and a function turning those
    values into an instance."""
    fields = model._meta.concrete_fields
    columns = ", ".join(f'{alias}."{field.column}"' for field in fields)
    names = [field.attname for field in fields]
    db = connections[DEFAULT_DB_ALIAS]
    converters = [
        (i, field, field.get_db_converters(db))
        for i, field in enumerate(fields)
        if field.get_db_converters(db)
    ]

    def load(values: Sequence[Any]) -> Model:
        if converters:
            values = list(values)
            db = connections[DEFAULT_DB_ALIAS]
            for i, field, chain in converters:
                for convert in chain:
                    values[i] = convert(values[i], field, db)
        return model.from_db(DEFAULT_DB_ALIAS, names, values)

    return columns, load
