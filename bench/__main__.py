"""`make bench`: run every benchmark in bench/, print figures beside their baselines, draw the charts.

    python -m bench                 # all, at BENCH_SIZE (default small)
    python -m bench workdays ledger # some, in this order
    python -m bench --chart         # only redraw the charts from var/bench/results.jsonl

Each benchmark runs in a process of its own on a database of its own (an SQLite file in a temporary
directory, or with BENCH_DATABASE_URL=postgres://… a database created on that server), removed when
it ends, failed or not: benchmarks share nothing, so any of them runs alone, in any order.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import subprocess
import sys
import time

from bench.common import RESULTS, ROOT, Workspace, _clock, discover, setup_django, size

BENCHES = discover()


def _one(name: str) -> int:
    """In the benchmark's own process: Django on the workspace's database, then its run()."""
    setup_django()
    importlib.import_module(f"bench.bench_{name}").run()
    return 0


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """The benchmark's process group (it and whatever it started: ingest workers, pools)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _run_one(name: str, position: str, env: dict[str, str], timeout: float | None) -> int:
    space = Workspace(name)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "bench", "--one", name], cwd=ROOT, start_new_session=True,
                                env={**env, **space.env(), "BENCH_WORKSPACE": str(space.tmp), "BENCH_MODULE": name,
                                     "BENCH_POSITION": position, "BENCH_STARTED": str(time.time()),
                                     "PYTHONUNBUFFERED": "1"})
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            print(f"   bench_{name}: stopped after {timeout:.0f} s (BENCH_TIMEOUT)", flush=True)
            code = -1
        finally:
            # Whatever it left running (or all of it, on a timeout or Ctrl-C) ends with it.
            _stop_group(proc)
        return code
    finally:
        space.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", metavar="name", help=f"benchmarks to run (default all: {', '.join(BENCHES)})")
    parser.add_argument("--one", metavar="NAME", help=argparse.SUPPRESS)  # the runner's child process
    parser.add_argument("--chart", action="store_true", help="only draw the charts from the results file")
    args = parser.parse_args(argv)
    if args.one:
        return _one(args.one)
    from bench.chart import draw

    if args.chart:
        for path in draw(RESULTS):
            print(f"chart: {path}")
        return 0
    names = args.names or BENCHES
    unknown = sorted(set(names) - set(BENCHES))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    timeout = float(os.environ["BENCH_TIMEOUT"]) if os.environ.get("BENCH_TIMEOUT") else None
    started = time.time()
    env = {**os.environ, "BENCH_RUN": time.strftime("%Y-%m-%dT%H:%M:%S"), "BENCH_RUN_STARTED": str(started)}
    database = "PostgreSQL (BENCH_DATABASE_URL)" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    print(f"{len(names)} benchmark(s) at size {size()} on {database}, {os.cpu_count()} cores; figures appended to "
          f"{RESULTS.relative_to(ROOT) if RESULTS.is_relative_to(ROOT) else RESULTS}", flush=True)
    outcomes: list[tuple[str, int, float]] = []
    for index, name in enumerate(names, 1):
        print(f"== [{index}/{len(names)}] bench_{name} ({_clock(time.time() - started)} elapsed)", flush=True)
        began = time.time()
        code = _run_one(name, f"{index}/{len(names)} {name},", env, timeout)
        outcomes.append((name, code, time.time() - began))
        print(f"   bench_{name}: {'ok' if code == 0 else f'FAILED (exit {code})'} in {time.time() - began:.1f} s",
              flush=True)
    print(f"== done in {_clock(time.time() - started)}: "
          + ", ".join(f"{n} {'ok' if c == 0 else 'FAILED'} {s:.0f} s" for n, c, s in outcomes), flush=True)
    try:
        for path in draw(RESULTS):
            print(f"chart: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    except Exception as exc:  # a chart that cannot be drawn must not hide the figures printed above
        print(f"chart not drawn: {exc!r}", file=sys.stderr)
        return 1
    return 1 if any(code for _n, code, _s in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
