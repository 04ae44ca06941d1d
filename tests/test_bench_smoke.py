"""Every benchmark in bench/ runs at a tiny size (BENCH_SIZE=tiny), as `make bench` runs it (its own
process, its own database), so none rots between benchmark runs: it exits 0, prints its figures,
records them, draws the chart, and leaves no temporary directory behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.common import ROOT, discover

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="runs in the SQLite pass (the benchmarks make their own databases; BENCH_DATABASE_URL for PostgreSQL)")


@pytest.mark.parametrize("name", discover())
def test_benchmark_runs_at_tiny_size(name: str, tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "BENCH_DATABASE_URL", "LONGCHENG_VAR_DIR", "DJANGO_SETTINGS_MODULE"}}
    env |= {"BENCH_SIZE": "tiny", "BENCH_RESULTS": str(results), "TMPDIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "bench", name], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    rows = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()] if results.exists() else []
    assert rows, f"bench_{name} recorded no figure:\n{output[-4000:]}"
    for row in rows:
        assert row["metric"] in proc.stdout, f"figure not printed: {row['metric']}"
        assert row["ours"] > 0 and row["reference"] > 0, row
        assert row["vendor"] == "sqlite" and row["size"] == "tiny" and row["machine"]["cores"], row
    assert (tmp_path / "chart-sqlite.svg").read_text(encoding="utf-8").startswith("<svg")
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("longcheng-bench-")], "workspace left behind"
