"""Rules and escalation without code: the programme manager changes a threshold or a chain on a
page; the next reading is judged by it, the next unacknowledged round follows it; each change is a
new version, audited; refusals name the field and change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.notify.models import Message

from .. import rulebook
from ..ingest import Incoming, ingest
from ..jobs import escalate
from ..models import Alarm, AlarmKind, EscalationChain, RuleVersion
from .conftest import raw


@pytest.fixture
def manager(world: Any, make_user: Any) -> Any:
    return make_user("manager", {"homesafety_manager": [world["city"]["root"]]})


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def _beats(hr: int, n: int = 3) -> None:
    for _ in range(n):
        ingest([Incoming(raw(hr=hr))], source="mqtt")


def test_a_threshold_changed_on_the_page_judges_the_next_reading(world: Any, manager: Any) -> None:
    _beats(110)
    assert not Alarm.objects.filter(kind=AlarmKind.HEART_RATE).exists()  # the default bound is 120
    page = _client(manager)
    shown = page.get(f"/homesafety/rules/?device_type=wristband&place={world['city']['a'].pk}").content.decode()
    assert "心率上限" in shown and "上书房社区" in shown
    response = page.post("/homesafety/rules/save/", {"device_type": "wristband", "place": world["city"]["a"].pk,
                                                     "hr_high": "100", **_all_kinds_on()})
    assert response.status_code == 302
    row = RuleVersion.objects.get()
    assert (row.version, row.params, row.place) == (1, {"hr_high": 100}, world["city"]["a"])
    _beats(110)
    alarm = Alarm.objects.get(kind=AlarmKind.HEART_RATE)
    assert alarm.enrollee == world["enrollee"]
    entry = AuditEntry.objects.get(action="homesafety.rules.change")
    assert entry.before == {"version": 0} and entry.after is not None and entry.after["params"] == {"hr_high": 100}
    # A second change is version 2; version 1 stays, and the page lists both.
    page.post("/homesafety/rules/save/", {"device_type": "wristband", "place": world["city"]["a"].pk,
                                          "hr_high": "105", **_all_kinds_on()})
    assert list(RuleVersion.objects.order_by("version").values_list("version", "params")) == [
        (1, {"hr_high": 100}), (2, {"hr_high": 105})]
    listing = page.get("/homesafety/rules/").content.decode()
    assert "v1" in listing and "v2" in listing


def _all_kinds_on() -> dict[str, str]:
    return {f"kind_{k}": "on" for k in rulebook.SWITCHABLE}


def test_the_narrowest_place_wins_and_the_person_over_all(world: Any, manager: Any) -> None:
    city = world["city"]
    rulebook.do_set_rules("wristband", city["root"].pk, thresholds={"hr_high": 150}, kinds={}, acting_user=manager)
    rulebook.do_set_rules("wristband", city["a"].pk, thresholds={"hr_high": 100}, kinds={}, acting_user=manager)
    book = rulebook.current()
    assert rulebook.judged_by(book, "wristband", city["a"].path, None)[0]["hr_high"] == 100
    assert rulebook.judged_by(book, "wristband", city["b"].path, None)[0]["hr_high"] == 150
    assert rulebook.judged_by(book, "wristband", None, None)[0]["hr_high"] == 120
    world["enrollee"].rule_overrides = {"hr_high": 130}
    assert rulebook.judged_by(book, "wristband", city["a"].path, world["enrollee"])[0]["hr_high"] == 130


def test_an_alarm_kind_switched_off_for_a_community_is_not_raised(world: Any, manager: Any) -> None:
    response = _client(manager).post("/homesafety/rules/save/", {
        "device_type": "wristband", "place": world["city"]["a"].pk,
        **{k: v for k, v in _all_kinds_on().items() if k != "kind_low_battery"}})
    assert response.status_code == 302
    assert RuleVersion.objects.get().kinds["low_battery"] is False
    ingest([Incoming(raw(battery=5))], source="mqtt")
    assert not Alarm.objects.filter(kind=AlarmKind.LOW_BATTERY).exists()
    ingest([Incoming(raw(event="sos"))], source="mqtt")  # an SOS can never be switched off
    assert Alarm.objects.filter(kind=AlarmKind.SOS).exists()


@pytest.mark.parametrize("body,field_text", [
    ({"hr_high": "500"}, "心率上限"),
    ({"hr_high": "abc"}, "心率上限"),
    ({"battery_low": "2"}, "低电量"),
])
def test_a_refused_threshold_names_the_field_and_changes_nothing(world: Any, manager: Any, body: dict[str, str],
                                                                 field_text: str) -> None:
    response = _client(manager).post("/homesafety/rules/save/", {
        "device_type": "wristband", "place": world["city"]["a"].pk, **body})
    assert response.status_code == 400
    text = response.content.decode()
    assert field_text in text and body[next(iter(body))] in text  # the typing is kept
    assert not RuleVersion.objects.exists() and not AuditEntry.objects.filter(action__startswith="homesafety.rules").exists()


def test_rules_outside_ones_scope_or_role_change_nothing(world: Any, make_user: Any) -> None:
    other = make_user("other_manager", {"homesafety_manager": [world["city"]["b"]]})
    body = {"device_type": "wristband", "place": world["city"]["a"].pk, "hr_high": "100"}
    assert _client(other).post("/homesafety/rules/save/", body).status_code in (400, 404)
    assert _client(world["operator"]).post("/homesafety/rules/save/", body).status_code in (403, 404)
    assert _client(world["operator"]).get("/homesafety/rules/").status_code in (403, 404)
    assert not RuleVersion.objects.exists()


def _chain_body(world: Any, **extra: Any) -> dict[str, Any]:
    return {"place": world["city"]["a"].pk, "role_0": "homesafety_operator", "channels_0": ["inapp"],
            "role_1": "homesafety_street_officer", "after_1": "30", "channels_1": ["inapp", "sms", "voice"], **extra}


def test_a_chain_edited_on_the_page_is_followed(world: Any, manager: Any) -> None:
    page = _client(manager)
    # The preview names who would be told, and saves nothing.
    preview = page.get("/homesafety/escalation/", {**_chain_body(world), "preview": "1"}).content.decode()
    assert "street" in preview and "op" in preview and "未保存" in preview
    assert not EscalationChain.objects.exists()
    assert page.post("/homesafety/escalation/save/", _chain_body(world)).status_code == 302
    chain = EscalationChain.objects.get()
    assert [lv["role"] for lv in chain.levels] == ["homesafety_operator", "homesafety_street_officer"]
    assert AuditEntry.objects.filter(action="homesafety.escalation.change").count() == 1
    ingest([Incoming(raw(event="sos"))], source="mqtt")
    sos = Alarm.objects.get()
    assert sos.next_escalation_at is not None
    # The chain's level 1 comes after 30 s, not the settings' 60 s.
    assert abs((sos.next_escalation_at - sos.raised_at).total_seconds() - 30) < 1
    assert escalate(sos.pk, sos.next_escalation_at, sos.next_escalation_at)
    sos.refresh_from_db()
    assert sos.escalation_level == 1
    told = set(Message.objects.filter(related_id=str(sos.pk), dedupe_key__contains=":remind:")
               .values_list("recipient_user__username", flat=True))
    assert "street" in told and "head" not in told  # the community head is not in this chain
    # The last level reached: reminders every HOMESAFETY_REMIND_SECONDS.
    due = sos.next_escalation_at
    assert due is not None
    assert abs((due - (sos.raised_at + dt.timedelta(seconds=30))).total_seconds() - 60) < 1


@pytest.mark.parametrize("extra,text", [
    ({"after_1": "5"}, "第 1 级"),
    ({"channels_1": []}, "第 1 级"),
    ({"role_0": "", "role_1": ""}, "至少"),
])
def test_a_refused_chain_names_the_level_and_changes_nothing(world: Any, manager: Any, extra: dict[str, Any],
                                                             text: str) -> None:
    response = _client(manager).post("/homesafety/escalation/save/", _chain_body(world, **extra))
    assert response.status_code == 400
    assert text in response.content.decode()
    assert not EscalationChain.objects.exists()
    assert timezone.now()  # nothing else to check: no chain, no audit
    assert not AuditEntry.objects.filter(action="homesafety.escalation.change").exists()
