"""Charts drawn on the server as inline SVG with pygal, so pages need no JavaScript library and no
network. pygal's default config points at a CDN for tooltips; we turn that off."""

from __future__ import annotations

import re

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

from longcheng.kernel.registry import Chart

_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1d2430",
    foreground_strong="#1d2430",
    foreground_subtle="#5d6878",
    colors=("#1f5fa8", "#b3261e", "#1e7b34", "#a15c00", "#6a4c93", "#0f7c80"),
    font_family='"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif',
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    title_font_size=14,
    value_font_size=11,
)

_TARGET_LINE = "stroke:#a15c00;stroke-width:2;stroke-dasharray:6,3;opacity:1"

_KINDS = {"bar": pygal.Bar, "line": pygal.Line, "pie": pygal.Pie, "hbar": pygal.HorizontalBar}


def _axis(graph: pygal.Graph, chart: Chart) -> None:
    """A fixed top (a share's 100 %) and the targets as major guide lines with their own labels; the
    regular ticks that would print over a target's label are left out."""
    if chart.top is not None:
        graph.range = (0, chart.top)
    if not chart.guides:
        return
    top = chart.top or max((v for values in chart.series.values() for v in values), default=1) or 1
    ticks = [top * i / 5 for i in range(5)]
    near = 0.08 * top
    graph.y_labels = sorted({*(t for t in ticks if all(abs(t - g) > near for g in chart.guides)), *chart.guides})
    graph.y_labels_major = list(chart.guides)


def render_chart(chart: Chart, *, width: int = 560, height: int = 300) -> SafeString:
    cls = _KINDS.get(chart.kind, pygal.Bar)
    graph = cls(
        style=_STYLE, width=width, height=height, js=[], disable_xml_declaration=True,
        show_legend=len(chart.series) > 1 or chart.kind == "pie", legend_at_bottom=True,
        x_label_rotation=30 if len(chart.labels) > 6 else 0, print_values=chart.kind != "line",
        explicit_size=False, margin=8, title=str(chart.title),
    )
    if chart.kind == "pie":
        values = next(iter(chart.series.values()), [])
        for label, value in zip(chart.labels, values, strict=False):
            graph.add(label, value)
    else:
        graph.x_labels = chart.labels
        _axis(graph, chart)
        for name, values in chart.series.items():
            graph.add(name, values)
    svg = graph.render(is_unicode=True)
    # pygal always writes a small inline <script> (its tooltip config) even with js=[]: the CSP
    # blocks inline scripts, so drop it rather than have every chart log a violation.
    svg = re.sub(r"<script[^>]*>.*?</script>", "", svg, flags=re.DOTALL)
    # A target line must stand out from the grid: pygal draws it as a "major" guide in the grid's grey.
    # (Without targets pygal marks round values as "major" by itself: those stay grey.)
    if chart.guides:
        svg = svg.replace('class="major guide line"', f'class="major guide line target" style="{_TARGET_LINE}"')
    # role/aria-label: the figures inside are also listed in text elsewhere on the page.
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{chart.title}" ', 1))
