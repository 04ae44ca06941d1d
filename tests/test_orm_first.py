"""The ORM first (docs/architecture.md): no code reaches into model instances' internals
(`Model.from_db`, `_state`, `__dict__`) except kernel/sql.py, which builds instances for the
kernel's hand-written statements, and its own test."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "longcheng"
ALLOWED = {"kernel/sql.py", "kernel/tests/test_sql.py"}
INTERNALS = re.compile(r"(?<![A-Za-z_])(from_db\(|_state\.|__dict__)|\.from_db\b")


def test_no_instance_internals_outside_kernel_sql() -> None:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if INTERNALS.search(line):
                found.append(f"{name}:{number}: {line.strip()}")
    assert found == []
