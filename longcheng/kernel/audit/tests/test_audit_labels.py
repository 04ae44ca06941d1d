"""Issue 15 (finding 13): people read action codes and dicts in the audit trail (`youthaid.apply`,
`{'application': 221, 'amount_fen': 200000}`, `relocation #21 / move_in`). A self-check: every
action code any part records has a label in both languages, and so has every key of the changes
recorded by the kernel, onestop, youthaid and homesafety; and the one display puts them in words."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.utils import translation

from longcheng.kernel import registry

ROOT = Path(__file__).resolve().parents[3]  # the longcheng package
# The calls that write an audit row, with the action code as second argument (or action=).
WRITERS = {"record", "entry", "audit_entry", "_audit", "record_read"}
# Parts whose change keys are all labelled; the others are not covered yet (their keys show as
# they are stored): ecorestore, remediation.
FIELDS_COVERED = ("kernel", "modules/onestop", "modules/youthaid", "modules/homesafety", "modules/accidents")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _calls() -> list[tuple[Path, ast.Call]]:
    out = []
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or "module_template" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) in WRITERS:
                out.append((path, node))
    return out


def _codes(arg: ast.expr | None) -> tuple[list[str], list[str]]:
    """Constant codes, and prefixes of codes built with an f-string."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return [arg.value], []
    if isinstance(arg, ast.IfExp):
        a, b = _codes(arg.body), _codes(arg.orelse)
        return a[0] + b[0], a[1] + b[1]
    if isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
        return [], [str(arg.values[0].value)]
    return [], []


def _both_languages(label: Any) -> tuple[str, str]:
    with translation.override("en"):
        en = str(label)
    with translation.override("zh-hans"):
        zh = str(label)
    return en, zh


def test_every_recorded_action_code_has_a_label_in_both_languages() -> None:
    codes: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    for path, call in _calls():
        arg = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "action"), None)
        constant, built = _codes(arg)
        for code in constant:
            codes.setdefault(code, f"{path.relative_to(ROOT)}:{call.lineno}")
        for prefix in built:
            prefixes.setdefault(prefix, f"{path.relative_to(ROOT)}:{call.lineno}")
    assert len(codes) > 100 and {"youthaid.apply", "onestop.accept", "homesafety.enrol"} <= set(codes)
    labels = registry.audit_actions()
    problems = []
    for code, where in sorted(codes.items()):
        if code not in labels:
            problems.append(f"{code} ({where}): no label")
            continue
        en, zh = _both_languages(labels[code])
        if en == code or not en.strip() or not CJK.search(zh):
            problems.append(f"{code} ({where}): label {en!r} / {zh!r} not in both languages")
    for prefix, where in sorted(prefixes.items()):
        if not any(code.startswith(prefix) for code in labels):
            problems.append(f"{prefix}… ({where}): no code with this prefix has a label")
    assert not problems, "\n".join(problems)


def _model_labels(app_label: str) -> set[str]:
    """Fields of an app's models with a verbose name of their own (display.field_label's fallback)."""
    names = set()
    with translation.override("en"):  # a verbose name that is the field's name in English is none
        for model in apps.get_app_config(app_label).get_models():
            for f in model._meta.get_fields():
                verbose = getattr(f, "verbose_name", None)
                if verbose is not None and str(verbose) != f.name.replace("_", " "):
                    names.add(f.name)
    return names


@pytest.mark.parametrize("part", FIELDS_COVERED)
def test_every_key_of_a_recorded_change_has_a_label_in_both_languages(part: str) -> None:
    problems = []
    for path, call in _calls():
        if not str(path.relative_to(ROOT)).startswith(part):
            continue
        app = path.relative_to(ROOT).parts[1] if part.startswith("modules") else None
        own = _model_labels(app) if app else set()
        for keyword in call.keywords:
            if keyword.arg not in ("before", "after") or not isinstance(keyword.value, ast.Dict):
                continue
            for key in keyword.value.keys:
                if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                    continue
                name = str(key.value)
                label = registry.audit_field_label(name)
                if label is None:
                    if name not in own:
                        problems.append(f"{name} ({path.relative_to(ROOT)}:{call.lineno}): no label")
                    continue
                en, zh = _both_languages(label)
                if not CJK.search(zh) or en == name:
                    problems.append(f"{name}: label {en!r} / {zh!r} not in both languages")
    assert not problems, "\n".join(problems)


def test_a_row_in_words_labels_amounts_in_yuan_and_the_action(db: Any) -> None:
    from django.contrib.contenttypes.models import ContentType

    from longcheng.kernel.audit.display import describe
    from longcheng.kernel.audit.models import AuditEntry

    youth = ContentType.objects.get_by_natural_key("youthaid", "youth")
    row = AuditEntry(action="youthaid.apply", object_type=youth, object_id="7", object_repr="青少年 #7",
                     after={"application": 221, "amount_fen": 200000, "reaid": False})
    with translation.override("zh-hans"):
        describe(row)
        assert row.action_label == "申请资助" or CJK.search(row.action_label)
        assert ("金额", "2,000.00 元") in row.after_lines
        assert all(label and "_" not in label for label, _value in row.after_lines)
    with translation.override("en"):
        describe(row)
        assert ("Amount", "2,000.00 yuan") in row.after_lines and "youthaid" not in row.action_label
