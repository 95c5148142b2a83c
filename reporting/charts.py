"""Charts as server-rendered SVG, the same markup on staff pages, in the portal and in PDFs. Pure.

Each chart carries a ``<title>`` and a ``<desc>`` that says what it shows in words (with the numbers),
so it reads without JavaScript and with a screen reader; the page puts the same numbers in a table beside it.
No fonts, scripts or links are fetched: the markup is self-contained.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

WIDTH, HEIGHT = 640, 260
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 16, 16, 40
# A palette that keeps contrast on white and in greyscale print.
COLOURS = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6")
MAX_POINTS = 400
MAX_BARS = 30


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Decimal | float | int | None]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "chart"


def _num(value) -> float:
    return float(value) if value is not None else 0.0


def _label(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if abs(value) >= 10_000:
        return f"{value / 1000:.0f}k"
    if abs(value) >= 1000:
        return f"{value / 1000:.1f}k"
    if value == int(value):
        return str(int(value))
    return f"{value:.2f}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _frame(title: str, desc: str, body: list[str], chart_id: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="sans-serif" font-size="11">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _axes(top: float) -> list[str]:
    parts = []
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    for i in range(5):
        y = PAD_TOP + plot_h * i / 4
        value = top * (4 - i) / 4
        parts.append(
            f'<line x1="{PAD_LEFT}" y1="{y:.1f}" x2="{WIDTH - PAD_RIGHT}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#333">{_label(value)}</text>'
        )
    return parts


def line_chart(title: str, labels: Sequence[str], series: Sequence[Series], *, chart_id: str = "") -> str:
    """Lines over periods (days, weeks, months); missing values break nothing, they plot as gaps."""
    chart_id = chart_id or _slug(title)
    labels = list(labels)[:MAX_POINTS]
    top = _nice_max(max((_num(v) for s in series for v in s.values[: len(labels)]), default=0))
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / max(len(labels) - 1, 1)
    body = _axes(top)
    every = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % every == 0:
            body.append(
                f'<text x="{PAD_LEFT + i * step:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" text-anchor="middle" '
                f'fill="#333">{escape(label)}</text>'
            )
    desc_parts = []
    for n, s in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        points, runs = [], []
        for i, value in enumerate(list(s.values)[: len(labels)]):
            if value is None:
                if points:
                    runs.append(points)
                points = []
                continue
            y = PAD_TOP + plot_h * (1 - _num(value) / top)
            points.append(f"{PAD_LEFT + i * step:.1f},{y:.1f}")
        if points:
            runs.append(points)
        for run in runs:
            if len(run) == 1:
                x, y = run[0].split(",")
                body.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="{colour}"/>')
            else:
                body.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(run)}"/>'
                )
        known = [(lab, v) for lab, v in zip(labels, s.values, strict=False) if v is not None]
        if known:
            desc_parts.append(
                f"{s.name}: {_label(_num(known[0][1]))} in {known[0][0]} to {_label(_num(known[-1][1]))} "
                f"in {known[-1][0]}"
            )
        body.append(
            f'<rect x="{PAD_LEFT + n * 150}" y="{HEIGHT - 14}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{PAD_LEFT + n * 150 + 14}" y="{HEIGHT - 5}" fill="#333">{escape(s.name)}</text>'
        )
    desc = "; ".join(desc_parts) + "." if desc_parts else "No data for this period."
    return _frame(title, desc, body, chart_id)


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence[Decimal | float | int | None], *, chart_id: str = ""
) -> str:
    """Horizontal-reading vertical bars, one per label (campaigns, channels, landing pages)."""
    chart_id = chart_id or _slug(title)
    pairs = list(zip(labels, values, strict=False))[:MAX_BARS]
    top = _nice_max(max((_num(v) for _, v in pairs), default=0))
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / max(len(pairs), 1)
    body = _axes(top)
    for i, (label, value) in enumerate(pairs):
        h = plot_h * _num(value) / top
        x = PAD_LEFT + i * slot + slot * 0.15
        body.append(
            f'<rect x="{x:.1f}" y="{PAD_TOP + plot_h - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
            f'fill="{COLOURS[0]}"><title>{escape(label)}: {_label(_num(value))}</title></rect>'
            f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" text-anchor="middle" fill="#333">'
            f"{escape(label[:14])}</text>"
        )
    desc = "; ".join(f"{label}: {_label(_num(v))}" for label, v in pairs) + "." if pairs else "No data."
    return _frame(title, desc, body, chart_id)
