"""False alarms explained: per detector (and per door), false obstruction alarms per 1,000 dwells of
its platform, seconds of dwell they added, the weekly trend and the drift flag (rules.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from . import rules
from .conf import conf
from .models import REAL_CAUSES, Alarm, AlarmKind, Detector, Dwell


@dataclass
class DetectorFigures:
    detector_id: int
    door_id: int
    false_alarms: int = 0
    dwells: int = 0
    seconds_added: float = 0.0
    causes: Counter[str] = field(default_factory=Counter)
    trend: list[float | None] = field(default_factory=list)
    drifting: bool = False

    @property
    def rate(self) -> float | None:
        return rules.rate_per_thousand(self.false_alarms, self.dwells)


def dwell_counts(platform_ids: Iterable[int], since: dt.datetime, until: dt.datetime) -> dict[int, int]:
    """Dwells that ended (the train left) within [since, until), per platform."""
    rows = (Dwell.objects.filter(platform_id__in=list(platform_ids), departed_at__gte=since, departed_at__lt=until)
            .values("platform_id").annotate(n=Count("pk")).values_list("platform_id", "n"))
    return dict(rows)


def false_alarms(detector_ids: Iterable[int], since: dt.datetime, until: dt.datetime) -> list[Alarm]:
    """Closed obstruction alarms whose cause was nothing in the gap (vibration, sunlight, lens, unknown)."""
    return list(Alarm.objects.filter(kind=AlarmKind.OBSTRUCTION, detector_id__in=list(detector_ids), is_open=False,
                                     raised_at__gte=since, raised_at__lt=until)
                .exclude(cause__in=list(REAL_CAUSES)).exclude(cause=""))


def added_seconds(alarm: Alarm) -> float:
    """How long the false alarm held the doors: raised until the detector read clear (or the close)."""
    end = alarm.signal_cleared_at or alarm.closed_at or alarm.raised_at
    return max(0.0, (end - alarm.raised_at).total_seconds())


def figures(detectors: list[Detector], since: dt.datetime, until: dt.datetime) -> dict[int, DetectorFigures]:
    """Each detector's false alarms, rate and seconds added within [since, until)."""
    out = {d.pk: DetectorFigures(d.pk, d.door_id) for d in detectors}
    platform_of = {d.pk: d.door.platform_id for d in detectors}
    dwells = dwell_counts(set(platform_of.values()), since, until)
    for pk, figs in out.items():
        figs.dwells = dwells.get(platform_of[pk], 0)
    for alarm in false_alarms(out, since, until):
        figs = out[alarm.detector_id]  # type: ignore[index]
        figs.false_alarms += 1
        figs.seconds_added += added_seconds(alarm)
        figs.causes[alarm.cause] += 1
    return out


def by_door(per_detector: dict[int, DetectorFigures]) -> dict[int, tuple[int, int, float | None, float]]:
    """Door id → (false alarms, dwells, rate per 1,000 dwells, seconds added) over its detectors."""
    sums: dict[int, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for figs in per_detector.values():
        row = sums[figs.door_id]
        row[0] += figs.false_alarms
        row[1] = figs.dwells  # one platform: the same dwells for every detector of the door
        row[2] += figs.seconds_added
    return {door: (int(n), int(d), rules.rate_per_thousand(int(n), int(d)), s) for door, (n, d, s) in sums.items()}


def with_trend(detectors: list[Detector], now: dt.datetime | None = None, weeks: int | None = None
               ) -> dict[int, DetectorFigures]:
    """The last 2 × weeks weeks: figures over all of it, the weekly rates, and the drift flag
    (the recent half against the earlier half)."""
    now = now or timezone.now()
    weeks = weeks or conf("PLATFORMDOOR_DRIFT_WEEKS")
    start = now - dt.timedelta(weeks=2 * weeks)
    total = figures(detectors, start, now)
    halves = [figures(detectors, start, start + dt.timedelta(weeks=weeks)),
              figures(detectors, start + dt.timedelta(weeks=weeks), now)]
    for i in range(2 * weeks):
        week = figures(detectors, start + dt.timedelta(weeks=i), start + dt.timedelta(weeks=i + 1))
        for pk, figs in week.items():
            total[pk].trend.append(figs.rate)
    for pk, figs in total.items():
        earlier, recent = halves[0][pk], halves[1][pk]
        figs.drifting = rules.drifting((recent.false_alarms, recent.dwells), (earlier.false_alarms, earlier.dwells))
    return total
