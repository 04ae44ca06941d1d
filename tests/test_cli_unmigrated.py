"""Every `longcheng` command on a database that was never migrated says so in one line, with the
fix, instead of a traceback (a fresh checkout before the first `make run`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Commands that read or write the database, as a newcomer would type them.
COMMANDS = [
    ["workdays", "due", "2026-11-23T16:00", "1.5"],
    ["workdays", "show", "2026"],
    ["demo", "--residents", "0", "--quiet"],
    ["youthaid", "scan"],
]


def _run(args: list[str], var_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LONGCHENG_VAR_DIR": str(var_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "longcheng", *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_an_unmigrated_database_is_named_with_its_fix(args: list[str], tmp_path: Path) -> None:
    result = _run(args, tmp_path)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "not migrated" in lines[0] and "make run" in lines[0] and "longcheng migrate" in lines[0]


def test_a_migrated_database_answers(tmp_path: Path) -> None:
    assert _run(["migrate", "--noinput", "-v", "0"], tmp_path).returncode == 0
    result = _run(["workdays", "due", "2026-11-23T16:00", "1.5"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2026-11-25" in result.stdout
