"""The worker sent to the door, on their phone (trips.py): the dispatch message links the call-out,
the worker shares a position the operator's map shows, and records the arrival; nobody else reaches
the call-out, and the position is wiped once it has served."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.notify.models import Message

from .. import actions, mapping
from ..ingest import Incoming, ingest
from ..models import Alarm, AlarmEvent, AlarmStatus
from .conftest import raw


@pytest.fixture
def sent(world: Any) -> Alarm:
    ingest([Incoming(raw(event="sos"))], source="mqtt")
    alarm = Alarm.objects.get()
    return actions.do_dispatch(alarm.pk, to_user=world["worker"], acting_user=world["operator"], note="带钥匙")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def _position(client: Client, alarm: Alarm, **body: str) -> Any:
    return client.post(f"/homesafety/trips/{alarm.pk}/position/", {"lat": "31.7300", "lon": "120.0700",
                                                                    "accuracy_m": "15", **body})


def test_the_dispatch_message_leads_the_worker_to_the_call_out(world: Any, sent: Alarm) -> None:
    message = Message.objects.get(recipient_user=world["worker"])
    assert f"/homesafety/trips/{sent.pk}/" in message.body
    worker = _client(world["worker"])
    listing = worker.get("/homesafety/trips/").content.decode()
    assert "王秀英" in listing and f'href="/homesafety/trips/{sent.pk}/"' in listing
    page = worker.get(f"/homesafety/trips/{sent.pk}/").content.decode()
    assert "上书房路1号" in page and "带钥匙" in page and "我已到达" in page


def test_a_shared_position_shows_on_the_operators_map_until_arrival(world: Any, sent: Alarm) -> None:
    answer = _position(_client(world["worker"]), sent)
    assert answer.status_code == 200 and "位置已于" in answer.json()["message"]
    alarm = Alarm.objects.get(pk=sent.pk)
    assert (alarm.worker_lat, alarm.worker_lon, alarm.worker_accuracy_m) == (31.73, 120.07, 15)
    with translation.override("en"):
        labels = [f.label for f in mapping.person_features(alarm.enrollee, [], [], alarm) if f is not None]
        assert any(label.startswith(str(world["worker"])) and "on the way" in label for label in labels)
        assert "position shared at" in mapping.worker_note(alarm)

    arrived = _client(world["worker"]).post(f"/homesafety/trips/{sent.pk}/arrive/", {"note": "门已开，老人摔倒"})
    assert arrived.status_code == 302
    alarm.refresh_from_db()
    assert (alarm.status, alarm.arrival_note) == (AlarmStatus.ARRIVED, "门已开，老人摔倒")
    assert (alarm.worker_lat, alarm.worker_lon, alarm.worker_seen_at) == (None, None, None)  # wiped
    event = AlarmEvent.objects.get(alarm=alarm, step="arrive")
    assert event.actor_id == world["worker"].pk
    assert AuditEntry.objects.filter(action="homesafety.alarm.arrive", actor=world["worker"]).count() == 1
    again = _position(_client(world["worker"]), alarm)
    assert again.status_code == 400 and again.json()["field"] == "status"
    assert Alarm.objects.get(pk=alarm.pk).worker_lat is None


@pytest.mark.parametrize("body,field", [
    ({"lat": "abc"}, "lat"),
    ({"lon": ""}, "lon"),
    ({"lat": "NaN"}, "lat"),
    ({"lat": "48.85", "lon": "2.35"}, "lat"),  # Paris is no place in China
    ({"accuracy_m": "99999"}, "accuracy_m"),
    ({"accuracy_m": "-1"}, "accuracy_m"),
])
def test_a_bad_position_names_its_field_and_keeps_the_last_good_one(world: Any, sent: Alarm, body: dict[str, str],
                                                                     field: str) -> None:
    worker = _client(world["worker"])
    assert _position(worker, sent).status_code == 200
    before = Alarm.objects.values().get(pk=sent.pk)
    answer = _position(worker, sent, **body)
    assert answer.status_code == 400 and answer.json()["field"] == field and answer.json()["message"]
    assert Alarm.objects.values().get(pk=sent.pk) == before


def test_nobody_else_reaches_the_call_out(world: Any, sent: Alarm, make_user: Any) -> None:
    other = make_user("other-worker", {"community_worker": [world["city"]["a"]]})
    before = (Alarm.objects.values().get(pk=sent.pk), AuditEntry.objects.count(), AlarmEvent.objects.count())
    for user in (other, world["operator"], world["family"]):
        client = _client(user)
        assert client.get(f"/homesafety/trips/{sent.pk}/").status_code == 404
        assert _position(client, sent).status_code == 404
        assert client.post(f"/homesafety/trips/{sent.pk}/arrive/", {"note": "x"}).status_code == 404
        assert "王秀英" not in client.get("/homesafety/trips/").content.decode()
    assert (Alarm.objects.values().get(pk=sent.pk), AuditEntry.objects.count(), AlarmEvent.objects.count()) == before


def test_resolution_wipes_the_position_and_ends_the_call_out(world: Any, sent: Alarm) -> None:
    worker = _client(world["worker"])
    assert _position(worker, sent).status_code == 200
    actions.do_resolve(sent.pk, outcome="handled", acting_user=world["operator"], notes="已送医")
    alarm = Alarm.objects.get(pk=sent.pk)
    assert (alarm.worker_lat, alarm.worker_lon, alarm.worker_accuracy_m, alarm.worker_seen_at) == (None,) * 4
    assert worker.get(f"/homesafety/trips/{sent.pk}/").status_code == 404
    assert _position(worker, sent).status_code == 404
