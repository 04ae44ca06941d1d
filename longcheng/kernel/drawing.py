"""A small vector drawing — rectangles, lines, polygons and labels in a box of width × height units,
origin top left — that a page shows as SVG and a PDF draws with reportlab: one description, two
renderers, so that what a person drew on a page is what the printed document shows (an accident
sketch on the agreement, say). Colours are named from COLOURS, never taken from input, and labels
are escaped: a drawing built from typed values cannot carry markup."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from reportlab.graphics import shapes as rl
from reportlab.lib import colors

COLOURS: dict[str, str | None] = {
    "none": None, "ink": "#222222", "grid": "#e4e4e4", "road": "#c8c8c8", "mark": "#ffffff",
    "a": "#2f6fb0", "b": "#e08a00", "hit": "#d62728",
}
KINDS = ("rect", "line", "polygon", "text")


@dataclass(frozen=True)
class Shape:
    """`rect`: two corners; `line`: two ends; `polygon`: its corners; `text`: its anchor (centre)."""

    kind: str
    points: tuple[tuple[float, float], ...]
    fill: str = "none"
    stroke: str = "none"
    label: str = ""
    dashed: bool = False


@dataclass(frozen=True)
class Drawing:
    width: float
    height: float
    shapes: tuple[Shape, ...]
    title: str = ""


def _colour(name: str) -> str | None:
    return COLOURS.get(name)


def _paint(shape: Shape) -> str:
    fill, stroke = _colour(shape.fill) or "none", _colour(shape.stroke) or "none"
    dash = ' stroke-dasharray="6 5"' if shape.dashed else ""
    return f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"{dash}'


def _svg_shape(shape: Shape) -> str:
    pts = shape.points
    if shape.kind == "rect":
        (x1, y1), (x2, y2) = pts
        return (f'<rect x="{min(x1, x2):g}" y="{min(y1, y2):g}" width="{abs(x2 - x1):g}" '
                f'height="{abs(y2 - y1):g}" {_paint(shape)}/>')
    if shape.kind == "line":
        (x1, y1), (x2, y2) = pts
        return f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" {_paint(shape)}/>'
    if shape.kind == "polygon":
        corners = " ".join(f"{x:g},{y:g}" for x, y in pts)
        return f'<polygon points="{corners}" {_paint(shape)}/>'
    (x, y), = pts
    colour = _colour(shape.fill) or COLOURS["ink"]
    return (f'<text x="{x:g}" y="{y:g}" fill="{colour}" font-size="12" text-anchor="middle" '
            f'dominant-baseline="central">{escape(shape.label)}</text>')


def svg(drawing: Drawing) -> SafeString:
    """The drawing as inline SVG, scaled to its container's width (a phone's too)."""
    body = "".join(_svg_shape(s) for s in drawing.shapes if s.kind in KINDS)
    # Safe: every number formatted, the colours from COLOURS, the labels escaped.
    return mark_safe(
        f'<svg class="drawing" viewBox="0 0 {drawing.width:g} {drawing.height:g}" role="img" '
        f'aria-label="{escape(drawing.title)}" '
        f'width="{drawing.width:g}" height="{drawing.height:g}">{body}</svg>')


def _rl_colour(name: str) -> colors.Color | None:
    value = _colour(name)
    return colors.HexColor(value) if value else None


def flowable(drawing: Drawing, width: float, font: str) -> rl.Drawing:
    """The drawing for a PDF, `width` points wide (reportlab's y axis points up: flipped here)."""
    scale = width / drawing.width
    out = rl.Drawing(width, drawing.height * scale)

    def at(point: tuple[float, float]) -> tuple[float, float]:
        return point[0] * scale, (drawing.height - point[1]) * scale

    for shape in drawing.shapes:
        fill, stroke = _rl_colour(shape.fill), _rl_colour(shape.stroke)
        style = {"fillColor": fill, "strokeColor": stroke, "strokeWidth": 1,
                 "strokeDashArray": [4, 3] if shape.dashed else None}
        points = [at(p) for p in shape.points]
        if shape.kind == "rect":
            (x1, y1), (x2, y2) = points
            out.add(rl.Rect(min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1), **style))
        elif shape.kind == "line":
            (x1, y1), (x2, y2) = points
            out.add(rl.Line(x1, y1, x2, y2, **style))
        elif shape.kind == "polygon":
            out.add(rl.Polygon([c for p in points for c in p], **style))
        elif shape.kind == "text":
            (x, y), = points
            out.add(rl.String(x, y - 4, shape.label, fontName=font, fontSize=10, textAnchor="middle",
                              fillColor=fill or colors.HexColor(COLOURS["ink"] or "#222222")))
    return out


def frame(width: float, height: float, step: float, shapes: Sequence[Shape], title: str = "") -> Drawing:
    """A drawing on a light grid of `step` units (the squares people name to place things)."""
    grid = [Shape("line", ((x, 0.0), (x, height)), stroke="grid") for x in _steps(width, step)]
    grid += [Shape("line", ((0.0, y), (width, y)), stroke="grid") for y in _steps(height, step)]
    return Drawing(width, height, (*grid, *shapes), title)


def _steps(size: float, step: float) -> list[float]:
    count = int(size // step)
    return [i * step for i in range(1, count)]
