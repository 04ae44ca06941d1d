"""Shared set-up for benchmarks: a throw-away database per benchmark, sizes, timing, figures.

Each benchmark measures the project's code and a baseline in the same run, on the same machine, and
prints both with their ratio: the machines are shared and noisy, so absolute figures drift while the
ratio holds. A figure with a target (not a baseline) is printed with it and whether it is met.
Figures are appended to var/bench/results.jsonl (every run kept, with its date, database and
machine) and drawn by bench/chart.py.

Sizes: BENCH_SIZE=tiny (a few seconds each: `make test` runs every benchmark so), small (the
default of `make bench`) or city (the issues' scale); a benchmark's own variables (BENCH_RESIDENTS,
...) override the size's number.
"""

from __future__ import annotations

import atexit
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(os.environ.get("BENCH_RESULTS") or ROOT / "var" / "bench" / "results.jsonl")
SIZES = ("tiny", "small", "city")


def discover() -> list[str]:
    """Every bench/bench_<name>.py (each with a run() function); modules add theirs as
    bench_<code>_<what>.py and are picked up here, by `make bench` and by the smoke test."""
    return sorted(p.stem.removeprefix("bench_") for p in (ROOT / "bench").glob("bench_*.py"))


def size() -> str:
    name = os.environ.get("BENCH_SIZE") or ("tiny" if os.environ.get("BENCH_TINY") == "1" else "small")
    if name not in SIZES:
        raise SystemExit(f"BENCH_SIZE must be one of {', '.join(SIZES)}, not {name!r}")
    return name


def sized(env: str, *, tiny: int, small: int, city: int) -> int:
    """A benchmark's size: its own variable if set, else the number for BENCH_SIZE."""
    if os.environ.get(env):
        return int(os.environ[env])
    return {"tiny": tiny, "small": small, "city": city}[size()]


# --- a database of its own ----------------------------------------------------------------------------


class Workspace:
    """A temporary directory (SQLite file, job queue, traces, any temp file) and, when
    BENCH_DATABASE_URL names a PostgreSQL server, a database of its own on it (`<that URL's
    database>_<label>_<random>`), both removed by close() whatever happened."""

    def __init__(self, label: str) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix=f"longcheng-bench-{label}-"))
        self.database_url = f"sqlite:///{self.tmp / 'bench.sqlite3'}"
        self._pg: tuple[str, str] | None = None
        server = os.environ.get("BENCH_DATABASE_URL", "")
        if server:
            if not server.startswith(("postgres://", "postgresql://")):
                raise SystemExit("BENCH_DATABASE_URL must be a postgres:// URL (SQLite is the default)")
            parts = urlsplit(server)
            base = (parts.path.lstrip("/") or "longcheng_bench").replace("-", "_")
            name = f"{base}_{label}_{uuid.uuid4().hex[:6]}".lower()[:63]
            admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
            self._pg = (admin, name)
            self._admin(f'CREATE DATABASE "{name}"')
            self.database_url = urlunsplit(parts._replace(path=f"/{name}"))

    def _admin(self, sql: str) -> None:
        import psycopg

        assert self._pg is not None
        with psycopg.connect(self._pg[0], autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql)  # type: ignore[arg-type]  # names are ours, quoted

    def env(self) -> dict[str, str]:
        env = {"DATABASE_URL": self.database_url, "LONGCHENG_VAR_DIR": str(self.tmp), "TMPDIR": str(self.tmp),
               "JOBS_IMMEDIATE": "1", "DJANGO_SETTINGS_MODULE": "longcheng.settings"}
        if self._pg is not None:
            # As deployed (docs/operations.md): without it every request opens a new connection.
            env["DB_CONN_MAX_AGE"] = os.environ.get("DB_CONN_MAX_AGE", "60")
        return env

    def close(self) -> None:
        try:
            if self._pg is not None:
                # FORCE: an ingest worker or a forked pool of a failed run may still hold a connection.
                self._admin(f'DROP DATABASE IF EXISTS "{self._pg[1]}" WITH (FORCE)')
                self._pg = None
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


_ready = False


