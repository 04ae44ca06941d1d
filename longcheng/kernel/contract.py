"""The module contract, checked: the furniture every module has (docs/adding-a-module.md).

`problems(path, code)` reads a module's directory and returns what is missing or wrong, one line
each; tests/test_module_contract.py runs it on every module listed in settings, and on a scratch
module made by `longcheng startmodule`. The import rule (the kernel never imports a module, modules
never import each other) is import-linter's, configured in pyproject.toml.

The checks read files, never import the module: a module that does not load is reported, not raised.
"""

from __future__ import annotations

import ast
from pathlib import Path

# (what, paths of which one must exist) — "views" may be a module, several views_*.py or a package;
# "actions" a module or a package with one file per topic (its __init__ re-exports the do_* names).
REQUIRED: list[tuple[str, tuple[str, ...]]] = [
    ("the app config", ("apps.py",)),
    ("the registry entry (register_module)", ("spec.py",)),
    ("the state", ("models.py",)),
    ("the migrations", ("migrations/__init__.py",)),
    ("every change as do_<verb>_<thing>", ("actions.py", "actions/__init__.py")),
    ("fetch and authorise", ("access.py",)),
    ("pure decisions", ("rules.py",)),
    ("the module's error codes", ("errors.py",)),
    ("the API router", ("api.py",)),
    ("the pages", ("views.py", "views/__init__.py")),
    ("the page urls", ("urls.py",)),
    ("the module's share of the demo city", ("demo.py", "demo/__init__.py")),
    ("the tests", ("tests/__init__.py",)),
    ("the route matrix entries", ("tests/routes.py",)),
    ("the Chinese translations", ("locale/zh_Hans/LC_MESSAGES/django.po",)),
]
# Modules read by the contract but not demanded of every module: jobs.py (background work),
# conf.py (the module's settings), management/ (its commands), static/, and any helper file.
OPTIONAL = ("jobs.py", "conf.py", "management/", "static/")

# What a rule may not touch: pure decisions read their arguments, not the database or the network.
IMPURE = ("django.db", "requests", "httpx", "urllib", "socket", "longcheng.kernel.sql")


def _tree(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return None


def _imports(tree: ast.Module) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def _assigned(tree: ast.Module, name: str) -> ast.expr | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return node.value
    return None


def _string(tree: ast.Module | None, name: str) -> str | None:
    value = _assigned(tree, name) if tree else None
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def _class_attr(tree: ast.Module | None, attr: str) -> str | None:
    for node in tree.body if tree else []:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if (isinstance(item, ast.Assign) and any(isinstance(t, ast.Name) and t.id == attr for t in item.targets)
                        and isinstance(item.value, ast.Constant) and isinstance(item.value.value, str)):
                    return item.value.value
    return None


def problems(path: Path, code: str) -> list[str]:
    """What module `code` at `path` lacks or gets wrong; empty when it keeps the contract."""
    path = Path(path)
    found: list[str] = []
    for what, options in REQUIRED:
        if not any((path / option).exists() for option in options):
            found.append(f"{code}: missing {' or '.join(options)} ({what})")

    apps = _tree(path / "apps.py") if (path / "apps.py").exists() else None
    if apps is not None:
        if _class_attr(apps, "label") != code:
            found.append(f"{code}: apps.py must set label = {code!r}")
        if _class_attr(apps, "name") != f"longcheng.modules.{code}":
            found.append(f"{code}: apps.py must set name = 'longcheng.modules.{code}'")
    urls = _tree(path / "urls.py") if (path / "urls.py").exists() else None
    if urls is not None and _string(urls, "app_name") != code:
        found.append(f"{code}: urls.py must set app_name = {code!r}")

    spec = _tree(path / "spec.py") if (path / "spec.py").exists() else None
    if spec is not None and "register_module" not in {getattr(n.func, "id", getattr(n.func, "attr", ""))
                                                      for n in ast.walk(spec) if isinstance(n, ast.Call)}:
        found.append(f"{code}: spec.py must call register_module(ModuleSpec(...))")

    errors = _tree(path / "errors.py") if (path / "errors.py").exists() else None
    if errors is not None:
        enum = next((n for n in errors.body if isinstance(n, ast.ClassDef) and n.name == "ErrorCode"), None)
        if enum is None or not any(getattr(b, "id", getattr(b, "attr", "")) == "StrEnum" for b in enum.bases):
            found.append(f"{code}: errors.py must define class ErrorCode(StrEnum)")
        elif not any(isinstance(item, ast.Assign) for item in enum.body):
            found.append(f"{code}: errors.py's ErrorCode names no code")

    rules = _tree(path / "rules.py") if (path / "rules.py").exists() else None
    if rules is not None:
        impure = sorted(name for name in _imports(rules) if name.startswith(IMPURE))
        queries = sorted({n.attr for n in ast.walk(rules) if isinstance(n, ast.Attribute) and n.attr == "objects"})
        if impure or queries:
            found.append(f"{code}: rules.py must not do I/O (imports {impure}, uses {queries})")

    packages = [f.relative_to(path).as_posix() for d in ("actions", "views") if (path / d).is_dir()
                for f in sorted((path / d).glob("*.py"))]
    for name in ("actions.py", "access.py", "rules.py", "api.py", "models.py", *packages):
        if (path / name).exists() and _tree(path / name) is None:
            found.append(f"{code}: {name} does not parse")
    return found
