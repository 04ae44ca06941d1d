"""Signals through the kernel's ingest path: a dwell's decision, alarms naming the door, one open
alarm per door and kind, a departure while blocked is critical."""

from __future__ import annotations

from typing import Any

import pytest

from ..models import Alarm, AlarmKind, Decision, Dwell

pytestmark = pytest.mark.django_db


def test_a_bag_in_the_gap_raises_the_door_s_alarm_and_the_dwell_is_not_permitted(line: Any, send: Any) -> None:
    p = line["p"]
    result = send(p, [(0, "train", "arrive"), (30, "train", "close"), (31, "A02", "blocked"), (31.05, "A02", "blocked"),
                      (36, "A02", "clear"), (40, "train", "depart")])
    assert (result.stored, result.rejected, result.raised) == (6, 0, 1)
    alarm = Alarm.objects.get()
    assert alarm.door is not None
    assert (alarm.kind, alarm.door.number, alarm.platform, alarm.critical) == (AlarmKind.OBSTRUCTION, 2, p, False)
    assert alarm.where == f"{p.station.name} P1 A2"
    assert alarm.signal_cleared_at is not None
    decision = Decision.objects.get(dwell=Dwell.objects.get(platform=p))
    assert (decision.permitted, decision.all_clear, decision.loop_closed, decision.departed_blocked) == (
        False, False, True, False)
    assert decision.blocked == [alarm.detector_id]


def test_a_clear_dwell_is_permitted_and_blocked_between_trains_raises_nothing(line: Any, send: Any) -> None:
    p = line["p"]
    send(p, [(0, "A01", "blocked"), (1, "A01", "clear"), (10, "train", "arrive"), (20, "A01", "blocked"),
             (25, "A01", "clear"), (40, "train", "close"), (50, "train", "depart")])
    assert not Alarm.objects.exists()
    assert Decision.objects.get().permitted is True


def test_one_open_alarm_per_door_and_kind_and_departure_while_blocked_is_critical(line: Any, send: Any) -> None:
    p = line["p"]
    send(p, [(0, "train", "arrive"), (30, "train", "close"), (31, "A03", "blocked"), (32, "A03", "clear"),
             (33, "A03", "blocked"), (35, "train", "depart")])
    kinds = sorted(Alarm.objects.values_list("kind", "door__number", "critical"))
    assert kinds == [(AlarmKind.DEPARTED_BLOCKED, 3, True), (AlarmKind.OBSTRUCTION, 3, False)]
    assert Decision.objects.get().departed_blocked is True


def test_a_stuck_door_switch_opens_the_loop_and_a_fault_is_its_own_alarm(line: Any, send: Any) -> None:
    p = line["p"]
    send(p, [(0, "train", "arrive"), (30, "train", "close"), (30.5, "A04S", False), (31, "A05", "fault"),
             (40, "train", "depart")])
    kinds = sorted(Alarm.objects.values_list("kind", "door__number"))
    assert kinds == [(AlarmKind.FAULT, 5), (AlarmKind.LOOP_OPEN, 4)]
    decision = Decision.objects.get()
    assert (decision.loop_closed, decision.permitted) == (False, False)
