"""Writing the audit trail. Called by every action, inside the action's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction

from longcheng.kernel import sql
from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import path_of, paths_of
from longcheng.kernel.privacy import mask_values

from .models import AuditEntry


class AuditOutsideTransaction(RuntimeError):
    """An audit row written outside a transaction could survive a change that rolled back."""


def _actor(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def entry(
    acting_user: User | AnonymousUser | None,
    action: str,
    obj: models.Model,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    is_read: bool = False,
) -> AuditEntry:
    """An audit row, not yet written: for actions that change many objects at once (record_many).
    Personal values in before/after are masked by the kernel's policy (kernel.privacy): the trail
    records that a phone or an address changed, never the number or the house."""
    row = AuditEntry(
        actor=_actor(acting_user),
        action=action,
        object_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=mask_values(type(obj), before),
        after=mask_values(type(obj), after),
        reason=reason,
        is_read=is_read,
    )
    row._audited = obj  # type: ignore[attr-defined]  # its place path is read when the row is written
    return row


def record(
    acting_user: User | AnonymousUser | None,
    action: str,
    obj: models.Model,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    is_read: bool = False,
) -> AuditEntry:
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction(f"audit of {action} must be written inside the action's transaction")

    row = entry(acting_user, action, obj, before=before, after=after, reason=reason, is_read=is_read)
    row.place_path = path_of(obj)
    row.save(force_insert=True)
    return row


def record_many(rows: list[AuditEntry]) -> list[AuditEntry]:
    """Write the audit rows of one action in one statement, in order (their ids keep the order).
    A hand-written INSERT (kernel.sql): bulk_create spent 0.1 ms of Python per row, and busy
    batch actions write several rows per item."""
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction("audit rows must be written inside the action's transaction")

    objects = [getattr(row, "_audited", None) for row in rows]
    paths = paths_of([obj for obj in objects if obj is not None])
    for row, obj in zip(rows, objects, strict=True):
        if obj is not None and not row.place_path:
            row.place_path = paths.get((type(obj), obj.pk), "")
    sql.insert_objects(rows)
    return rows


def record_read(acting_user: User | AnonymousUser | None, obj: models.Model, fields: Iterable[str], *, reason: str) -> AuditEntry:
    """A read of sensitive data (an unmasked ID number, a health record, a bank account)."""
    with transaction.atomic():
        return record(acting_user, "reveal", obj, after={"fields": sorted(fields)}, reason=reason, is_read=True)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
