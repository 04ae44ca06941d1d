"""The benchmark charts: one SVG (and a PNG when resvg-py is installed) per database.

Each benchmark's latest run on that database, one row per figure, in two panels:
- same-run baselines: how many times better than the baseline, on a log scale around the 1× line
  (left of it: slower than the baseline, which for a baseline without guarantees is the price of
  them); the ratio and both values printed on the bar;
- targets: the measured value itself printed beside its target, the bar showing the margin (log
  scale, the line is the target), green when met, red when missed.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from bench.common import ROOT, _fmt

BETTER, WORSE, MET, MISSED = "#2f6fb0", "#b0b0b0", "#2e9e4f", "#d62728"


def _latest(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Per database: each benchmark's rows from its latest run, one per figure."""
    by_vendor: dict[str, dict[str, dict[str, Any]]] = {}
    for row in rows:
        runs = by_vendor.setdefault(row["vendor"], {})
        module = row.get("module") or row["bench"]  # two modules may report under one name
        latest = runs.get(module)
        if latest is None or row["run"] > latest["run"]:
            runs[module] = {"run": row["run"], "rows": {}}
        if runs[module]["run"] == row["run"]:
            runs[module]["rows"][(row["metric"], row["kind"], row["reference_name"])] = row
    return {vendor: [r for bench in sorted(runs) for r in runs[bench]["rows"].values()]
            for vendor, runs in by_vendor.items()}


def _times(x: float) -> str:
    return f"{x:,.0f}×" if x >= 10 else f"{x:.2g}×" if x >= 0.1 else f"{x:.1g}×"


def _panel(title: str, rows: list[dict[str, Any]], values: list[float], labels: list[str], colours: list[str],
           prints: list[str], axis: str, legend: list[tuple[str, str]], line: str = "1×") -> str:
    import pygal
    from pygal.style import Style

    # pygal draws the first row at the bottom: reversed, the rows read top-down in the results' order.
    values, labels, colours, prints = values[::-1], labels[::-1], colours[::-1], prints[::-1]

    low = min(-1, math.floor(min(values)))
    high = max(1, math.ceil(max(values)))
    # Room on the right for the text printed after each bar.
    high_room = high + 0.8 * (high - low)
    style = Style(background="white", plot_background="white", font_family="DejaVu Sans, sans-serif",
                  label_font_size=12, major_label_font_size=13, value_font_size=11, title_font_size=15,
                  legend_font_size=12, colors=tuple(c for _n, c in legend), guide_stroke_color="#ddd",
                  major_guide_stroke_color="#000", value_colors=("#222",) * len(legend))
    chart = pygal.HorizontalStackedBar(
        js=[], style=style, width=1500, height=140 + 34 * len(rows), explicit_size=True, title=title,
        x_title=axis, print_values=True, print_values_position="top", truncate_label=-1, legend_at_bottom=True,
        range=(low, high_room), y_labels=list(range(low, high + 1)), y_labels_major=[0], show_minor_y_labels=True,
        value_formatter=lambda v: line if v == 0 else _times(10 ** v), spacing=6, margin_left=10, zero=0, show_x_guides=False,
        print_zeroes=False)
    chart.x_labels = labels
    for name, colour in legend:
        chart.add(name, [{"value": v, "formatter": (lambda _v, p=p: p)} if c == colour else None
                         for v, c, p in zip(values, colours, prints, strict=True)])
    svg = chart.render(is_unicode=True)
    # pygal centres a printed value on the bar's end, half over the bar: start it just past the end,
    # and for a bar left of the line just right of the line, so no text runs into the row labels.
    # A no-break space is the gap SVG keeps.
    svg = re.sub(rf'<text[^>]*class="value"[^>]*>{line}</text>', "", svg)  # the other series' empty slot
    zero = re.search(r'<path d="M([0-9.]+) [0-9.]+ v[0-9.]+" class="major line"', svg)
    left = {p for v, p in zip(values, prints, strict=True) if v < 0}

    def place(match: re.Match[str]) -> str:
        x, rest, text = match.group(1), match.group(2), match.group(3)
        if text in left and zero:
            x = zero.group(1)
        return f'<text text-anchor="start" x="{x}"{rest}>\u00a0{text}'

    return re.sub(r'<text text-anchor="middle" x="([0-9.]+)"([^>]*class="value")>([^<]*)', place, svg)


