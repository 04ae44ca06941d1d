"""An audit row in words: the action's label instead of its code, before/after as "label: value"
lines instead of a dict. Labels come from the registry (each module declares its own in its spec)
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
from longcheng.kernel.ledger.money import format_fen


def action_label(code: str) -> str:
    """The declared label of an action code; an undeclared code is shown as it is (a module that
    forgot to declare it is then visible, and the test of declared labels fails)."""
    label = registry.audit_action_label(code)
    return str(label) if label is not None else code


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
    if isinstance(value, int) and name.endswith("_fen"):
        return format_fen(value)
    if isinstance(value, dict):
        return "; ".join(f"{field_label(None, k)}: {value_text(None, k, v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        if name == "lines":  # ledger lines: [account, amount in fen]
            return "; ".join(f"{line[0]} {format_fen(line[1])}" if isinstance(line, list | tuple) and len(line) == 2
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


def describe(row: Any) -> Any:
    """Set action_label, before_lines and after_lines on a row already passed through show_to()."""
    model = row.object_type.model_class()
    row.action_label = action_label(row.action)
    row.before_lines = lines(model, row.before_shown)
    row.after_lines = lines(model, row.after_shown)
    return row


def described(rows: Any, user: Any) -> list[Any]:
    """Audit rows as `user` may see them, in words: what a module's history section shows (with
    the kernel's include web/_history_table.html)."""
    return [describe(row.show_to(user)) for row in rows]
