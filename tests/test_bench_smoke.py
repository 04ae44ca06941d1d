"""Every benchmark in bench/ runs at a tiny size (BENCH_SIZE=tiny), as `make bench` runs it (its own
process, its own database), so none rots between benchmark runs: it exits 0, prints its figures,
records them, draws the chart, and leaves no temporary directory behind. They run on SQLite whichever
database this run of the suite uses, each from a copy of one database migrated once per worker
(migrating takes longer than most tiny runs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.common import ROOT, discover

OUTSIDE = {"DATABASE_URL", "BENCH_DATABASE_URL", "LONGCHENG_VAR_DIR", "DJANGO_SETTINGS_MODULE"}


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database with every migration applied, which each benchmark starts from."""
    where = tmp_path_factory.mktemp("bench-template")
    env = {key: value for key, value in os.environ.items() if key not in OUTSIDE}
    env |= {"DATABASE_URL": f"sqlite:///{where / 'template.sqlite3'}", "LONGCHENG_VAR_DIR": str(where)}
    proc = subprocess.run([sys.executable, "-m", "longcheng", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return where / "template.sqlite3"


@pytest.mark.parametrize("name", discover())
def test_benchmark_runs_at_tiny_size(name: str, tmp_path: Path, migrated: Path) -> None:
    results = tmp_path / "results.jsonl"
    env = {key: value for key, value in os.environ.items() if key not in OUTSIDE}
    env |= {"BENCH_SIZE": "tiny", "BENCH_RESULTS": str(results), "TMPDIR": str(tmp_path),
            "BENCH_SQLITE_TEMPLATE": str(migrated)}
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
