"""The check run by scripts/test after the SQLite pass: listed kernel files must be fully covered.
The data files here are written directly (no second tracer inside the measured test run)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from coverage import CoverageData

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("coverage_rules", ROOT / "scripts" / "coverage_rules.py")
assert _spec and _spec.loader
rules = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rules)


def _data(tmp_path: Path, lines: dict[str, list[int]]) -> Path:
    data = CoverageData(basename=str(tmp_path / ".coverage"))
    data.add_lines({str(tmp_path / name): found for name, found in lines.items()})
    data.write()
    return tmp_path / ".coverage"


def test_a_listed_file_with_a_line_not_run_is_named_with_the_line(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text("a = 1\nif a:\n    b = 2\nelse:\n    b = 3\n")
    assert rules.shortfalls(_data(tmp_path, {"mod.py": [1, 2, 3]}), ["mod.py"], tmp_path) == {"mod.py": [5]}
    assert rules.shortfalls(_data(tmp_path, {"mod.py": [1, 2, 3, 5]}), ["mod.py"], tmp_path) == {}


def test_a_listed_file_the_run_never_imported_fails(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text("a = 1\nb = 2\n")
    (tmp_path / "other.py").write_text("c = 3\n")
    assert rules.shortfalls(_data(tmp_path, {"other.py": [1]}), ["mod.py"], tmp_path) == {"mod.py": [1, 2]}


def test_the_listed_files_exist() -> None:
    assert all((ROOT / name).is_file() for name in rules.FULLY_COVERED)
