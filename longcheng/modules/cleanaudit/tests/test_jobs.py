"""Reminders before a deadline go to the firm's side; escalation after it to the technical team and the
bureau over the firm's place; each person hears once however often the sweep runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from longcheng.kernel.notify.models import Message as Notice
from longcheng.kernel.workdays.api import SHANGHAI
from longcheng.modules.cleanaudit import actions, jobs

from .conftest import list_round


def test_reminders_then_escalation_once_each(world: dict[str, Any]) -> None:
    audit = list_round(world)  # 筹划与组织 due 2026-03-31
    actions.do_register(audit.pk, acting_user=world["firm_user"], now=dt.datetime(2026, 2, 2, 9, tzinfo=SHANGHAI))
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


def test_the_registration_deadline_reminds_then_escalates_through_notify(world: dict[str, Any]) -> None:
    audit = list_round(world)  # registration (备案) due 2026-02-28, 筹划与组织 2026-03-31
    assert jobs.sweep(today=dt.date(2026, 2, 1)) == 0
    assert jobs.sweep(today=dt.date(2026, 2, 22)) == 1  # within 7 days: the firm's side
    reminder = Notice.objects.get()
    assert reminder.recipient_user == world["firm_user"] and "备案" in reminder.body and reminder.channel == "inapp"
    jobs.sweep(today=dt.date(2026, 2, 23))
    assert Notice.objects.count() == 1  # told once
    jobs.sweep(today=dt.date(2026, 3, 1))  # past its day: the expert of 遥观镇 and the bureau of 武进区
    late = set(Notice.objects.filter(dedupe_key__startswith="cleanaudit:register-late").values_list(
        "recipient_user__username", flat=True))
    assert late == {"expert", "bureau"}
    jobs.sweep(today=dt.date(2026, 3, 2))
    assert Notice.objects.filter(dedupe_key__startswith="cleanaudit:register").count() == 3
    # Registered: nothing more about it, even past its day.
    actions.do_register(audit.pk, acting_user=world["firm_user"], now=dt.datetime(2026, 3, 3, 9, tzinfo=SHANGHAI))
    before = Notice.objects.count()
    assert jobs.sweep(today=dt.date(2026, 3, 4)) == 0 and Notice.objects.count() == before
