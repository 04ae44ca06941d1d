"""The accident sketch (现场示意图): the road's layout and where each vehicle stood and faced, on a
5 × 5 grid named like a chessboard (columns A–E, rows 1–5, row 1 at the top, north up). A driver
picks the squares on the phone; the page shows it as SVG and the agreement prints the same drawing
(kernel.drawing). Stored on the report as plain data; `clean` refuses anything else, naming the field."""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext, pgettext_lazy

from longcheng.kernel.drawing import Drawing, Shape, frame, svg
from longcheng.kernel.errors import KernelError

from .errors import ErrorCode

STEP, SIZE = 40.0, 200.0
COLUMNS, ROWS = "ABCDE", "12345"
CELLS = [f"{c}{r}" for r in ROWS for c in COLUMNS]
LAYOUTS = {
    "straight": pgettext_lazy("accidents", "Straight road (north–south)"),
    "crossroads": pgettext_lazy("accidents", "Crossroads"),
    "t_junction": pgettext_lazy("accidents", "T-junction (the side road to the south)"),
    "car_park": pgettext_lazy("accidents", "Car park or open ground"),
}
HEADINGS = {
    "N": pgettext_lazy("accidents", "north (up)"), "E": pgettext_lazy("accidents", "east (right)"),
    "S": pgettext_lazy("accidents", "south (down)"), "W": pgettext_lazy("accidents", "west (left)"),
}
# The road from 60 to 140 on each axis it runs along.
_ROADS: dict[str, list[tuple[tuple[float, float], tuple[float, float]]]] = {
    "straight": [((60, 0), (140, 200))],
    "crossroads": [((60, 0), (140, 200)), ((0, 60), (200, 140))],
    "t_junction": [((0, 60), (200, 140)), ((60, 140), (140, 200))],
    "car_park": [],
}
_CENTRE_LINES: dict[str, list[tuple[tuple[float, float], tuple[float, float]]]] = {
    "straight": [((100, 0), (100, 200))],
    "crossroads": [((100, 0), (100, 60)), ((100, 140), (100, 200)), ((0, 100), (60, 100)), ((140, 100), (200, 100))],
    "t_junction": [((0, 100), (200, 100)), ((100, 140), (100, 200))],
    "car_park": [],
}


def clean(data: Any) -> dict[str, Any]:
    """The sketch as stored, or a refusal naming the field: a layout, and for each vehicle a square
    and a heading; the two vehicles on different squares."""
    data = data if isinstance(data, dict) else {}
    if data.get("layout") not in LAYOUTS:
        raise KernelError(pgettext("accidents", "Choose the road's layout."), code=ErrorCode.BAD_SKETCH,
                          field="layout")
    cleaned: dict[str, Any] = {"layout": data["layout"]}
    for side in ("a", "b"):
        vehicle = data.get(side) if isinstance(data.get(side), dict) else {}
        if vehicle.get("cell") not in CELLS:
            raise KernelError(pgettext("accidents", "Choose a square from A1 to E5."), code=ErrorCode.BAD_SKETCH,
                              field=f"{side}_cell")
        if vehicle.get("heading") not in HEADINGS:
            raise KernelError(pgettext("accidents", "Choose the way the vehicle faced."), code=ErrorCode.BAD_SKETCH,
                              field=f"{side}_heading")
        cleaned[side] = {"cell": vehicle["cell"], "heading": vehicle["heading"]}
    if cleaned["a"]["cell"] == cleaned["b"]["cell"]:
        raise KernelError(pgettext("accidents", "The two vehicles cannot stand on the same square."),
                          code=ErrorCode.BAD_SKETCH, field="b_cell")
    return cleaned


def describe(data: Any) -> str:
    """The sketch in words ("" for none): the layout, then each vehicle's square and heading."""
    try:
        cleaned = clean(data)
    except KernelError:
        return ""
    parts = [str(LAYOUTS[cleaned["layout"]])]
    for side in ("a", "b"):
        parts.append(pgettext("accidents", "%(side)s at %(cell)s facing %(heading)s") % {
            "side": side.upper(), "cell": cleaned[side]["cell"], "heading": HEADINGS[cleaned[side]["heading"]]})
    return pgettext("accidents", "; ").join(parts)


def _centre(cell: str) -> tuple[float, float]:
    return COLUMNS.index(cell[0]) * STEP + STEP / 2, ROWS.index(cell[1]) * STEP + STEP / 2


def _vehicle(cell: str, heading: str, side: str) -> list[Shape]:
    """A car 16 wide and 28 long facing `heading`, with an arrowhead at its front and its letter."""
    x, y = _centre(cell)
    half_w, half_l = (8.0, 14.0) if heading in "NS" else (14.0, 8.0)
    sign = -1 if heading in "NW" else 1
    if heading in "NS":
        tip, base = (x, y + sign * (half_l + 6)), [(x - 6, y + sign * half_l), (x + 6, y + sign * half_l)]
    else:
        tip, base = (x + sign * (half_l + 6), y), [(x + sign * half_l, y - 6), (x + sign * half_l, y + 6)]
    colour = "a" if side == "a" else "b"
    return [Shape("rect", ((x - half_w, y - half_l), (x + half_w, y + half_l)), fill=colour, stroke="ink"),
            Shape("polygon", (base[0], tip, base[1]), fill=colour, stroke="ink"),
            Shape("text", ((x, y),), fill="mark", label=side.upper())]


def drawing(sketch: dict[str, Any]) -> Drawing | None:
    """The sketch to draw, or None where none was made (or a stored one no longer reads)."""
    try:
        sketch = clean(sketch)
    except KernelError:
        return None
    layout = sketch["layout"]
    shapes = [Shape("rect", corners, fill="road") for corners in _ROADS[layout]]
    shapes += [Shape("line", ends, stroke="mark", dashed=True) for ends in _CENTRE_LINES[layout]]
    a, b = sketch["a"], sketch["b"]
    shapes += _vehicle(a["cell"], a["heading"], "a") + _vehicle(b["cell"], b["heading"], "b")
    (ax, ay), (bx, by) = _centre(a["cell"]), _centre(b["cell"])
    mx, my = (ax + bx) / 2, (ay + by) / 2
    shapes.append(Shape("polygon", ((mx, my - 6), (mx + 6, my), (mx, my + 6), (mx - 6, my)), fill="hit"))
    labels = [Shape("text", ((c * STEP + STEP / 2, 8.0),), label=COLUMNS[c]) for c in range(5)]
    labels += [Shape("text", ((6.0, r * STEP + STEP / 2),), label=ROWS[r]) for r in range(5)]
    title = pgettext("accidents", "Sketch: %(layout)s") % {"layout": LAYOUTS[layout]}
    return frame(SIZE, SIZE, STEP, [*shapes, *labels], title)


def shown(data: Any) -> dict[str, Any]:
    """The sketch drawn (SVG) and in words, for the drivers', the officer's and the insurer's pages."""
    picture = drawing(data)
    return {"sketch_svg": svg(picture) if picture else "", "sketch_text": describe(data)}
