"""An audit row in words, the one place that does it for every page that shows the trail (the audit
page and its export, a case's history in a module): the action's label instead of its code,
before/after as "label: value" lines instead of a dict ("金额: 2,000.00 元"), and the object by a
human name instead of its stored text ("relocation #21 / move_in"). Labels come from the registry
(each module declares its own in its spec: audit_actions, audit_fields, audit_money, audit_objects)
and from the audited model's fields; values are the ones `AuditEntry.show_to` left (masked by the
policy), only put into words here: choices by their label, fen as yuan, times in local time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel import registry


def action_label(code: str) -> str:
    """The declared label of an action code; an undeclared code is shown as it is (a module that
    forgot to declare it is then visible, and the test of declared labels fails)."""
    label = registry.audit_action_label(code)
    return str(label) if label is not None else code


def yuan_text(fen: int) -> str:
    """An amount in fen as people write it: "2,000.00 元" / "2,000.00 yuan"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return _("%(amount)s yuan") % {"amount": f"{sign}{whole:,}.{cents:02d}"}


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def field_label(model: type[models.Model] | None, name: str) -> str:
    declared = registry.audit_field_label(name)
    if declared is not None:
        return str(declared)
    field = _field(model, name)
    verbose = getattr(field, "verbose_name", None)
    if verbose and str(verbose) != name.replace("_", " "):
        return str(verbose)
    return name


def _time(text: str) -> str | None:
    if len(text) < 16 or text[4:5] != "-" or "T" not in text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")


def value_text(model: type[models.Model] | None, name: str, value: Any) -> str:
    """One value in words (recursively for nested dicts and lists)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int) and (name.endswith("_fen") or registry.audit_money(name)):
        return yuan_text(value)
    if isinstance(value, dict):
        return "; ".join(f"{field_label(None, k)}: {value_text(None, k, v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        if name == "lines":  # ledger lines: [account, amount in fen]
            return "; ".join(f"{line[0]} {yuan_text(line[1])}" if isinstance(line, list | tuple) and len(line) == 2
                             and isinstance(line[1], int) else value_text(None, "", line) for line in value)
        return ", ".join(value_text(None, name, v) for v in value)
    field = _field(model, name)
    choices = dict(field.flatchoices) if field is not None and getattr(field, "choices", None) else {}
    if value in choices:
        return str(choices[value])
    if isinstance(value, str):
        return _time(value) or value
    return str(value)


def lines(model: type[models.Model] | None, values: Any) -> list[tuple[str, str]]:
    """before/after as (label, value) pairs; anything that is not a dict as one unnamed line."""
    if values is None or values == {}:
        return []
    if not isinstance(values, dict):
        return [("", value_text(model, "", values))]
    return [(field_label(model, k), value_text(model, k, v)) for k, v in values.items()]


def _names(rows: list[Any]) -> dict[tuple[int, str], str]:
    """Human names of the rows' objects, one call per kind of object a module names."""
    ids: dict[Any, set[str]] = {}
    for row in rows:
        ids.setdefault(row.object_type, set()).add(row.object_id)
    names: dict[tuple[int, str], str] = {}
    for object_type, wanted in ids.items():
        namer = registry.audit_object_namer(f"{object_type.app_label}.{object_type.model}")
        if namer is not None:
            for pk, name in namer(sorted(wanted)).items():
                names[(object_type.pk, str(pk))] = name
    return names


def describe_all(rows: list[Any]) -> list[Any]:
    """describe() each row, the objects' names read once for all of them. Rows not passed through
    show_to() (a module's own history of its objects) show before/after as the policy masks them."""
    names = _names(rows)
    for row in rows:
        model = row.object_type.model_class()
        row.action_label = action_label(row.action)
        row.before_lines = lines(model, row.before_shown if hasattr(row, "before_shown") else row.shown_before)
        row.after_lines = lines(model, row.after_shown if hasattr(row, "after_shown") else row.shown_after)
        shown = row.repr_shown if hasattr(row, "repr_shown") else row.object_repr
        # A named object's name, unless show_to() masked its stored text (a person).
        row.object_name = names.get((row.object_type.pk, row.object_id), shown) if shown == row.object_repr else shown
    return rows


def describe(row: Any) -> Any:
    """Set action_label, before_lines, after_lines and object_name on a row (see describe_all)."""
    return describe_all([row])[0]


def described(rows: Any, user: Any) -> list[Any]:
    """Audit rows as `user` may see them, in words: what a module's history section shows (with
    the kernel's include web/_history_table.html)."""
    return describe_all([row.show_to(user) for row in rows])
