"""A month's mass balance as a Sankey diagram: streams in on the left, into the station, out on the
right (soil, residue, shipped, declared losses, stock change, and whatever is unaccounted). Plain SVG
written here, so the page needs no script and no network."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = {"in": "#1f5fa8", "out": "#1e7b34", "loss": "#a15c00", "stock": "#6a4c93", "gap": "#b3261e"}


def _band(x0: float, y0: float, x1: float, y1: float, width: float, colour: str) -> str:
    mid = (x0 + x1) / 2
    return (f'<path d="M{x0:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f}" '
            f'stroke="{colour}" stroke-opacity="0.45" stroke-width="{max(width, 1):.1f}" fill="none"/>')


def _label(x: float, y: float, text: str, anchor: str) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="12" text-anchor="{anchor}" dominant-baseline="middle">{escape(text)}</text>'


def _column(items: list[tuple[str, int, str]], scale: float, top: float, gap: float) -> list[tuple[str, int, str, float, float]]:
    """(label, kg, kind) → with the band's centre y and thickness, stacked from `top`."""
    placed, y = [], top
    for label, kg, kind in items:
        thick = max(kg * scale, 2.0)
        placed.append((label, kg, kind, y + thick / 2, thick))
        y += thick + gap
    return placed


def sankey_svg(title: str, inflow: list[tuple[str, int]], outflow: list[tuple[str, int, str]],
               *, width: int = 720, height: int = 360) -> SafeString:
    """inflow: (label, kg); outflow: (label, kg, kind in out/loss/stock/gap). Negative flows (a stock
    drawn down, a surplus) are drawn on the other side so every band has a positive width."""
    left = [(label, kg, "in") for label, kg in inflow if kg > 0]
    right = [(label, kg, kind) for label, kg, kind in outflow if kg > 0]
    left += [(label, -kg, kind) for label, kg, kind in outflow if kg < 0]
    total = max(sum(kg for _, kg, _ in left), sum(kg for _, kg, _ in right), 1)
    gap, top = 10.0, 36.0
    scale = (height - top - 20 - gap * max(len(left), len(right))) / total
    lx, cx, rx = 170.0, width / 2, width - 190.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" class="sankey">', _label(width / 2, 16, title, "middle")]
    node_top = top
    node_height = total * scale
    parts.append(f'<rect x="{cx - 8:.1f}" y="{node_top:.1f}" width="16" height="{node_height:.1f}" fill="#5d6878"/>')
    y_in, y_out = node_top, node_top
    for label, kg, kind, y, thick in _column(left, scale, top, gap):
        target = y_in + thick / 2
        y_in += thick
        parts.append(_band(lx, y, cx - 8, target, thick, COLOURS.get(kind, COLOURS["in"])))
        parts.append(_label(lx - 6, y, f"{label} {kg:,} kg", "end"))
    for label, kg, kind, y, thick in _column(right, scale, top, gap):
        source = y_out + thick / 2
        y_out += thick
        parts.append(_band(cx + 8, source, rx, y, thick, COLOURS.get(kind, COLOURS["out"])))
        parts.append(_label(rx + 6, y, f"{label} {kg:,} kg", "start"))
    parts.append("</svg>")
    return mark_safe("".join(parts))
