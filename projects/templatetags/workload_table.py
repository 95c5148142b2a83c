"""The workload table's body: one row per person, one cell per week (100 people × 6 weeks is 600 cells).

Written out in one pass instead of a template loop: the template language spends tens of microseconds on
each cell's tags and filters, which on a full team was most of the page's time. Every value that comes
from people (names, disciplines) goes through ``escape``; the rest are numbers and dates.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django import template
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe

from projects.workload import Workload, WorkloadRow

register = template.Library()

TENTH = Decimal("0.1")


def hours(value: Decimal) -> str:
    """Hours to one decimal, without a trailing ".0" (what ``floatformat:"-1"`` shows)."""
    text = str(Decimal(value).quantize(TENTH, ROUND_HALF_UP))
    return text[:-2] if text.endswith(".0") else text


def _row(row: WorkloadRow, labels: dict[date, str], selected_week: date | None) -> str:
    """One person's ``<tr>``; ``selected_week`` is the week of this row whose drill-down is open."""
    name = escape(row.name)
    capacity = f" · {hours(row.capacity)} h a week" if row.capacity is not None else ""
    cells = []
    for cell in row.cells:
        if cell.overloaded:
            css, shown = " workload-over", f"{hours(cell.hours)} / {hours(cell.capacity or Decimal(0))} h"
        else:
            css, shown = ("" if cell.hours else " workload-empty"), f"{hours(cell.hours)} h"
        current = ' aria-current="true"' if cell.week == selected_week else ""
        overloaded = ": overloaded" if cell.overloaded else ""
        cells.append(
            f'<td class="right workload-cell{css}">'
            f'<a href="?member={escape(row.member_key)}&amp;week={cell.week.isoformat()}#drilldown"{current}>'
            f'{shown}<span class="sr-only"> for {name}, week of {labels[cell.week]}{overloaded}</span></a></td>'
        )
    return (
        f'<tr><th scope="row">{name}<br><small class="muted">{escape(row.detail)}{capacity}</small></th>'
        f"{''.join(cells)}</tr>"
    )


@register.simple_tag
def workload_rows(
    table: Workload, selected_row: WorkloadRow | None, selected_week: date | None
) -> SafeString:
    """The ``<tr>`` of every person, the cell of the open drill-down marked as current."""
    labels = {week: f"{week.day} {MONTHS_3[week.month].title()}" for week in table.weeks}
    selected_key = selected_row.member_key if selected_row else None
    body = "\n".join(
        _row(row, labels, selected_week if row.member_key == selected_key else None) for row in table.rows
    )
    return mark_safe(body)  # noqa: S308 - every value from people is escaped above
