"""Working on an alarm: the comment thread, the assignee, the notes on dispatch and arrival, the
outcome with the reason an alarm was false; refusals name the field and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, NotFound

from .. import actions, alarm_work
from ..ingest import Incoming, ingest
from ..models import Alarm, AlarmComment, AlarmEvent
from .conftest import raw


@pytest.fixture
def sos(world: Any) -> Alarm:
    ingest([Incoming(raw(event="sos"))], source="mqtt")
    return Alarm.objects.get()


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def _frozen(alarm: Alarm) -> tuple[Any, int, int, int]:
    return (Alarm.objects.values().get(pk=alarm.pk), AuditEntry.objects.count(), AlarmComment.objects.count(),
            AlarmEvent.objects.count())


def test_operator_worker_and_head_write_one_thread_each_line_audited(world: Any, sos: Alarm) -> None:
    actions.do_dispatch(sos.pk, to_user=world["worker"], acting_user=world["operator"], note="带钥匙")
    alarm_work.do_comment(sos.pk, text="已电话联系女儿", acting_user=world["operator"])
    # The community worker holds no home-safety role: the alarm sent to them is theirs to comment on.
    alarm_work.do_comment(sos.pk, text="  门锁着，邻居有钥匙  ", acting_user=world["worker"])
    alarm_work.do_comment(sos.pk, text="社区已知悉", acting_user=world["head"])
    rows = list(AlarmComment.objects.filter(alarm=sos).values_list("author__username", "text"))
    assert rows == [("op", "已电话联系女儿"), ("worker", "门锁着，邻居有钥匙"), ("head", "社区已知悉")]
    assert all(c.at for c in AlarmComment.objects.all())
    assert AuditEntry.objects.filter(action="homesafety.alarm.comment", object_id=str(sos.pk)).count() == 3


@pytest.mark.parametrize("who,text,error", [
    ("other_op", "看不到的告警", NotFound),
    ("operator", "   ", KernelError),
    ("operator", "长" * 2001, KernelError),
])
def test_a_refused_comment_changes_nothing(world: Any, sos: Alarm, who: str, text: str, error: type) -> None:
    before = _frozen(sos)
    with pytest.raises(error) as info:
        alarm_work.do_comment(sos.pk, text=text, acting_user=world[who])
    if error is KernelError:
        assert getattr(info.value, "field", None) == "text"
    assert _frozen(sos) == before


def test_a_worker_not_sent_to_the_alarm_may_not_comment(world: Any, sos: Alarm) -> None:
    before = _frozen(sos)
    with pytest.raises(NotFound):
        alarm_work.do_comment(sos.pk, text="我不是被派的人", acting_user=world["worker"])
    assert _frozen(sos) == before


def test_the_assignee_changes_on_the_timeline_and_in_the_audit(world: Any, sos: Alarm) -> None:
    alarm = alarm_work.do_assign(sos.pk, to_user=world["operator"], acting_user=world["operator"])
    assert alarm.assignee == world["operator"]
    alarm = alarm_work.do_assign(sos.pk, to_user=world["head"], acting_user=world["operator"])
    assert alarm.assignee == world["head"]
    audits = list(AuditEntry.objects.filter(action="homesafety.alarm.assign").order_by("pk")
                  .values_list("before", "after"))
    assert audits[-1] == ({"assignee": world["operator"].pk}, {"assignee": world["head"].pk})
    assert list(alarm.events.filter(step="assign").values_list("note", flat=True)) == [
        str(world["operator"]), str(world["head"])]


def test_assigning_someone_who_does_not_handle_alarms_there_is_refused(world: Any, sos: Alarm) -> None:
    before = _frozen(sos)
    for user in (world["other_op"], world["worker"]):
        with pytest.raises(KernelError) as info:
            alarm_work.do_assign(sos.pk, to_user=user, acting_user=world["operator"])
        assert info.value.field == "assignee"
    with pytest.raises(NotFound):
        alarm_work.do_assign(sos.pk, to_user=world["other_op"], acting_user=world["other_op"])
    assert _frozen(sos) == before and Alarm.objects.get(pk=sos.pk).assignee_id is None


def test_notes_on_dispatch_and_arrival_and_the_false_alarm_reason_are_kept(world: Any, sos: Alarm) -> None:
    op = world["operator"]
    actions.do_dispatch(sos.pk, to_user=world["worker"], acting_user=op, note="从后门进")
    actions.do_arrive(sos.pk, acting_user=op, note="老人安好")
    before = _frozen(sos)
    with pytest.raises(KernelError) as info:
        actions.do_resolve(sos.pk, outcome="false_alarm", acting_user=op, notes="误按")
    assert info.value.field == "false_alarm_reason" and _frozen(sos) == before
    with pytest.raises(KernelError):
        actions.do_resolve(sos.pk, outcome="false_alarm", false_alarm_reason="nonsense", acting_user=op)
    assert _frozen(sos) == before
    alarm = actions.do_resolve(sos.pk, outcome="false_alarm", false_alarm_reason="pressed", acting_user=op, notes="误按")
    assert (alarm.dispatch_note, alarm.arrival_note, alarm.outcome, alarm.false_alarm_reason, alarm.notes) == (
        "从后门进", "老人安好", "false_alarm", "pressed", "误按")


def test_a_real_emergency_keeps_no_false_alarm_reason(world: Any, sos: Alarm) -> None:
    alarm = actions.do_resolve(sos.pk, outcome="handled", false_alarm_reason="pressed", acting_user=world["operator"])
    assert alarm.false_alarm_reason == ""


def test_the_page_comments_assigns_and_shows_the_resolved_alarm(world: Any, sos: Alarm) -> None:
    client = _client(world["operator"])
    assert client.post(f"/homesafety/alarms/{sos.pk}/comment/", {"text": "已联系女儿"}).status_code == 302
    assert client.post(f"/homesafety/alarms/{sos.pk}/assign/", {"assignee": world["head"].pk}).status_code == 302
    client.post(f"/homesafety/alarms/{sos.pk}/dispatch/", {"to_user": world["worker"].pk, "note": "带钥匙"})
    client.post(f"/homesafety/alarms/{sos.pk}/arrive/", {"note": "老人安好"})
    response = client.post(f"/homesafety/alarms/{sos.pk}/resolve/", {"outcome": "false_alarm"})
    assert response.status_code == 400
    assert "误报原因" in response.content.decode()
    assert Alarm.objects.get(pk=sos.pk).is_open
    client.post(f"/homesafety/alarms/{sos.pk}/resolve/",
                {"outcome": "false_alarm", "false_alarm_reason": "cooking", "notes": "炒菜油烟"})
    page = client.get(f"/homesafety/alarms/{sos.pk}/").content.decode()
    for text in ("已联系女儿", "带钥匙", "老人安好", "误报", "做饭油烟或蒸汽", "炒菜油烟", "处理人"):
        assert text in page, text
    assert Alarm.objects.get(pk=sos.pk).assignee == world["head"]


def test_an_empty_comment_on_the_page_is_refused_naming_the_field(world: Any, sos: Alarm) -> None:
    response = _client(world["operator"]).post(f"/homesafety/alarms/{sos.pk}/comment/", {"text": " "})
    assert response.status_code == 400 and "请填写评论" in response.content.decode()
    assert not AlarmComment.objects.exists()


def test_the_console_offers_keyboard_shortcuts_from_its_own_static_file(world: Any, sos: Alarm) -> None:
    from pathlib import Path

    page = _client(world["operator"]).get("/homesafety/").content.decode()
    assert "homesafety/shortcuts.js" in page and "确认" in page and 'id="shortcuts-help"' in page
    script = (Path(__file__).resolve().parent.parent / "static" / "homesafety" / "shortcuts.js").read_text()
    assert "http" not in script and '"ack"' in script and '"dispatch"' in script
