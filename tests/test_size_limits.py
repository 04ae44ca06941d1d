"""Issue 12's size rule: no file over 600 lines outside migrations and tests, and no function over
60 lines outside the demo builders (`demo.py`, or a `demo/` package). A function's length is its `ast` span, from the
`def` line to its last line, decorators excluded.

The allow-lists are empty (issue 12 split the last offenders: homesafety's ingest, the youth aid
demo, the benchmark builders). Should one ever be needed, each entry is exact, so a new offender,
or an allowed one growing into a second rule, fails; an entry whose offender is shortened fails too.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("longcheng", "bench", "scripts", "conftest.py")
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 60

# Files over 600 lines allowed (relative path). Empty: keep it so, split a file before it grows past.
FILES_ALLOWED: set[str] = set()

# Functions over 60 lines allowed ("path:function"). Empty: name the steps of a long function instead.
FUNCTIONS_ALLOWED: set[str] = set()


def _sources() -> list[Path]:
    files: list[Path] = []
    for name in SCANNED:
        path = ROOT / name
        files.extend([path] if path.is_file() else sorted(path.rglob("*.py")))
    return [p for p in files if not ({"migrations", "tests"} & set(p.relative_to(ROOT).parts))
            and not p.name.startswith("test_") and ".venv" not in p.parts]


def long_files() -> set[str]:
    return {str(p.relative_to(ROOT)) for p in _sources() if len(p.read_text().splitlines()) > MAX_FILE_LINES}


def function_lengths(source: str) -> dict[str, int]:
    """Each function's (and method's, nested or not) length in lines, by name."""
    return {node.name: (node.end_lineno or node.lineno) - node.lineno + 1 for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def long_functions() -> dict[str, int]:
    found: dict[str, int] = {}
    for path in _sources():
        if path.name == "demo.py" or "demo" in path.relative_to(ROOT).parts:
            continue  # a demo builder (a module's demo.py, or its demo/ package)
        for name, length in function_lengths(path.read_text()).items():
            if length > MAX_FUNCTION_LINES:
                found[f"{path.relative_to(ROOT)}:{name}"] = length
    return found


def test_no_file_over_600_lines() -> None:
    found = long_files()
    assert not found - FILES_ALLOWED, f"files over {MAX_FILE_LINES} lines: {sorted(found - FILES_ALLOWED)}"
    assert not FILES_ALLOWED - found, f"no longer over the limit, remove from FILES_ALLOWED: {sorted(FILES_ALLOWED - found)}"


def test_no_function_over_60_lines() -> None:
    found = long_functions()
    new = {k: v for k, v in found.items() if k not in FUNCTIONS_ALLOWED}
    assert not new, f"functions over {MAX_FUNCTION_LINES} lines (split them into named helpers): {new}"
    gone = FUNCTIONS_ALLOWED - set(found)
    assert not gone, f"no longer over the limit, remove from FUNCTIONS_ALLOWED: {sorted(gone)}"


def test_the_measure_catches_a_long_function() -> None:
    # The rule can fail: a 61-line function is found, a 60-line one is not.
    body = "\n".join(f"    x{i} = {i}" for i in range(59))
    lengths = function_lengths(f"def long():\n{body}\n    return 0\n\n\nasync def short():\n{body}\n")
    assert lengths == {"long": 61, "short": 60}