def _baselines(rows: list[dict[str, Any]]) -> str | None:
    rows = [r for r in rows if r["kind"] == "baseline" and r["better"] == r["better"] and r["better"] > 0]
    if not rows:
        return None
    values = [math.log10(r["better"]) for r in rows]
    labels = [f"{r['bench']}: {r['metric']}"[:110] for r in rows]
    colours = [BETTER if r["better"] >= 1 else WORSE for r in rows]
    prints = [f"{_times(r['better'])} {'better' if r['better'] >= 1 else 'worse'}: {_fmt(r['ours'])} vs "
              f"{_fmt(r['reference'])} {r['unit']}, {r['reference_name']}" for r in rows]
    return _panel("Same-run baselines: times better than the baseline (log scale; the line is 1×, as good as it)",
                  rows, values, labels, colours, prints, "times better than the baseline measured in the same run",
                  [("better than its baseline", BETTER), ("worse than its baseline", WORSE)])


def _targets(rows: list[dict[str, Any]]) -> str | None:
    rows = [r for r in rows if r["kind"] == "target" and r["ours"] > 0 and r["reference"] > 0]
    if not rows:
        return None
    values = [math.log10(r["ours"] / r["reference"] if r["higher_is_better"] else r["reference"] / r["ours"])
              for r in rows]
    labels = [f"{r['bench']}: {r['metric']}"[:120] for r in rows]
    colours = [MET if r["met"] else MISSED for r in rows]
    prints = [f"{_fmt(r['ours'])} {r['unit']}, {r['reference_name'].split(' (')[0]}: {'met' if r['met'] else 'MISSED'}"
              for r in rows]
    return _panel("Targets: the measured value against its target (right of the line: met; bar = margin, log scale)",
                  rows, values, labels, colours, prints, "margin to the target (the line is the target)",
                  [("target met", MET), ("target missed", MISSED)], line="target")


def _stack(svgs: list[str], heading: str) -> str:
    """The panels one under the other in one SVG (each keeps its own scoped style)."""
    width = 1500
    parts, y = [], 40
    for svg in svgs:
        svg = svg[svg.index("<svg"):]
        height = int(float(svg.split('height="', 1)[1].split('"', 1)[0]))
        parts.append(svg.replace("<svg", f'<svg x="0" y="{y}"', 1))
        y += height + 10
    title = (heading.replace("&", "&amp;").replace("<", "&lt;"))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{width}" '
            f'height="{y}" viewBox="0 0 {width} {y}"><rect width="100%" height="100%" fill="white"/>'
            f'<text x="10" y="26" font-family="DejaVu Sans, sans-serif" font-size="17" font-weight="bold">{title}</text>'
            + "".join(parts) + "</svg>")


def draw(results: Path, out_dir: Path | None = None) -> list[Path]:
    """Draw every database's chart from the results file; returns the files written."""
    out_dir = out_dir or results.parent
    if not results.exists():
        return []
    rows = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines() if line.strip()]
    written = []
    for vendor, latest in sorted(_latest(rows).items()):
        panels = [svg for svg in (_baselines(latest), _targets(latest)) if svg]
        if not panels:
            continue
        runs = sorted({r["run"] for r in latest})
        sizes = sorted({r["size"] for r in latest})
        first = latest[0]
        loads = sorted(r["machine"]["load_1min"] for r in latest if "load_1min" in r["machine"])
        heading = (f"longcheng benchmarks on {first['database']}, {first['machine']['cores']} cores "
                   f"({first['machine']['host']}"
                   + (f", load {loads[0]:.1f}–{loads[-1]:.1f}" if loads else "") + f"); size {', '.join(sizes)}; "
                   f"runs {runs[0][:16]}{' – ' + runs[-1][:16] if len(runs) > 1 else ''}")
        svg = _stack(panels, heading)
        path = out_dir / f"chart-{vendor}.svg"
        path.write_text(svg, encoding="utf-8")
        written.append(path)
        try:
            import resvg_py
        except ImportError:
            continue  # the PNG is a convenience: `make bench` installs the bench extra that has it
        png = out_dir / f"chart-{vendor}.png"
        png.write_bytes(bytes(resvg_py.svg_to_bytes(svg_string=svg)))
        written.append(png)
    return written


if __name__ == "__main__":
    for written_path in draw(ROOT / "var" / "bench" / "results.jsonl"):
        print(written_path)
