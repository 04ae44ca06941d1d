"""The benchmark chart and results file: runs accumulate, one chart per database, each figure its
own row (two baselines for one metric are two rows), targets apart from the speed-ups, on a log
scale around the 1× line with the values printed."""

from __future__ import annotations

import json
from pathlib import Path

from bench.chart import draw


def _row(vendor: str, run: str, metric: str, kind: str, ours: float, reference: float, name: str,
         **extra: object) -> dict[str, object]:
    return {"run": run, "at": run, "module": "demo", "vendor": vendor, "database": f"{vendor} 1.0", "size": "small",
            "machine": {"cores": 2, "host": "h", "python": "3.11", "load_1min": 1.5}, "bench": "demo", "metric": metric,
            "kind": kind, "ours": ours, "reference": reference, "reference_name": name, "unit": "ms", **extra}


def test_one_chart_per_database_from_the_latest_run(tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    rows = [
        _row("sqlite", "2026-01-01T00:00:00", "old figure", "baseline", 1, 2, "old baseline", higher_is_better=False,
             better=2.0),
        _row("sqlite", "2026-01-02T00:00:00", "page p95", "baseline", 30, 90, "one query", higher_is_better=False,
             better=3.0),
        _row("sqlite", "2026-01-02T00:00:00", "page p95", "baseline", 30, 6, "sign-in page", higher_is_better=False,
             better=0.2),
        _row("sqlite", "2026-01-02T00:00:00", "page p95 target", "target", 250, 200, "target ≤ 200 ms",
             higher_is_better=False, met=False),
        _row("postgresql", "2026-01-03T00:00:00", "page p95", "baseline", 10, 20, "one query", higher_is_better=False,
             better=2.0),
    ]
    results.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")

    written = {p.name for p in draw(results)}

    assert {"chart-sqlite.svg", "chart-postgresql.svg"} <= written
    svg = (tmp_path / "chart-sqlite.svg").read_text(encoding="utf-8")
    assert "old figure" not in svg  # an older run of the same benchmark is not drawn
    assert "3× better: 30 vs 90 ms, one query" in svg  # both baselines of one metric, each with its numbers
    assert "0.2× worse: 30 vs 6 ms, sign-in page" in svg
    assert "Targets:" in svg and "250 ms, target ≤ 200 ms: MISSED" in svg  # the target in its own panel
    assert 'class="major">1×<' in svg  # the 1× line, on a log axis
    assert ">10×<" in svg or ">0.1×<" in svg
    assert "load 1.5" in svg and "2 cores" in svg
    pg = (tmp_path / "chart-postgresql.svg").read_text(encoding="utf-8")
    assert "sign-in page" not in pg and "2× better: 10 vs 20 ms" in pg
