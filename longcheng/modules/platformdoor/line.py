"""A line as data, built in bulk (the demo, the simulator, the bench and the tests): stations with
platforms, door units per platform side, a detector per door, and the telemetry devices bound to
them (a detector, each door's closed-and-locked switch, a loop and a train signal per platform)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from longcheng.kernel.places.models import Place
from longcheng.kernel.telemetry.models import Device, DeviceState

from .devices import DETECTOR, LOOP, SWITCH, TRAIN
from .models import (
    Detector,
    DetectorType,
    Door,
    DoorKind,
    FunctionalTest,
    Line,
    Platform,
    Sensor,
    Shape,
    Station,
)

VENDORS = ("今创集团", "方大集团", "松下")
KINDS = (DetectorType.LASER, DetectorType.INFRARED, DetectorType.CURTAIN, DetectorType.SCANNER, DetectorType.RADAR)


@dataclass(frozen=True)
class Layout:
    stations: int = 3
    platforms: int = 2
    sides: tuple[str, ...] = ("A",)
    sliding: int = 24
    emergency: int = 3
    escalate_after_s: int = 60


def serial(platform: Platform, what: str) -> str:
    return f"{platform.station.line.code}-{platform.station.code}-{platform.name}-{what}"[:40]


@transaction.atomic
def build_line(code: str, name: str, places: list[Place], layout: Layout = Layout()) -> Line:
    """The line `code` with `layout.stations` stations, the i-th in places[i % len(places)]."""
    line = Line.objects.create(code=code, name=name, place=places[0], escalate_after_s=layout.escalate_after_s)
    for i in range(layout.stations):
        station = Station.objects.create(line=line, code=f"S{i + 1:02d}", name=f"{name}{i + 1}号站", order=i,
                                         place=places[i % len(places)])
        for p in range(layout.platforms):
            platform = Platform.objects.create(station=station, name=f"P{p + 1}",
                                               shape=Shape.CURVED if (i + p) % 4 == 3 else Shape.STRAIGHT)
            _doors(platform, layout)
    return line


def _doors(platform: Platform, layout: Layout) -> None:
    doors = [Door(platform=platform, side=side, number=n + 1,
                  kind=DoorKind.SLIDING if n < layout.sliding else DoorKind.EMERGENCY)
             for side in layout.sides for n in range(layout.sliding + layout.emergency)]
    Door.objects.bulk_create(doors)
    doors = list(Door.objects.filter(platform=platform).order_by("side", "number"))
    detectors = Detector.objects.bulk_create([
        Detector(door=door, zone="gap", kind=KINDS[door.number % len(KINDS)], vendor=VENDORS[door.number % 3])
        for door in doors])
    detectors = list(Detector.objects.filter(door__platform=platform).order_by("door__side", "door__number"))
    today = timezone.localdate()
    FunctionalTest.objects.bulk_create([FunctionalTest(detector=d, due_on=today + dt.timedelta(days=(i * 7) % 40 - 5))
                                        for i, d in enumerate(detectors)])
    bindings: list[tuple[str, str, Door | None, Detector | None]] = []
    for door, detector in zip(doors, detectors, strict=True):
        bindings.append((serial(platform, f"{door.side}{door.number:02d}D"), DETECTOR, door, detector))
        bindings.append((serial(platform, f"{door.side}{door.number:02d}S"), SWITCH, door, None))
    bindings += [(serial(platform, "LOOP"), LOOP, None, None), (serial(platform, "TRN"), TRAIN, None, None)]
    devices = Device.objects.bulk_create([Device(serial=s, kind=k, installed_at=timezone.now()) for s, k, _d, _x
                                          in bindings])
    devices = list(Device.objects.filter(serial__in=[b[0] for b in bindings]).order_by("pk"))
    by_serial = {d.serial: d for d in devices}
    Sensor.objects.bulk_create([Sensor(device=by_serial[s], platform=platform, door=door, detector=detector)
                                for s, _k, door, detector in bindings])
    DeviceState.objects.bulk_create([DeviceState(device=d) for d in devices])
