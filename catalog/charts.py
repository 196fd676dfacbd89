"""Inline SVG bar charts for the quality report and the console's dashboard (no scripts, no
CDN, no ``style`` attributes: the console's Content-Security-Policy forbids inline styles)."""

from __future__ import annotations

from html import escape

BAR = "#3b6ea5"
WARN = "#c0392b"


def hbar_chart(
    items: list[tuple[str, float]], *, maximum: float | None = None, unit: str = "",
    threshold: float | None = None, width: int = 640, checked: list[bool] | None = None,
) -> str:  # fmt: skip
    """Horizontal bars, one per (label, value); bars under ``threshold`` are drawn red
    (only those whose ``checked`` flag is true, when flags are given)."""
    if not items:
        return '<p class="empty">—</p>'
    top = maximum or max(v for _, v in items) or 1
    label_w, row_h = 200, 22
    plot_w = width - label_w - 70
    height = row_h * len(items) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" class="chart">'
    ]
    for i, (label, value) in enumerate(items):
        y = i * row_h + 2
        w = max(0.0, min(1.0, value / top)) * plot_w
        flagged = checked is None or checked[i]
        color = WARN if flagged and threshold is not None and value < threshold else BAR
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
            f'fill="{color}"><title>{escape(label)}: {value:g}{unit}</title></rect>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" font-size="12">{value:g}{unit}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def vbar_chart(items: list[tuple[str, float]], *, width: int = 640, height: int = 200) -> str:
    """Vertical bars (e.g. records per month) with the value above each bar."""
    if not items:
        return '<p class="empty">—</p>'
    top = max(v for _, v in items) or 1
    slot = (width - 20) / len(items)
    plot_h = height - 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" class="chart">'
    ]
    for i, (label, value) in enumerate(items):
        h = value / top * plot_h
        x = 10 + i * slot
        y = height - 22 - h
        parts.append(
            f'<rect x="{x + slot * 0.15:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{h:.1f}" fill="{BAR}"><title>{escape(label)}: {value:g}</title></rect>'
            f'<text x="{x + slot / 2:.1f}" y="{y - 3:.1f}" font-size="11" '
            f'text-anchor="middle">{value:g}</text>'
            f'<text x="{x + slot / 2:.1f}" y="{height - 6}" font-size="11" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def progress_bar(value: float, target: float, width: int = 640) -> str:
    share = min(1.0, value / target) if target else 0.0
    color = BAR if share >= 1 else WARN
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="28" role="img" '
        f'class="chart"><rect x="0" y="4" width="{width}" height="20" fill="#e5e5e5"/>'
        f'<rect x="0" y="4" width="{share * width:.1f}" height="20" fill="{color}"/>'
        f'<text x="{width / 2}" y="19" font-size="13" text-anchor="middle">'
        f"{value:g} / {target:g} ({share * 100:.1f}%)</text></svg>"
    )


PROJECTED = "#a9c4e2"
TARGET_LINE = "#1f2933"


def target_chart(items: list[tuple[str, float, float | None, float]], *, width: int = 640) -> str:
    """Horizontal bars of (label, value, projection, target): the value in full colour, the
    projection to the year's end behind it in a light shade, the target as a dark tick."""
    if not items:
        return '<p class="empty">—</p>'
    top = max(max(v, p or 0, t) for _, v, p, t in items) or 1
    label_w, row_h, right_w = 200, 26, 150
    plot_w = width - label_w - right_w
    height = row_h * len(items) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" class="chart">'
    ]
    for i, (label, value, projected, target) in enumerate(items):
        y = i * row_h + 2
        done = value / top * plot_w
        color = BAR if value >= target else WARN
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 17}" text-anchor="end" font-size="12">'
            f"{escape(label)}</text>"
        )
        if projected is not None:
            ahead = projected / top * plot_w
            parts.append(
                f'<rect x="{label_w}" y="{y + 4}" width="{ahead:.1f}" height="{row_h - 8}" '
                f'fill="{PROJECTED}"><title>{escape(label)} 预计年底: {projected:g}</title></rect>'
            )
        mark = label_w + target / top * plot_w
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{done:.1f}" height="{row_h - 8}" '
            f'fill="{color}"><title>{escape(label)}: {value:g} / {target:g}</title></rect>'
            f'<line x1="{mark:.1f}" y1="{y + 1}" x2="{mark:.1f}" y2="{y + row_h - 1}" '
            f'stroke="{TARGET_LINE}" stroke-width="2"><title>目标 {target:g}</title></line>'
            f'<text x="{label_w + plot_w + 6}" y="{y + 17}" font-size="12">'
            f"{value:g} / {target:g}"
            + (f" → {projected:g}" if projected is not None else "")
            + "</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
