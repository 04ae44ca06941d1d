"""`make bench`: run every benchmark in bench/, print figures beside their baselines, draw a chart.

    python -m bench                 # all
    python -m bench workdays ledger # some
"""

from __future__ import annotations

import importlib
import json
import sys
import time

from bench.common import RESULTS, ROOT, setup_django

# Every bench/bench_<name>.py with a run() function; modules add theirs as bench_<code>_<what>.py.
BENCHES = sorted(p.stem.removeprefix("bench_") for p in (ROOT / "bench").glob("bench_*.py"))


def chart() -> None:
    """One bar per figure: how many times faster (or slower, below 1) than its baseline."""
    import pygal

    rows = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    latest: dict[str, dict] = {}
    for row in rows:
        latest[f"{row['bench']}: {row['metric']}"] = row
    graph = pygal.HorizontalBar(js=[], width=900, height=80 + 40 * len(latest), show_legend=False,
                                title="longcheng benchmarks: speed-up over the baseline measured in the same run")
    graph.x_labels = list(latest)
    graph.add("speed-up", [round(r["speedup"], 2) for r in latest.values()])
    out = ROOT / "var" / "bench" / "speedups.svg"
    graph.render_to_file(str(out))
    print(f"chart: {out.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    names = argv or BENCHES
    unknown = sorted(set(names) - set(BENCHES))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    setup_django()
    if RESULTS.exists():
        RESULTS.unlink()
    for index, name in enumerate(names, 1):
        print(f"== [{index}/{len(names)}] bench_{name}", flush=True)
        begin = time.perf_counter()
        importlib.import_module(f"bench.bench_{name}").run()
        print(f"   ({time.perf_counter() - begin:.1f} s)", flush=True)
    chart()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
