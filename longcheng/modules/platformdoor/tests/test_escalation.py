"""An alarm nobody acknowledges goes to the line controller at its configured time (± 5 s); an
acknowledged one does not."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from longcheng.kernel.notify.models import Message

from .. import alarms, jobs
from ..models import Alarm

pytestmark = pytest.mark.django_db


def _bag(send: Any, line: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Alarm, list[Any]]:
    scheduled: list[Any] = []
    monkeypatch.setattr(alarms, "schedule_on_commit", lambda task, *args, eta: scheduled.append((task, args, eta)))
    line["line"].escalate_after_s = 90
    line["line"].save()
    send(line["p"], [(0, "train", "arrive"), (30, "train", "close"), (31, "A02", "blocked")])
    return Alarm.objects.get(), scheduled


def test_an_unacknowledged_alarm_escalates_at_its_configured_time(line: Any, send: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    alarm, scheduled = _bag(send, line, monkeypatch)
    due = alarm.raised_at + dt.timedelta(seconds=90)
    assert scheduled == [(jobs.escalate_alarm, (alarm.pk,), due)]
    assert jobs.escalate(alarm.pk, now=due - dt.timedelta(seconds=5.01)) is False
    assert Alarm.objects.get().escalated_at is None
    assert jobs.escalate(alarm.pk, now=due + dt.timedelta(seconds=1)) is True
    escalated = Alarm.objects.get().escalated_at
    assert escalated is not None and abs((escalated - due).total_seconds()) <= 5
    told = Message.objects.filter(recipient_user=line["controller"])
    assert told.count() == 1 and "A2" in told.get().subject
    assert jobs.escalate(alarm.pk, now=due + dt.timedelta(seconds=2)) is False  # once


def test_an_acknowledged_alarm_does_not_escalate(line: Any, send: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from .. import actions

    alarm, _scheduled = _bag(send, line, monkeypatch)
    actions.do_acknowledge_alarm(alarm.pk, acting_user=line["staff"])
    assert jobs.escalate_due(alarm.escalate_at + dt.timedelta(seconds=1)) == 0
    assert Alarm.objects.get().escalated_at is None
    assert not Message.objects.filter(recipient_user=line["controller"]).exists()
