"""Dwells and their departure decisions, from the signals (ingest.py hands each change here).

A train's "arrive" opens a dwell, "close" arms the gap detection (doors closing), "depart" ends it and
records the decision: loop closed, every zone clear while armed (bypassed zones left out), bypasses
in force, permitted or not. A zone still blocked when the train leaves is a critical alarm."""

from __future__ import annotations

import datetime as dt

from . import alarms, rules
from .devices import ARRIVE, CLOSE, DEPART, DETECTOR, LOOP, SWITCH
from .models import AlarmKind, Bypass, Decision, Detector, Door, Dwell, Platform, Sensor


class Batch:
    """What one ingest batch has seen: the newest value per device (not yet saved in the states)."""

    def __init__(self) -> None:
        self.latest: dict[int, str] = {}
        self.windows: dict[int, list[tuple[int, dt.datetime | None, dt.datetime | None]]] = {}
        self.dwells: dict[int, Dwell] = {}

    def armed(self, platform: Platform, at: dt.datetime) -> Dwell | None:
        """The dwell armed at `at`, kept for the batch (a train's event forgets the platform's)."""
        pk = self.armed_id(platform, at)
        if pk is None:
            return None
        if pk not in self.dwells:
            self.dwells[pk] = Dwell.objects.select_related("platform__station__line").get(pk=pk)
        return self.dwells[pk]

    def armed_id(self, platform: Platform, at: dt.datetime) -> int | None:
        """The dwell armed at `at` (from the platform's latest dwells, read once per batch)."""
        windows = self.windows.get(platform.pk)
        if windows is None:
            windows = self.windows[platform.pk] = list(
                Dwell.objects.filter(platform=platform, closed_at__isnull=False).order_by("-arrived_at")
                .values_list("pk", "closed_at", "departed_at")[:5])
        for pk, closed, departed in windows:
            if closed is not None and closed <= at and (departed is None or at <= departed):
                return pk
        return None

    def train(self, sensor: Sensor, event: str, train: str, at: dt.datetime) -> int:
        platform = sensor.platform
        self.windows.pop(platform.pk, None)
        self.dwells.clear()
        if event == ARRIVE:
            Dwell.objects.create(platform=platform, train=train, arrived_at=at)
            return 0
        dwell = Dwell.objects.filter(platform=platform, departed_at__isnull=True).order_by("-arrived_at").first()
        if dwell is None:
            return 0
        if event == CLOSE:
            return self._close(dwell, at)
        if event == DEPART:
            return self._depart(dwell, at)
        return 0

    def changed(self, sensor: Sensor, kind: str, value: str, at: dt.datetime) -> int:
        if kind == DETECTOR and sensor.detector is not None:
            return self._detector(sensor, sensor.detector, value, at)
        if value != "open":
            return 0
        dwell = self.armed(sensor.platform, at)
        if dwell is None:
            return 0
        door = sensor.door if kind == SWITCH else None
        return int(alarms.raise_alarm(AlarmKind.LOOP_OPEN, sensor.platform, at, door=door, dwell=dwell)[1])

    def _detector(self, sensor: Sensor, detector: Detector, value: str, at: dt.datetime) -> int:
        if value == rules.CLEAR:
            alarms.signal_clear(detector, at)
            return 0
        dwell = self.armed(sensor.platform, at)
        raised = 0
        if value == rules.FAULT:
            raised += alarms.raise_alarm(AlarmKind.FAULT, sensor.platform, at, door=detector.door,
                                         detector=detector, dwell=dwell)[1]
        if dwell is not None:
            raised += self._blocked(dwell, {detector.pk: value}, at)
        return raised

    def _blocked(self, dwell: Dwell, zones: dict[int, str], at: dt.datetime) -> int:
        """Zones seen not clear while armed: noted in the dwell; an obstruction alarm for each
        blocked one not bypassed. A dwell already decided is decided again (a late reading)."""
        covered, _ids = bypassed(dwell.platform, at)
        seen = dict(dwell.blocked_seen)
        for pk, value in zones.items():
            seen[str(pk)] = rules.worse(seen.get(str(pk), rules.CLEAR), value)
        Dwell.objects.filter(pk=dwell.pk).update(blocked_seen=seen)
        dwell.blocked_seen = seen
        raised = 0
        detectors = Detector.objects.select_related("door").in_bulk(list(zones))
        for pk, value in zones.items():
            if value == rules.BLOCKED and pk not in covered and pk in detectors:
                raised += alarms.raise_alarm(AlarmKind.OBSTRUCTION, dwell.platform, at, door=detectors[pk].door,
                                             detector=detectors[pk], dwell=dwell)[1]
        if dwell.departed_at is not None:  # a reading from before the departure, come late
            record_decision(dwell, dwell.departed_at, self.states(dwell.platform), late=True)
        return raised

    def _close(self, dwell: Dwell, at: dt.datetime) -> int:
        if dwell.closed_at is not None:
            return 0
        Dwell.objects.filter(pk=dwell.pk).update(closed_at=at)
        dwell.closed_at = at
        zones = {pk: v for pk, v in self.states(dwell.platform).items() if isinstance(pk, int) and v != rules.CLEAR}
        return self._blocked(dwell, zones, at) if zones else 0

    def _depart(self, dwell: Dwell, at: dt.datetime) -> int:
        Dwell.objects.filter(pk=dwell.pk).update(departed_at=at)
        dwell.departed_at = at
        now = self.states(dwell.platform)
        decision = record_decision(dwell, at, now)
        raised = 0
        if not decision.loop_closed:  # a stuck switch: the loop never closed
            door = Door.objects.filter(pk=int(now["open_door"])).first() if now.get("open_door") else None
            raised += alarms.raise_alarm(AlarmKind.LOOP_OPEN, dwell.platform, at, door=door, dwell=dwell)[1]
        if decision.departed_blocked:
            first = Detector.objects.select_related("door").filter(pk__in=decision.blocked).order_by("pk").first()
            raised += alarms.raise_alarm(AlarmKind.DEPARTED_BLOCKED, dwell.platform, at,
                                         door=first.door if first else None, detector=first, dwell=dwell)[1]
        return raised

    def states(self, platform: Platform) -> dict[int | str, str]:
        """The platform's current values: detector id → state, and "loop" → closed/open (from the
        state rows, with what this batch has seen on top)."""
        rows = Sensor.objects.filter(platform=platform).order_by("door__side", "door__number").values_list(
            "device_id", "device__kind", "detector_id", "device__state__rule_state", "door_id")
        out: dict[int | str, str] = {}
        switches = []
        for device_id, kind, detector_id, memory, door_id in rows:
            value = self.latest.get(device_id) or (memory or {}).get("s")
            if kind == DETECTOR and detector_id is not None:
                out[detector_id] = value or rules.CLEAR
            elif kind == LOOP:
                out["loop"] = value or "closed"
            elif kind == SWITCH:
                switches.append(value or "locked")
                if value == "open" and "open_door" not in out:
                    out["open_door"] = str(door_id)
        # The doors' switches in series are the loop: one open switch opens it, whatever the loop reports.
        out["loop"] = "open" if "open" in switches or out.get("loop") == "open" else "closed"
        return out


