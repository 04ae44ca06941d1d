"""The module contract checks itself (docs/adding-a-module.md, kernel/contract.py, pyproject.toml's
import-linter contracts).

Every module listed in settings has the furniture. Then, in a scratch copy of the project, `longcheng
startmodule demo_x` makes a module that passes every check as generated — the furniture, the import
contracts, its own tests, the translations and the role × route matrix with the new module in it —
and the checks fail on a module that imports another, a kernel file that imports a module, and a
module missing its furniture.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from longcheng.kernel import registry
from longcheng.kernel.contract import problems

ROOT = Path(__file__).resolve().parent.parent
MODULES = [app for app in settings.INSTALLED_APPS if app.startswith("longcheng.modules.")]


@pytest.mark.parametrize("app", MODULES)
def test_every_module_keeps_the_contract(app: str) -> None:
    code = app.rsplit(".", 1)[1]
    path = Path(importlib.import_module(app).__file__ or "").parent
    assert problems(path, code) == []
    assert code in {spec.code for spec in registry.modules()}, f"{app} does not register_module()"
    errors = importlib.import_module(f"{app}.errors")
    assert list(errors.ErrorCode), f"{app}.errors.ErrorCode is empty"


# --- a scratch copy of the project --------------------------------------------------------------------

def _run(args: list[str], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd), "LONGCHENG_VAR_DIR": str(cwd / "var"), "JOBS_IMMEDIATE": "1",
           "PYTHONDONTWRITEBYTECODE": "1"}
    for name in ("DATABASE_URL", "LONGCHENG_MODULES", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The project copied (code, tests, configuration) with `longcheng startmodule demo_x` run in it."""
    # The copy runs on its own SQLite database whichever database this run uses.
    copy = tmp_path_factory.mktemp("project")
    ignore = shutil.ignore_patterns("__pycache__", "media", "*.sqlite3")
    for name in ("longcheng", "tests", "scripts"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copy2(ROOT / name, copy / name)
    if (ROOT / ".mypy_cache").is_dir():
        # `make test` ran mypy over the project first: the copy's check then reads the unchanged
        # files from the cache and checks only the new module (minutes less on two cores).
        shutil.copytree(ROOT / ".mypy_cache", copy / ".mypy_cache")
    made = _run([sys.executable, "-m", "longcheng", "startmodule", "demo_x", "--label", "Demo service",
                 "--label-zh", "演示服务"], copy)
    assert made.returncode == 0, made.stderr
    assert (copy / "longcheng/modules/demo_x/migrations/0001_initial.py").exists()
    assert '"longcheng.modules.demo_x"' in (copy / "longcheng/settings.py").read_text(encoding="utf-8")
    assert not (ROOT / "longcheng/modules/demo_x").exists()  # the real project is untouched
    yield copy


def _lint_imports(copy: Path) -> subprocess.CompletedProcess[str]:
    return _run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache", str(copy / "pyproject.toml")], copy)


def test_a_generated_module_passes_every_check(scratch: Path) -> None:
    assert problems(scratch / "longcheng/modules/demo_x", "demo_x") == []
    lint = _lint_imports(scratch)
    assert lint.returncode == 0 and " kept, 0 broken" in lint.stdout, lint.stdout
    ruff = _run([str(Path(sys.executable).parent / "ruff"), "check", "longcheng/modules/demo_x"], scratch)
    assert ruff.returncode == 0, ruff.stdout
    mypy = _run([str(Path(sys.executable).parent / "mypy"), "longcheng/modules/demo_x"], scratch)
    assert mypy.returncode == 0, mypy.stdout
    i18n = _run([sys.executable, "scripts/i18n.py", "check"], scratch)
    assert i18n.returncode == 0, i18n.stdout + i18n.stderr


def test_a_generated_module_is_in_the_route_matrix_and_its_tests_pass(scratch: Path) -> None:
    # The route matrix's sweeps run for demo_x only (they run for every other part in this run);
    # its checks that every page and API route is declared run whole.
    tests = _run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-m", "not postgres",
                  "-k", "demo_x or not (by_role or denied_change_nothing)",
                  "longcheng/modules/demo_x", "tests/test_route_matrix.py",
                  "tests/test_module_contract.py::test_every_module_keeps_the_contract"], scratch, timeout=1800)
    assert tests.returncode == 0, tests.stdout[-4000:]
    assert "test_every_module_keeps_the_contract[longcheng.modules.demo_x] PASSED" in tests.stdout
    assert "test_pages_by_role[demo_x] PASSED" in tests.stdout and "test_every_page_is_in_the_matrix PASSED" in tests.stdout


def test_a_module_importing_another_breaks_the_contract(scratch: Path) -> None:
    bad = scratch / "longcheng/modules/demo_x/peek.py"
    bad.write_text("from longcheng.modules.youthaid import rules  # noqa: F401\n", encoding="utf-8")
    try:
        lint = _lint_imports(scratch)
    finally:
        bad.unlink()
    assert lint.returncode != 0
    assert "Modules never import each other BROKEN" in lint.stdout and "longcheng.modules.demo_x.peek" in lint.stdout


def test_a_kernel_file_importing_a_module_breaks_the_contract(scratch: Path) -> None:
    bad = scratch / "longcheng/kernel/peek.py"
    bad.write_text("import longcheng.modules.demo_x.models  # noqa: F401\n", encoding="utf-8")
    try:
        lint = _lint_imports(scratch)
    finally:
        bad.unlink()
    assert lint.returncode != 0
    assert "The kernel never imports a module BROKEN" in lint.stdout and "longcheng.kernel.peek" in lint.stdout


def test_a_module_missing_its_furniture_breaks_the_contract(scratch: Path) -> None:
    module = scratch / "longcheng/modules/demo_x"
    aside = scratch / "aside"
    aside.mkdir(exist_ok=True)
    for name in ("access.py", "errors.py", "tests/routes.py"):
        shutil.move(module / name, aside / name.replace("/", "_"))
    rules = (module / "rules.py").read_text(encoding="utf-8")
    (module / "rules.py").write_text(rules + "\nfrom django.db import connection  # noqa: E402,F401\n",
                                     encoding="utf-8")
    (module / "urls.py").write_text((module / "urls.py").read_text(encoding="utf-8").replace(
        'app_name = "demo_x"', 'app_name = "demo"'), encoding="utf-8")
    try:
        found = problems(module, "demo_x")
    finally:
        for name in ("access.py", "errors.py", "tests/routes.py"):
            shutil.move(aside / name.replace("/", "_"), module / name)
        (module / "rules.py").write_text(rules, encoding="utf-8")
        (module / "urls.py").write_text((module / "urls.py").read_text(encoding="utf-8").replace(
            'app_name = "demo"', 'app_name = "demo_x"'), encoding="utf-8")
    assert sorted(found) == sorted([
        "demo_x: missing access.py (fetch and authorise)",
        "demo_x: missing errors.py (the module's error codes)",
        "demo_x: missing tests/routes.py (the route matrix entries)",
        "demo_x: urls.py must set app_name = 'demo_x'",
        "demo_x: rules.py must not do I/O (imports ['django.db'], uses [])",
    ])
    assert problems(module, "demo_x") == []
