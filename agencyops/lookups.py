"""Lookups the ORM does not write the way PostgreSQL reads best."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db.models import Expression, F, Lookup, TextField, Value


class AnyOf(Lookup):
    """``column = ANY(array)``: one array parameter instead of ``IN (%s, %s, …)`` with one per value, which
    for the hundreds of values a scan asks about costs Django and the driver more than the query; and, for
    an array the database computes once (``ArraySubquery``), the rows found through the column's index, as
    for a list of ids. Used as an expression, never registered."""

    lookup_name = "any_of"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def any_of_texts(column: str, values: list[str]) -> AnyOf:
    """``column`` is one of ``values`` (text), as one array parameter."""
    array: Expression = Value(values, output_field=ArrayField(TextField()))
    return AnyOf(F(column), array)