def bypassed(platform: Platform, at: dt.datetime) -> tuple[set[int], list[int]]:
    """The detectors left out by the bypasses in force at `at`, and those bypasses' ids."""
    covered: set[int] = set()
    ids: list[int] = []
    candidates = Bypass.objects.filter(platform=platform, approved_by__isnull=False, ended_at__isnull=True,
                                       expires_at__gt=at, approved_at__lte=at)
    for bypass in candidates:
        if not rules.bypass_in_force(bypass.requested_by_id, bypass.approved_by_id, bypass.expires_at,
                                     bypass.ended_at, at):
            continue
        ids.append(bypass.pk)
        if bypass.detector_id is not None:
            covered.add(bypass.detector_id)
        if bypass.door_id is not None:
            covered.update(Detector.objects.filter(door_id=bypass.door_id).values_list("pk", flat=True))
    return covered, ids


def record_decision(dwell: Dwell, at: dt.datetime, now: dict[int | str, str], *, late: bool = False) -> Decision:
    """The dwell's one decision record (made again when a late reading changes what was seen; then
    whether the train left while blocked stays as first seen)."""
    covered, ids = bypassed(dwell.platform, at)
    zones: dict[int, str] = {pk: rules.CLEAR for pk in now if isinstance(pk, int)}
    for pk, value in dwell.blocked_seen.items():
        zones[int(pk)] = rules.worse(zones.get(int(pk), rules.CLEAR), value)
    loop_closed = now.get("loop") == "closed"
    departed_blocked = any(isinstance(pk, int) and v == rules.BLOCKED and pk not in covered for pk, v in now.items())
    previous = Decision.objects.filter(dwell=dwell).first() if late else None
    if previous is not None:
        loop_closed, departed_blocked = previous.loop_closed, previous.departed_blocked
    verdict = rules.decide(loop_closed, zones, covered)
    decision, _created = Decision.objects.update_or_create(dwell=dwell, defaults={
        "decided_at": at, "loop_closed": loop_closed, "all_clear": verdict.all_clear,
        "blocked": list(verdict.blocked), "bypasses": ids, "permitted": verdict.permitted,
        "departed_blocked": departed_blocked})
    return decision
