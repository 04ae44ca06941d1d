"""Shared set-up for benchmarks: a throw-away database, Django configured, timing by median.

Each benchmark measures the project's code and a baseline in the same run, on the same machine, and
prints both with their ratio: the machines are shared and noisy, so absolute figures drift while the
ratio holds. Figures are also appended to var/bench/results.json and drawn by bench/__main__.py.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "var" / "bench" / "results.json"


def setup_django() -> None:
    """A fresh database for the run: SQLite in a temp dir unless BENCH_DATABASE_URL says otherwise."""
    if "DJANGO_SETTINGS_MODULE" in os.environ and os.environ.get("_BENCH_READY"):
        return
    tmp = Path(tempfile.mkdtemp(prefix="longcheng-bench-"))
    os.environ.setdefault("LONGCHENG_VAR_DIR", str(tmp))
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ["JOBS_IMMEDIATE"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "longcheng.settings"
    os.environ["_BENCH_READY"] = "1"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def median_seconds(fn: Callable[[], Any], *, repeat: int = 5, number: int = 1) -> float:
    """Median wall time of `number` calls, over `repeat` rounds, per call."""
    rounds = []
    for _ in range(repeat):
        begin = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - begin) / number)
    return statistics.median(rounds)


def progress(label: str) -> None:
    print(f"  … {label}", file=sys.stderr, flush=True)


def report(bench: str, metric: str, ours: float, baseline: float, unit: str, baseline_name: str,
           *, higher_is_better: bool = False) -> None:
    """Print one comparison and keep it for the chart."""
    ratio = (ours / baseline) if baseline else float("nan")
    better = ratio if higher_is_better else (1 / ratio if ratio else float("nan"))
    print(f"{bench:<10} {metric:<44} {ours:>12.4g} {unit:<8} baseline ({baseline_name}) {baseline:>12.4g} {unit:<8}"
          f" ratio {ratio:6.2f}  ({better:.2f}× {'better' if better >= 1 else 'worse'})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    rows = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    rows.append({"bench": bench, "metric": metric, "ours": ours, "baseline": baseline, "unit": unit,
                 "baseline_name": baseline_name, "speedup": better, "at": time.strftime("%Y-%m-%dT%H:%M:%S")})
    RESULTS.write_text(json.dumps(rows, ensure_ascii=False, indent=1))
