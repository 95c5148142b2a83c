"""How the workload table shows hours: to one decimal, half up, without a trailing ".0" (``7.96`` is ``8``).

The markup is in templates/projects/_workload_rows.html; Django's ``floatformat:"-1"`` would show ``8.0``
for ``7.96``, hence this filter.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()

TENTH = Decimal("0.1")


@register.filter
def hours(value: Decimal | int | None) -> str:
    """Hours to one decimal, without a trailing ".0"."""
    text = str(Decimal(value or 0).quantize(TENTH, ROUND_HALF_UP))
    return text[:-2] if text.endswith(".0") else text
