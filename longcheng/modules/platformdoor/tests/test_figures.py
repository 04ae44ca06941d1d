"""False-alarm rates per 1,000 dwells, exact on a hand-worked stream: eight dwells at platform P1;
door A2's detector blocked in three of them (a bag, sunlight for 2 s, vibration for 1.5 s), door A3's
once (dirt on the lens, 4 s); two dwells at another platform that must not count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from .. import actions, figures
from ..models import Alarm, Detector

pytestmark = pytest.mark.django_db

# dwell index → (door, seconds blocked, cause)
BLOCKS = {1: ("A02", 3.0, "bag"), 3: ("A02", 2.0, "sunlight"), 4: ("A03", 4.0, "dirty_lens"),
          6: ("A02", 1.5, "vibration")}


def _stream(line: Any, send: Any, start: dt.datetime) -> None:
    for i in range(8):
        t0 = start + dt.timedelta(minutes=2 * i)
        steps: list[tuple[float, str, Any]] = [(0, "train", "arrive"), (30, "train", "close")]
        if i in BLOCKS:
            door, seconds, _cause = BLOCKS[i]
            steps += [(31, door, "blocked"), (31 + seconds, door, "clear")]
        send(line["p"], [*steps, (45, "train", "depart")], t0=t0)
        alarm = Alarm.objects.filter(is_open=True).first()
        if alarm is not None:
            actions.do_close_alarm(alarm.pk, cause=BLOCKS[i][2], acting_user=line["staff"])
    for i in range(2):
        send(line["other_p"], [(0, "train", "arrive"), (30, "train", "close"), (45, "train", "depart")],
             t0=start + dt.timedelta(minutes=2 * i))


def test_false_alarm_rates_and_seconds_added_are_exact(line: Any, send: Any) -> None:
    start = timezone.now() - dt.timedelta(hours=1)
    _stream(line, send, start)
    detectors = list(Detector.objects.filter(door__platform=line["p"]).select_related("door"))
    figs = figures.figures(detectors, start - dt.timedelta(minutes=1), timezone.now())
    by_number = {d.door.number: figs[d.pk] for d in detectors}
    assert (by_number[2].false_alarms, by_number[2].dwells, by_number[2].rate) == (2, 8, 250.0)
    assert by_number[2].seconds_added == 3.5
    assert dict(by_number[2].causes) == {"sunlight": 1, "vibration": 1}
    assert (by_number[3].false_alarms, by_number[3].rate, by_number[3].seconds_added) == (1, 125.0, 4.0)
    assert (by_number[1].false_alarms, by_number[1].rate) == (0, 0.0)
    doors = figures.by_door(figs)
    assert doors[by_number[2].door_id] == (2, 8, 250.0, 3.5)


def test_a_detector_getting_worse_is_flagged(line: Any, send: Any) -> None:
    now = timezone.now()
    start = now - dt.timedelta(weeks=2, hours=1)
    detector = Detector.objects.select_related("door").get(door__platform=line["p"], door__number=2)
    for i in range(3):  # three sunlight false alarms this fortnight, none the one before
        t0 = now - dt.timedelta(hours=5 - i)
        send(line["p"], [(0, "train", "arrive"), (30, "train", "close"), (31, "A02", "blocked"), (33, "A02", "clear"),
                         (45, "train", "depart")], t0=t0)
        actions.do_close_alarm(Alarm.objects.get(is_open=True).pk, cause="sunlight", acting_user=line["staff"])
    send(line["p"], [(0, "train", "arrive"), (30, "train", "close"), (45, "train", "depart")], t0=start)
    figs = figures.with_trend([detector], now=now + dt.timedelta(minutes=1), weeks=2)[detector.pk]
    assert figs.drifting is True and figs.false_alarms == 3 and len(figs.trend) == 4
    assert figs.trend == [None, 0.0, None, 1000.0]
