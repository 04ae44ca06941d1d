"""An incident's signals second by second (the alarm's gap detector, its door's switch, the platform's
loop and train), drawn with the kernel's chart helper and exported with the kernel's workbook."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from longcheng.kernel import exports
from longcheng.kernel.registry import Chart
from longcheng.kernel.telemetry.models import Reading

from .devices import ARRIVE, DEPART, DETECTOR, LOOP, SWITCH, TRAIN
from .models import Alarm, Sensor

BEFORE_S, AFTER_S = 30, 60


@dataclass
class Timeline:
    start: dt.datetime
    seconds: list[int]
    rows: dict[str, list[float | None]]


def _signal(kind: str, metrics: dict[str, object], event: str, previous: float | None) -> float | None:
    """A reading as 1 or 0: gap blocked or faulty, door locked, loop closed, train at the platform."""
    if kind == DETECTOR:
        return 0.0 if metrics.get("state") == "clear" else 1.0
    if kind == SWITCH:
        return 1.0 if metrics.get("locked") else 0.0
    if kind == LOOP:
        return 1.0 if metrics.get("closed") else 0.0
    return {ARRIVE: 1.0, DEPART: 0.0}.get(event, previous)


def _labels() -> dict[str, str]:
    return {DETECTOR: _("Gap blocked"), SWITCH: _("Door closed and locked"), LOOP: _("Safety loop closed"),
            TRAIN: pgettext("platform door timeline", "Train at the platform")}


def _sensors(alarm: Alarm) -> dict[int, str]:
    """Device id → kind: the alarm's door's detector and switch, the platform's loop and train."""
    mine = Q(door=alarm.door) if alarm.door_id else Q(pk__in=[])
    rows = Sensor.objects.filter(Q(platform=alarm.platform) & (mine | Q(door__isnull=True)))
    return dict(rows.values_list("device_id", "device__kind"))


def build(alarm: Alarm) -> Timeline:
    start = alarm.raised_at - dt.timedelta(seconds=BEFORE_S)
    seconds = list(range(-BEFORE_S, AFTER_S + 1))
    sensors = _sensors(alarm)
    labels = _labels()
    rows: dict[str, list[float | None]] = {labels[k]: [None] * len(seconds) for k in dict.fromkeys(sensors.values())}
    for device_id, kind in sensors.items():
        readings = Reading.objects.filter(device_id=device_id, device_time__lt=alarm.raised_at
                                          + dt.timedelta(seconds=AFTER_S + 1))
        first = readings.filter(device_time__lt=start).order_by("-device_time").first()
        value = _signal(kind, first.metrics, first.event, None) if first else None
        series = rows[labels[kind]]
        i = 0
        for r in readings.filter(device_time__gte=start).order_by("device_time", "seq"):
            while i < len(seconds) and start + dt.timedelta(seconds=i) < r.device_time:
                series[i] = value
                i += 1
            value = _signal(kind, r.metrics, r.event, value)
        for j in range(i, len(seconds)):
            series[j] = value
    return Timeline(start, seconds, rows)


def chart(alarm: Alarm, line: Timeline) -> Chart:
    return Chart(title=_("Signals around %(alarm)s (seconds from the alarm)") % {"alarm": alarm},
                 kind="line", labels=[str(s) if s % 10 == 0 else "" for s in line.seconds],
                 series={name: [v if v is not None else 0.0 for v in values] for name, values in line.rows.items()},
                 top=1.2)


def workbook_bytes(alarm: Alarm, line: Timeline) -> bytes:
    book = exports.workbook()
    sheet = book.active
    sheet.title = "timeline"
    exports.append(sheet, [str(alarm), alarm.where])
    exports.append(sheet, [_("Time"), _("Seconds from the alarm"), *line.rows])
    for i, second in enumerate(line.seconds):
        exports.append(sheet, [line.start + dt.timedelta(seconds=i), second, *(values[i] for values in line.rows.values())])
    return exports.xlsx_bytes(book)
