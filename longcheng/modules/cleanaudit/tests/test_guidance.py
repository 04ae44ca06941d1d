"""Two-way guidance: a thread on a stage and an artefact, answered by the other side, who is told in the
app; closed by who opened it or by the technical team; the experts' visits logged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, NotFound
from longcheng.kernel.notify.models import Message as Notice
from longcheng.modules.cleanaudit import actions
from longcheng.modules.cleanaudit.models import Message, Thread, Visit

from .conftest import list_round


def test_a_thread_between_the_expert_and_the_firm(world: dict[str, Any]) -> None:
    audit = list_round(world)
    plan = actions.do_add_artefact(audit.pk, kind="plan", title="审核工作计划", acting_user=world["firm_user"])
    thread = actions.do_open_thread(audit.pk, stage="planning", subject="工作计划缺少物料平衡测试安排",
                                    body="请补充平衡测试的时间和设备。", artefact_id=plan.pk, acting_user=world["expert"])
    actions.do_reply(thread.pk, body="已补充，见第三节。", acting_user=world["firm_user"])
    actions.do_reply(thread.pk, body="园区已知悉。", acting_user=world["park"])
    assert list(Message.objects.filter(thread=thread).order_by("at", "pk").values_list("side", flat=True)) == [
        "expert", "firm", "park"]
    # The expert heard of the firm's answer; the expert and the firm of the park's.
    assert Notice.objects.filter(recipient_user=world["expert"]).count() == 2
    assert Notice.objects.filter(recipient_user=world["firm_user"]).count() == 1
    with pytest.raises(KernelError) as not_theirs:
        actions.do_close_thread(thread.pk, acting_user=world["firm_user"])
    assert not_theirs.value.field == "thread" and Thread.objects.get(pk=thread.pk).closed_at is None
    actions.do_close_thread(thread.pk, acting_user=world["expert"])
    with pytest.raises(KernelError) as closed:
        actions.do_reply(thread.pk, body="还有一个问题", acting_user=world["firm_user"])
    assert closed.value.code == "thread_closed" and Message.objects.filter(thread=thread).count() == 3
    assert AuditEntry.objects.filter(action__startswith="cleanaudit.thread.").count() == 4


def test_strangers_and_empty_messages_are_refused(world: dict[str, Any]) -> None:
    audit = list_round(world)
    with pytest.raises(NotFound):
        actions.do_open_thread(audit.pk, stage="planning", subject="问", body="问", acting_user=world["other_firm"])
    with pytest.raises(NotFound):
        actions.do_open_thread(audit.pk, stage="planning", subject="问", body="问", acting_user=world["expert_liyang"])
    with pytest.raises(KernelError) as empty:
        actions.do_open_thread(audit.pk, stage="planning", subject="问", body="  ", acting_user=world["firm_user"])
    assert empty.value.field == "body"
    with pytest.raises(KernelError) as stage:
        actions.do_open_thread(audit.pk, stage="nowhere", subject="问", body="问", acting_user=world["firm_user"])
    assert stage.value.field == "stage"
    assert not Thread.objects.exists() and not Message.objects.exists()


def test_only_the_technical_team_logs_visits(world: dict[str, Any]) -> None:
    audit = list_round(world)
    actions.do_log_visit(audit.pk, on=dt.date(2026, 3, 2), note="现场查看涂装线", acting_user=world["expert"])
    with pytest.raises(KernelError) as firm:
        actions.do_log_visit(audit.pk, on=dt.date(2026, 3, 2), acting_user=world["firm_user"])
    assert firm.value.code == "wrong_side"
    with pytest.raises(KernelError) as future:
        actions.do_log_visit(audit.pk, on=dt.date(2099, 1, 1), acting_user=world["expert"])
    assert future.value.field == "on"
    assert list(Visit.objects.values_list("note", flat=True)) == ["现场查看涂装线"]
