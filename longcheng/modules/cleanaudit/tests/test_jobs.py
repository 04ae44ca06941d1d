"""Reminders before a deadline go to the firm's side; escalation after it to the technical team and the
bureau over the firm's place; each person hears once however often the sweep runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from longcheng.kernel.notify.models import Message as Notice
from longcheng.modules.cleanaudit import jobs

from .conftest import list_round


def test_reminders_then_escalation_once_each(world: dict[str, Any]) -> None:
    audit = list_round(world)  # 筹划与组织 due 2026-03-31
    assert jobs.sweep(today=dt.date(2026, 3, 1)) == 0
    assert jobs.sweep(today=dt.date(2026, 3, 27)) == 1
    assert list(Notice.objects.values_list("recipient_user__username", flat=True)) == ["firm_user"]
    jobs.sweep(today=dt.date(2026, 3, 28))
    assert Notice.objects.count() == 1  # told once
    jobs.sweep(today=dt.date(2026, 4, 2))
    told = set(Notice.objects.values_list("recipient_user__username", flat=True))
    # The expert of 遥观镇 and the bureau of 武进区; not the expert of 溧阳市, nor the other firm.
    assert told == {"firm_user", "expert", "bureau"}
    jobs.sweep(today=dt.date(2026, 4, 3))
    assert Notice.objects.count() == 3
    assert Notice.objects.filter(recipient_user=world["bureau"], subject__contains=audit.firm.name).exists()
