"""Audit rows are written inside the change's transaction, one at a time or many in one statement."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from longcheng.kernel.audit.actions import AuditOutsideTransaction, entry, record, record_many
from longcheng.kernel.audit.models import AuditEntry


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_refused_and_writes_nothing(admin: Any) -> None:
    with pytest.raises(AuditOutsideTransaction):
        record(admin, "test.one", admin)
    with pytest.raises(AuditOutsideTransaction):
        record_many([entry(admin, "test.many", admin)])
    assert not AuditEntry.objects.filter(action__startswith="test.").exists()


def test_many_rows_are_written_in_order_and_roll_back_with_the_change(admin: Any) -> None:
    with transaction.atomic():
        record_many([entry(admin, f"test.step{k}", admin, after={"k": k}) for k in range(3)])
    rows = list(AuditEntry.objects.filter(action__startswith="test.").order_by("id"))
    assert [(r.action, r.after, r.actor_id, r.object_id) for r in rows] == [
        (f"test.step{k}", {"k": k}, admin.pk, str(admin.pk)) for k in range(3)]
    assert all(r.at is not None for r in rows)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_many([entry(admin, "test.undone", admin)])
        raise RuntimeError("the change fails")
    assert not AuditEntry.objects.filter(action="test.undone").exists()
