"""Raising alarms from the signals: one open alarm per door (or, without a door, per platform) and
kind, each naming its station, platform and door, each with the time it escalates at."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from longcheng.kernel.jobs.api import schedule_on_commit

from . import jobs  # a module: jobs.py imports this one (they call each other)
from .models import Alarm, AlarmKind, Detector, Door, Dwell, Platform


def open_alarm(platform: Platform, door: Door | None, kind: str) -> Alarm | None:
    qs = Alarm.objects.filter(platform=platform, kind=kind, is_open=True)
    return qs.filter(door=door).first() if door is not None else qs.filter(door__isnull=True).first()


def raise_alarm(kind: str, platform: Platform, at: dt.datetime, *, door: Door | None = None,
                detector: Detector | None = None, dwell: Dwell | None = None) -> tuple[Alarm, bool]:
    """The open alarm of this door (or platform) and kind, made if there is none. Returns (alarm, created)."""
    found = open_alarm(platform, door, kind)
    if found is not None:
        return found, False
    line = platform.station.line
    alarm = Alarm(kind=kind, critical=kind == AlarmKind.DEPARTED_BLOCKED, station=platform.station,
                  platform=platform, door=door, detector=detector, dwell=dwell, raised_at=at,
                  escalate_at=at + dt.timedelta(seconds=line.escalate_after_s))
    try:
        with transaction.atomic():
            alarm.save(force_insert=True)
    except IntegrityError:  # another worker raised it a moment ago
        found = open_alarm(platform, door, kind)
        if found is None:
            raise
        return found, False
    schedule_on_commit(jobs.escalate_alarm, alarm.pk, eta=alarm.escalate_at)
    return alarm, True


def signal_clear(detector: Detector, at: dt.datetime) -> int:
    """The detector reads clear again: its open obstruction and fault alarms note when."""
    return Alarm.objects.filter(detector=detector, is_open=True, signal_cleared_at__isnull=True,
                                kind__in=(AlarmKind.OBSTRUCTION, AlarmKind.FAULT)).update(signal_cleared_at=at)
