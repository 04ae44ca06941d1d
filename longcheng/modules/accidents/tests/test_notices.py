"""The drivers are told by SMS, through the kernel's notify outbox: the liability decided, a call to
the scene, their own claim number at the hand-off, their claim's status; never for a refused
report, never twice, never a message rolled back with a refused change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from longcheng.kernel.errors import KernelError
from longcheng.kernel.notify.models import Message
from longcheng.modules.accidents import actions
from longcheng.modules.accidents.models import Handoff

from .conftest import SCENE, T0, no_to_all

DECIDE = T0 + timedelta(minutes=9)


def _sms() -> list[tuple[str, str]]:
    return [(m.address, m.body) for m in Message.objects.filter(channel="sms").order_by("pk")]


def test_both_drivers_get_the_decision_and_each_their_own_claim_number(build: Any, people: dict[str, Any]) -> None:
    report = build(["rear_end"], ["hit_while_lawful"])
    assert _sms() == []  # nothing before the officer decides
    actions.do_decide_liability(report, liability_a=None, reason="", acting_user=people["officer"], now=DECIDE)
    decided = _sms()
    assert [to for to, _ in decided] == ["13812345678", "13987654321"]
    assert "全部" in decided[0][1] and "无" in decided[1][1] and "签" in decided[0][1]
    actions.do_sign_agreement(report, acting_user=people["a"], now=DECIDE)
    assert len(_sms()) == 2  # one signature: no agreement, nothing sent
    actions.do_sign_agreement(report, acting_user=people["b"], now=DECIDE)
    sent = _sms()[2:]
    claims = {h.party.phone: h.claim_no for h in Handoff.objects.select_related("party")}
    assert len(sent) == 2
    for to, body in sent:
        assert claims[to] in body
        assert all(other not in body for phone, other in claims.items() if phone != to)
    messages = Message.objects.filter(channel="sms")
    assert all(m.related_id == str(report.pk) and m.dedupe_key for m in messages)


def test_the_claim_status_goes_to_its_own_driver_only_and_only_on_a_change(build: Any,
                                                                           people: dict[str, Any]) -> None:
    report = build(["rear_end"], ["hit_while_lawful"])
    actions.do_decide_liability(report, liability_a=None, reason="", acting_user=people["officer"], now=DECIDE)
    for side in ("a", "b"):
        actions.do_sign_agreement(report, acting_user=people[side], now=DECIDE)
    before = Message.objects.filter(channel="sms").count()
    handoff = Handoff.objects.get(insurer__code="renbao")
    actions.do_update_claim(handoff, status="accepted", acting_user=people["renbao"])
    actions.do_update_claim(handoff, status="accepted", acting_user=people["renbao"])  # no change: no SMS
    new = list(Message.objects.filter(channel="sms").order_by("pk")[before:])
    assert [(m.address, "已立案" in m.body, handoff.claim_no in m.body) for m in new] == [("13987654321", True, True)]


def test_the_call_to_the_scene_goes_to_both_and_a_refused_report_sends_nothing(
        build: Any, city: dict[str, Any], people: dict[str, Any]) -> None:
    refused = actions.do_start_report(place=city["a"], lat=SCENE[0], lon=SCENE[1],
                                      answers={**no_to_all(), "drink_drugs": True}, third_party_property=False,
                                      acting_user=people["a"], now=T0)
    assert refused.status == "refused" and _sms() == []
    report = build(["rear_end"], ["rear_end"])  # both admit the same fault: a dispute
    with pytest.raises(KernelError):
        actions.do_call_to_scene(report, reason=" ", acting_user=people["officer"])
    assert _sms() == []  # refused (no reason): nothing sent
    actions.do_call_to_scene(report, reason="双方说法不一", acting_user=people["officer"])
    assert [(to, "双方说法不一" in body) for to, body in _sms()] == [("13812345678", True), ("13987654321", True)]


def test_the_sms_is_in_chinese_whatever_the_officer_reads(build: Any, people: dict[str, Any]) -> None:
    from django.utils import translation

    report = build(["rear_end"], ["hit_while_lawful"])
    with translation.override("en"):
        actions.do_decide_liability(report, liability_a=None, reason="", acting_user=people["officer"], now=DECIDE)
    assert all("事故" in body for _, body in _sms())
