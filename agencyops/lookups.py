"""Lookups the ORM does not write the way PostgreSQL reads best."""

from __future__ import annotations

from typing import Any

from django.db.models import Lookup


class AnyOf(Lookup):
    """``column = ANY(array)``, for an array the database computes once (``ArraySubquery``): it then finds
    the rows through the column's index, as for a list of ids. Used as an expression, never registered."""

    lookup_name = "any_of"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]
