"""The human service: lifecycle, refusals that change nothing, escalation, the API and the pages."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, NotFound

from .. import actions
from ..ingest import Incoming, ingest
from ..jobs import escalate_due
from ..models import Alarm, AlarmStatus, DeadLetter, Reading
from .conftest import msg, raw


@pytest.fixture
def sos(world: Any) -> Alarm:
    ingest([Incoming(raw(event="sos"))], source="mqtt")
    return Alarm.objects.get()


def test_from_raised_to_resolved_every_step_timed_and_audited(world: Any, sos: Alarm) -> None:
    op, worker = world["operator"], world["worker"]
    actions.do_acknowledge(sos.pk, acting_user=op)
    actions.do_dispatch(sos.pk, to_user=worker, acting_user=op)
    actions.do_arrive(sos.pk, acting_user=worker if False else op, note="到达")
    alarm = actions.do_resolve(sos.pk, outcome="handled", notes="老人按错了键，已安抚", acting_user=op)
    assert alarm.status == AlarmStatus.RESOLVED and not alarm.is_open
    assert alarm.acknowledged_at and alarm.dispatched_at and alarm.arrived_at and alarm.resolved_at
    assert alarm.acknowledged_at <= alarm.dispatched_at <= alarm.arrived_at <= alarm.resolved_at
    assert alarm.dispatched_to == worker and alarm.dispatch_phone == "13800000003"
    assert list(alarm.events.values_list("step", flat=True)) == ["raised", "acknowledge", "dispatch", "arrive", "resolve"]
    assert AuditEntry.objects.filter(object_id=str(alarm.pk), action__startswith="homesafety.alarm.").count() == 4


def test_a_second_acknowledgement_is_refused_and_changes_nothing(world: Any, sos: Alarm) -> None:
    actions.do_acknowledge(sos.pk, acting_user=world["operator"])
    before = Alarm.objects.values().get(pk=sos.pk)
    audits = AuditEntry.objects.count()
    with pytest.raises(KernelError) as info:
        actions.do_acknowledge(sos.pk, acting_user=world["head"])
    assert info.value.status == 409
    assert Alarm.objects.values().get(pk=sos.pk) == before and AuditEntry.objects.count() == audits


def test_another_communitys_operator_cannot_touch_it(world: Any, sos: Alarm) -> None:
    with pytest.raises(NotFound):
        actions.do_acknowledge(sos.pk, acting_user=world["other_op"])
    sos.refresh_from_db()
    assert sos.status == AlarmStatus.RAISED and sos.acknowledged_at is None


def test_resolving_needs_an_outcome(world: Any, sos: Alarm) -> None:
    with pytest.raises(KernelError) as info:
        actions.do_resolve(sos.pk, outcome="", acting_user=world["operator"])
    assert info.value.field == "outcome"
    sos.refresh_from_db()
    assert sos.is_open


def test_unacknowledged_alarms_escalate_and_remind(world: Any, sos: Alarm) -> None:
    from longcheng.kernel.notify.models import Message

    assert escalate_due(timezone.now()) == 0  # not yet due
    first = timezone.now() + dt.timedelta(seconds=61)
    assert escalate_due(first) == 1
    sos.refresh_from_db()
    assert sos.escalation_level == 1
    told = set(Message.objects.filter(subject__contains=sos.enrollee.person.name, recipient_user__isnull=False)
               .values_list("recipient_user__username", flat=True))
    assert {"op", "head"} <= told and "other_op" not in told
    # Reminders reach phones: an SMS to each one told who has a phone, and a call to the head
    # (an SOS is critical), whom the alarm has just reached.
    sms = set(Message.objects.filter(channel="sms", dedupe_key__startswith=f"hs:{sos.pk}:remind-sms:")
              .values_list("address", flat=True))
    assert {"13800000001", "13800000002"} <= sms
    calls = list(Message.objects.filter(channel="voice", related_id=str(sos.pk)).values_list("address", flat=True))
    assert calls == ["13800000002"]
    assert escalate_due(first + dt.timedelta(seconds=61)) == 1
    sos.refresh_from_db()
    assert sos.escalation_level == 2
    actions.do_acknowledge(sos.pk, acting_user=world["street"])
    assert escalate_due(first + dt.timedelta(hours=1)) == 0


def _scheduled(name: str) -> list[Any]:
    from huey.contrib.djhuey import HUEY

    return [t for t in HUEY.scheduled() if t.name == name]


@pytest.fixture
def empty_schedule() -> Any:
    from huey.contrib.djhuey import HUEY

    HUEY.storage.flush_schedule()
    yield
    HUEY.storage.flush_schedule()


def test_raising_an_alarm_schedules_its_first_round_for_the_moment_acknowledgement_is_due(
        world: Any, empty_schedule: Any, django_capture_on_commit_callbacks: Any) -> None:
    """Not a once-a-minute sweep (80-99 s): the round is a delayed job due exactly ACK seconds on (13.6)."""
    with django_capture_on_commit_callbacks(execute=True):
        ingest([Incoming(raw(event="sos"))], source="mqtt")
    alarm = Alarm.objects.get()
    assert alarm.next_escalation_at == alarm.raised_at + dt.timedelta(seconds=60)
    [task] = _scheduled("escalate_alarm")
    assert task.args == (alarm.pk, alarm.next_escalation_at.isoformat())
    assert abs((task.eta.replace(tzinfo=dt.UTC) - alarm.next_escalation_at).total_seconds()) < 0.001


def test_a_round_reminds_at_the_configured_interval_and_runs_once(
        world: Any, sos: Alarm, empty_schedule: Any, django_capture_on_commit_callbacks: Any) -> None:
    from ..jobs import escalate

    due = sos.next_escalation_at
    assert due is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate(sos.pk, due.isoformat(), due + dt.timedelta(seconds=0.4))
    sos.refresh_from_db()
    # The next round is counted from the due time (no drift), and scheduled at once.
    assert sos.next_escalation_at == due + dt.timedelta(seconds=60)
    [task] = _scheduled("escalate_alarm")
    assert task.args == (sos.pk, sos.next_escalation_at.isoformat())
    before = Alarm.objects.values().get(pk=sos.pk)
    assert not escalate(sos.pk, due.isoformat(), due + dt.timedelta(seconds=1))  # a second run of the same round
    assert Alarm.objects.values().get(pk=sos.pk) == before
    actions.do_acknowledge(sos.pk, acting_user=world["operator"])
    assert not escalate(sos.pk, (due + dt.timedelta(seconds=60)).isoformat())  # acknowledged meanwhile


def test_a_level_with_nobody_in_scope_is_skipped_to_the_next_staffed_one_and_recorded(
        world: Any, sos: Alarm, english: Any) -> None:
    from longcheng.kernel.notify.models import Message

    from ..jobs import escalate

    world["head"].is_active = False  # the community head's post is empty
    world["head"].save()
    due = sos.next_escalation_at
    assert due is not None
    assert escalate(sos.pk, due, due)
    sos.refresh_from_db()
    assert sos.escalation_level == 2
    steps = list(sos.events.values_list("step", "note"))
    assert ("level_skipped", "Level 1 (Community head (alarm escalation)) has nobody in scope; skipped.") in steps
    assert ("escalated", "Not acknowledged; escalated to level 2.") in steps
    told = set(Message.objects.filter(dedupe_key__startswith=f"hs:{sos.pk}:remind:")
               .values_list("recipient_user__username", flat=True))
    assert told == {"op", "street"}


def _token(user: Any) -> Client:
    from longcheng.kernel.access.models import ApiToken

    _t, raw_token = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw_token}")


def test_a_gateway_posts_a_batch_and_learns_which_were_rejected(world: Any) -> None:
    body = {"messages": [msg(hr=70), {"device": "WB-1"}, msg(device="SM-1", smoke=False)]}
    response = _token(world["gateway"]).post("/api/v1/homesafety/telemetry", json.dumps(body),
                                             content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    assert data["stored"] == 2 and data["rejected"] == 1 and data["errors"][0]["index"] == 1
    assert Reading.objects.count() == 2 and DeadLetter.objects.count() == 1


def test_an_operator_cannot_post_telemetry_and_nothing_is_stored(world: Any) -> None:
    response = _token(world["operator"]).post("/api/v1/homesafety/telemetry", json.dumps({"messages": [msg(hr=70)]}),
                                              content_type="application/json")
    assert response.status_code == 403 and not Reading.objects.exists()


def test_an_empty_or_oversized_batch_names_the_field(world: Any) -> None:
    client = _token(world["gateway"])
    for messages in ([], [msg(hr=70)] * 1001):
        response = client.post("/api/v1/homesafety/telemetry", json.dumps({"messages": messages}),
                               content_type="application/json")
        assert response.status_code == 422 and "messages" in (response.json()["field"] or "")
    assert not Reading.objects.exists()


def test_the_api_takes_an_alarm_through_its_life(world: Any, sos: Alarm) -> None:
    client = _token(world["operator"])
    assert [a["id"] for a in client.get("/api/v1/homesafety/alarms").json()] == [sos.pk]
    assert client.post(f"/api/v1/homesafety/alarms/{sos.pk}/acknowledge").json()["status"] == "acknowledged"
    response = client.post(f"/api/v1/homesafety/alarms/{sos.pk}/dispatch", json.dumps({"to_user": world["worker"].pk}),
                           content_type="application/json")
    assert response.json()["status"] == "dispatched"
    again = client.post(f"/api/v1/homesafety/alarms/{sos.pk}/acknowledge")
    assert again.status_code == 409 and again.json()["code"] == "alarm_step_refused"
    assert _token(world["other_op"]).get("/api/v1/homesafety/alarms").json() == []


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_console_shows_the_alarm_in_chinese_with_the_sketch(world: Any, sos: Alarm) -> None:
    ingest([Incoming(raw(lat=31.7300, lon=120.0683))], source="mqtt")
    page = _login(world["operator"]).get("/homesafety/").content.decode()
    assert "告警中心" in page and "王秀英" in page and "class=\"lc-map\"" in page
    assert "李梅" in page and "139****9000" in page  # the family contact, phone masked


def test_the_stream_announces_a_change(world: Any, sos: Alarm) -> None:
    response = _login(world["operator"]).get("/homesafety/console/stream/")
    assert response["Content-Type"] == "text/event-stream"
    chunks = iter(response.streaming_content)  # type: ignore[attr-defined]
    assert next(chunks).startswith(b"retry:")
    assert next(chunks).startswith(b"event: changed")


def test_the_page_takes_an_alarm_from_raised_to_resolved(world: Any, sos: Alarm) -> None:
    client = _login(world["operator"])
    url = f"/homesafety/alarms/{sos.pk}/"
    assert client.get(f"{url}acknowledge/").status_code == 405  # a step takes POSTs only
    assert client.post(f"{url}acknowledge/").status_code == 302
    assert client.post(f"{url}dispatch/", {"to_user": world["worker"].pk}).status_code == 302
    assert client.post(f"{url}arrive/").status_code == 302
    bad = client.post(f"{url}resolve/", {"outcome": "", "notes": "家属已到场"})
    assert bad.status_code == 400 and "选择" in bad.content.decode()
    assert 'value="家属已到场"' in bad.content.decode()  # what was typed is kept on a refusal
    sos.refresh_from_db()
    assert sos.status == AlarmStatus.ARRIVED and sos.outcome == ""  # the refusal wrote nothing
    assert client.post(f"{url}resolve/", {"outcome": "false_alarm", "false_alarm_reason": "pressed", "notes": "误触"}).status_code == 302
    sos.refresh_from_db()
    assert sos.status == AlarmStatus.RESOLVED and sos.outcome == "false_alarm"


def test_the_family_page_shows_only_their_own_relative(world: Any, sos: Alarm, rid: Any) -> None:
    from longcheng.kernel.people.models import Resident

    from ..models import Enrollee

    stranger = Resident.objects.create(resident_id=rid(birth="19400101", seq=6), name="赵大爷", gender="M",
                                       birth_date="1940-01-01", place=world["city"]["a"])
    Enrollee.objects.create(person=stranger)
    actions.do_acknowledge(sos.pk, acting_user=world["operator"])
    page = _login(world["family"]).get("/homesafety/family/").content.decode()
    assert "王秀英" in page and "赵大爷" not in page and "已确认" in page
    assert _login(world["family"]).get("/homesafety/").status_code == 403


def test_response_figures_per_community(world: Any, sos: Alarm) -> None:
    from ..views import panel_figures, response_rows

    raised = sos.raised_at - dt.timedelta(minutes=5)
    Alarm.objects.filter(pk=sos.pk).update(raised_at=raised, acknowledged_at=raised + dt.timedelta(seconds=30),
                                           arrived_at=raised + dt.timedelta(minutes=12), outcome="false_alarm")
    (row,) = response_rows(world["operator"])
    assert row["place"] == "上书房社区" and row["n"] == 1 and row["pct60"] == 100.0
    assert row["arrival_median"] == 12.0 and row["false_pct"] == 100.0
    labels = {str(f.label): f.value for f in panel_figures(world["operator"])}
    assert labels["60 秒内确认率（近 30 天）"] == "100.0%" and labels["误报率（近 30 天）"] == "100.0%"
    assert response_rows(world["other_op"]) == []  # another community's operator sees none of it


def test_the_60_and_180_second_shares_count_only_alarms_older_than_that(world: Any, sos: Alarm) -> None:
    from ..views import response_rows

    # Unacknowledged, raised 20 s ago: it has failed neither norm yet.
    Alarm.objects.filter(pk=sos.pk).update(raised_at=timezone.now() - dt.timedelta(seconds=20))
    (row,) = response_rows(world["operator"])
    assert (row["n60"], row["n180"], row["pct60"], row["pct180"]) == (0, 0, 100.0, 100.0)
    # Raised 2 minutes ago: it failed the 60 s norm, not yet the 180 s one.
    Alarm.objects.filter(pk=sos.pk).update(raised_at=timezone.now() - dt.timedelta(minutes=2))
    (row,) = response_rows(world["operator"])
    assert (row["n60"], row["n180"], row["pct60"], row["pct180"]) == (1, 0, 0.0, 100.0)
    Alarm.objects.filter(pk=sos.pk).update(raised_at=timezone.now() - dt.timedelta(minutes=4))
    (row,) = response_rows(world["operator"])
    assert (row["n60"], row["n180"], row["pct180"]) == (1, 1, 0.0)


def test_the_family_page_puts_people_with_open_alarms_first(world: Any, sos: Alarm, rid: Any) -> None:
    from longcheng.kernel.people.models import Relationship, Resident

    from ..models import Enrollee

    # 丁 sorts before 王 by name: with no alarm, she still comes after 王秀英's open SOS.
    calm = Resident.objects.create(resident_id=rid(birth="19440101", seq=8), name="丁桂兰", gender="F",
                                   birth_date="1944-01-01", place=world["city"]["a"])
    Relationship.objects.create(person=calm, relative=world["daughter"], kind="child", is_family_contact=True)
    Enrollee.objects.create(person=calm)
    page = _login(world["family"]).get("/homesafety/family/").content.decode()
    assert page.index("王秀英") < page.index("丁桂兰")
    actions.do_resolve(sos.pk, outcome="handled", acting_user=world["operator"])
    page = _login(world["family"]).get("/homesafety/family/").content.decode()
    assert page.index("丁桂兰") < page.index("王秀英")  # nothing open: by name
