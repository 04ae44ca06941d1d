"""Every audit action written in the code has a label declared in the registry (the kernel's in
kernel/audit/labels.py, each module's in its spec): the audit page never shows a bare code."""

from __future__ import annotations

import ast
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from longcheng.kernel import registry
from longcheng.kernel.audit.forms import action_choices, object_type_choices
from longcheng.kernel.audit.models import AuditEntry

ROOT = Path(__file__).resolve().parent.parent / "longcheng"
WRITERS = {"record", "entry", "audit_entry", "record_many"}


def _written_codes() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "module_template" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            values = [kw.value for kw in node.keywords if kw.arg == "action" and name in {"download", "OrganisationChange"}]
            if name in WRITERS and len(node.args) >= 2:
                values.append(node.args[1])
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found[value.value] = str(path.relative_to(ROOT))
    return found


def test_every_written_action_has_a_label() -> None:
    codes = _written_codes()
    assert "onestop.open_task" in codes and "people.update" in codes  # the scan finds what it should
    declared = registry.audit_actions()
    missing = {code: where for code, where in codes.items() if code not in declared}
    assert not missing, f"audit actions without a label (declare them in the spec's audit_actions): {missing}"


def test_the_dynamic_actions_have_labels() -> None:
    declared = registry.audit_actions()
    for step in ("acknowledge", "dispatch", "arrive", "resolve"):
        assert f"homesafety.alarm.{step}" in declared
    for kind in ("commitment", "donation", "payment", "release", "return", "manual"):
        assert f"ledger.{kind}" in declared
    for service in ("relocation", "deregistration", "startup"):
        assert f"onestop.{service}" in declared


def test_the_action_filter_labels_are_unique() -> None:
    # Two modules both declared "下载材料": the filter must tell them apart.
    with translation.override("zh-hans"):
        labels = [label for _code, label in action_choices()]
    assert len(labels) == len(set(labels)), sorted(label for label in labels if labels.count(label) > 1)


def test_the_object_type_filter_lists_only_audited_models_without_app_codes(db) -> None:
    user_ct = ContentType.objects.get_for_model(get_user_model())
    assert object_type_choices() == []
    AuditEntry.objects.create(action="test.seen", object_type=user_ct, object_id="1")
    choices = object_type_choices()
    assert [value for value, _label in choices] == [f"{user_ct.app_label}.{user_ct.model}"]
    assert "(" not in choices[0][1]
