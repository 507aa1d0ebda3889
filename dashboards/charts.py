"""Charts drawn on the server as inline SVG (no chart library, no JavaScript).

Each chart is decorative for screen readers (``aria-hidden``): the page shows
the same numbers in a table next to it. Labels are escaped.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import mark_safe

PALETTE = ["#1d4f91", "#2e7d32", "#c77700", "#6a1b9a", "#00838f", "#ad1457", "#5d4037"]


def funnel_svg(stages: list[dict], *, width: int = 640) -> str:
    """Horizontal bars, one per funnel stage, with the count at the bar's end."""
    bar_height, gap, label_width = 26, 8, 110
    height = len(stages) * (bar_height + gap) + gap
    top = max((s["count"] for s in stages), default=0) or 1
    usable = width - label_width - 70
    parts = [
        f'<svg class="dash-chart" viewBox="0 0 {width} {height}" role="img" aria-hidden="true" '
        f'focusable="false" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
    ]
    for index, stage in enumerate(stages):
        y = gap + index * (bar_height + gap)
        length = max(2, round(usable * stage["count"] / top))
        colour = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" font-size="14" '
            f'fill="#222">{escape(stage["label"])}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" rx="3" '
            f'fill="{colour}"></rect>'
            f'<text x="{label_width + length + 6}" y="{y + 18}" font-size="14" fill="#222">'
            f"{stage['count']}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above


def bars_svg(rows: list[tuple[str, float]], *, width: int = 640, suffix: str = "") -> str:
    """Horizontal bars for (label, value) pairs."""
    bar_height, gap, label_width = 20, 6, 110
    height = max(1, len(rows)) * (bar_height + gap) + gap
    top = max((v for _l, v in rows), default=0) or 1
    usable = width - label_width - 80
    parts = [
        f'<svg class="dash-chart" viewBox="0 0 {width} {height}" role="img" aria-hidden="true" '
        f'focusable="false" xmlns="http://www.w3.org/2000/svg">'
    ]
    for index, (label, value) in enumerate(rows):
        y = gap + index * (bar_height + gap)
        length = max(1, round(usable * (value or 0) / top))
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" font-size="13" '
            f'fill="#222">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" '
            f'fill="{PALETTE[0]}"></rect>'
            f'<text x="{label_width + length + 5}" y="{y + 15}" font-size="13" fill="#222">'
            f"{escape(str(value))}{escape(suffix)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - labels escaped


def lines_svg(
    labels: list[str], series: list[tuple[str, list[float]]], *, width: int = 640, height: int = 220
) -> str:
    """A line chart: x = `labels` (e.g. months), one line per (name, values) series."""
    left, right, top_pad, bottom = 50, 10, 10, 40
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = max((v for _n, values in series for v in values if v is not None), default=0) or 1
    count = max(1, len(labels) - 1)
    parts = [
        f'<svg class="dash-chart" viewBox="0 0 {width} {height + 20 * len(series)}" role="img" '
        f'aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}" y2="{top_pad + plot_h}" '
        f'stroke="#888"></line>',
        f'<text x="{left - 6}" y="{top_pad + 10}" text-anchor="end" font-size="12">{top}</text>',
        f'<text x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end" font-size="12">0</text>',
    ]
    for index, label in enumerate(labels):
        x = left + plot_w * index / count
        parts.append(
            f'<text x="{x:.1f}" y="{top_pad + plot_h + 18}" text-anchor="middle" font-size="12">'
            f"{escape(label)}</text>"
        )
    for s_index, (name, values) in enumerate(series):
        colour = PALETTE[s_index % len(PALETTE)]
        points = [
            f"{left + plot_w * i / count:.1f},{top_pad + plot_h - plot_h * (v or 0) / top:.1f}"
            for i, v in enumerate(values)
        ]
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" '
            f'points="{" ".join(points)}"></polyline>'
        )
        y = height + 20 * s_index
        parts.append(
            f'<rect x="{left}" y="{y - 10}" width="14" height="4" fill="{colour}"></rect>'
            f'<text x="{left + 20}" y="{y - 5}" font-size="12">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - labels escaped
