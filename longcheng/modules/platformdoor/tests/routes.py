"""platformdoor's pages and API routes in the role × route matrix (see kernel/route_matrix.py).
The world: a one-station line in 上书房社区 (city["a"]) with an open obstruction alarm, a bypass
waiting for approval, a dwell with its decision and a functional test due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from longcheng.kernel.route_matrix import Api, Page, Routes, World

VIEW, HANDLE, BYPASS = "platformdoor.view", "platformdoor.handle", "platformdoor.bypass"
APPROVE, MAINTAIN = "platformdoor.approve", "platformdoor.maintain"


def _world(world: World) -> dict[str, Any]:
    from django.utils import timezone

    from longcheng.modules.platformdoor.line import Layout, build_line
    from longcheng.modules.platformdoor.models import (
        Alarm,
        Bypass,
        Decision,
        Detector,
        Dwell,
        FunctionalTest,
        Platform,
    )

    now = timezone.now()
    line = build_line("LM", "矩阵线", [world["city"]["a"]], Layout(stations=1, platforms=1, sliding=2, emergency=0))
    platform = Platform.objects.get(station__line=line)
    detector = Detector.objects.select_related("door").filter(door__platform=platform).order_by("pk").first()
    assert detector is not None
    dwell = Dwell.objects.create(platform=platform, train="0101", arrived_at=now - dt.timedelta(minutes=1),
                                 closed_at=now - dt.timedelta(seconds=30), departed_at=now)
    Decision.objects.create(dwell=dwell, decided_at=now, loop_closed=True, all_clear=False, blocked=[detector.pk],
                            permitted=False)
    alarm = Alarm.objects.create(kind="obstruction", station=platform.station, platform=platform, door=detector.door,
                                 detector=detector, dwell=dwell, raised_at=now, escalate_at=now + dt.timedelta(minutes=1))
    bypass = Bypass.objects.create(platform=platform, detector=detector, reason="镜头维修",
                                   requested_by=world["users"]["platformdoor_station_staff"], requested_at=now,
                                   expires_at=now + dt.timedelta(hours=2))
    test = FunctionalTest.objects.filter(detector=detector).get()
    return {"platform": platform, "detector": detector, "alarm": alarm, "bypass": bypass, "test": test}


def _pd(w: World, key: str) -> Any:
    return w["platformdoor"][key]


PAGES = [
    Page("platformdoor:board", VIEW),
    Page("platformdoor:alarm", VIEW, lambda w: [_pd(w, "alarm").pk], within="a"),
    Page("platformdoor:alarm_acknowledge", HANDLE, lambda w: [_pd(w, "alarm").pk], within="a", get=False,
         post=lambda w: {}),
    Page("platformdoor:alarm_close", HANDLE, lambda w: [_pd(w, "alarm").pk], within="a", get=False,
         post=lambda w: {"cause": "bag", "note": "乘客背包"}),
    Page("platformdoor:alarm_export", VIEW, lambda w: [_pd(w, "alarm").pk], within="a"),
    Page("platformdoor:bypass_new", BYPASS,
         post=lambda w: {"target": f"detector:{_pd(w, 'detector').pk}", "reason": "维修", "hours": 2}),
    Page("platformdoor:bypass_approve", APPROVE, lambda w: [_pd(w, "bypass").pk], within="a", get=False,
         post=lambda w: {}),
    Page("platformdoor:bypass_end", BYPASS, lambda w: [_pd(w, "bypass").pk], within="a", get=False,
         post=lambda w: {}),
    Page("platformdoor:detectors", VIEW),
    Page("platformdoor:detector", VIEW, lambda w: [_pd(w, "detector").pk], within="a"),
    Page("platformdoor:tests", VIEW),
    Page("platformdoor:test_record", MAINTAIN, lambda w: [_pd(w, "test").pk], within="a", get=False,
         post=lambda w: {"result": "passed"}),
]

API = [
    Api("GET", "/api/v1/platformdoor/alarms", VIEW),
    Api("POST", "/api/v1/platformdoor/alarms/{pk}/acknowledge", HANDLE, lambda w: {"pk": _pd(w, "alarm").pk},
        within="a"),
    Api("POST", "/api/v1/platformdoor/alarms/{pk}/close", HANDLE, lambda w: {"pk": _pd(w, "alarm").pk}, within="a",
        body=lambda w: {"cause": "bag"}),
    Api("GET", "/api/v1/platformdoor/bypasses", VIEW),
    Api("POST", "/api/v1/platformdoor/bypasses", BYPASS, within="a", body=lambda w: {
        "platform": _pd(w, "platform").pk, "detector": _pd(w, "detector").pk, "reason": "维修",
        "expires_at": (_pd(w, "alarm").raised_at + dt.timedelta(hours=2)).isoformat()}),
    Api("POST", "/api/v1/platformdoor/bypasses/{pk}/approve", APPROVE, lambda w: {"pk": _pd(w, "bypass").pk},
        within="a"),
    Api("GET", "/api/v1/platformdoor/dwells", VIEW),
    Api("GET", "/api/v1/platformdoor/detectors/{pk}", VIEW, lambda w: {"pk": _pd(w, "detector").pk}, within="a"),
]

ROUTES = Routes(pages=PAGES, api=API, world=_world)