def setup_django() -> None:
    """Django configured on this benchmark's database, migrated. Under `python -m bench` the runner
    made the workspace (and removes it); a benchmark run on its own makes one, removed at exit."""
    global _ready
    if _ready:
        return
    if not os.environ.get("BENCH_WORKSPACE"):
        space = Workspace("solo")
        atexit.register(space.close)
        os.environ.update(space.env())
        os.environ["BENCH_WORKSPACE"] = str(space.tmp)
        tempfile.tempdir = None  # TMPDIR changed: temp files go into the workspace too
    template = os.environ.get("BENCH_SQLITE_TEMPLATE", "")
    target = os.environ.get("DATABASE_URL", "")
    if template and target.startswith("sqlite:///") and os.path.exists(template):
        # A database migrated once by the caller (the smoke test runs every benchmark): migrating
        # takes longer than a tiny run itself. `migrate` below then finds nothing left to apply.
        shutil.copyfile(template, target.removeprefix("sqlite:///"))
    import django
    from django.core.management import call_command

    django.setup()
    if size() == "tiny":
        # The demo staff's passwords take PBKDF2 a second each on a busy machine, most of a tiny run;
        # tiny runs check that a benchmark still runs, not its figures.
        from django.test.utils import override_settings

        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]).enable()
    call_command("migrate", verbosity=0, interactive=False)
    _ready = True


# --- timing and progress ------------------------------------------------------------------------------


def median_seconds(fn: Callable[[], Any], *, repeat: int = 5, number: int = 1) -> float:
    """Median wall time of `number` calls, over `repeat` rounds, per call."""
    rounds = []
    for _ in range(repeat):
        begin = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - begin) / number)
    return statistics.median(rounds)


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds < 3600 else \
        f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def progress(label: str) -> None:
    """The step running now, with where the whole run stands: benchmark i of N, time so far."""
    now = time.time()
    started = float(os.environ.get("BENCH_RUN_STARTED") or now)
    bench_started = float(os.environ.get("BENCH_STARTED") or now)
    where = os.environ.get("BENCH_POSITION", "")
    print(f"  [{where + ' ' if where else ''}{_clock(now - started)} elapsed, {_clock(now - bench_started)} in this"
          f" benchmark] {label}", file=sys.stderr, flush=True)


# --- figures ------------------------------------------------------------------------------------------


def _context() -> dict[str, Any]:
    from django.db import connection

    if connection.vendor == "postgresql":
        version = connection.pg_version  # type: ignore[attr-defined]
        database = f"PostgreSQL {version // 10000}.{version % 10000}"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    return {"run": os.environ.get("BENCH_RUN") or time.strftime("%Y-%m-%dT%H:%M:%S"),
            "at": time.strftime("%Y-%m-%dT%H:%M:%S"), "module": os.environ.get("BENCH_MODULE", ""), "vendor": connection.vendor, "database": database,
            "size": size(), "machine": {"cores": os.cpu_count(), "host": platform.node(),
                                        "python": platform.python_version(),
                                        # The machine is shared: how busy it was says how far to trust a figure.
                                        "load_1min": round(os.getloadavg()[0], 2)}}


def _record(row: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as out:  # appended: every run is kept
        out.write(json.dumps({**_context(), **row}, ensure_ascii=False) + "\n")


def _fmt(value: float) -> str:
    if value != value:  # NaN
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def report(bench: str, metric: str, ours: float, baseline: float, unit: str, baseline_name: str,
           *, higher_is_better: bool = False) -> None:
    """One figure beside a baseline measured in the same run: how many times better (or worse)."""
    if baseline_name.lower().startswith("target"):
        # Bench files written before target() existed passed targets here; they are not baselines.
        target(bench, metric, ours, baseline, unit, higher_is_better=higher_is_better)
        return
    ratio = ours / baseline if baseline else float("nan")
    better = ratio if higher_is_better else (1 / ratio if ratio else float("nan"))
    verdict = f"{better:.2f}× {'better' if better >= 1 else 'worse'}" if better == better else "n/a"
    print(f"{bench:<10} {metric:<56} {_fmt(ours):>10} {unit:<7} vs {_fmt(baseline):>10} {unit:<7}"
          f" ({baseline_name}): {verdict}", flush=True)
    _record({"bench": bench, "metric": metric, "kind": "baseline", "ours": ours, "reference": baseline,
             "reference_name": baseline_name, "unit": unit, "higher_is_better": higher_is_better,
             "better": better})


def target(bench: str, metric: str, value: float, goal: float, unit: str, *, higher_is_better: bool = False,
           note: str = "") -> None:
    """One figure against its target (not a speed-up): met or missed."""
    met = value >= goal if higher_is_better else value <= goal
    sign = "≥" if higher_is_better else "≤"
    print(f"{bench:<10} {metric:<56} {_fmt(value):>10} {unit:<7} target {sign} {_fmt(goal)} {unit}: "
          f"{'met' if met else 'MISSED'}{f' ({note})' if note else ''}", flush=True)
    _record({"bench": bench, "metric": metric, "kind": "target", "ours": value, "reference": goal,
             "reference_name": f"target {sign} {_fmt(goal)} {unit}" + (f" ({note})" if note else ""), "unit": unit,
             "higher_is_better": higher_is_better, "met": met})


def note(text: str) -> None:
    """A line of context printed with the figures (not drawn)."""
    print(f"           {text}", flush=True)
