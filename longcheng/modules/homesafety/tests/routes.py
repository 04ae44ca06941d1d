"""homesafety's pages and API routes in the role × route matrix (see kernel/route_matrix.py).
The world: 王秀英 of 上书房社区 (city["a"]) enrolled with a wristband that raised an SOS alarm."""

from __future__ import annotations

from typing import Any

from longcheng.kernel.route_matrix import Api, Page, Routes, World


def _world(world: World) -> dict[str, Any]:
    from django.utils import timezone

    from longcheng.modules.homesafety.models import Alarm, Device, Enrollee

    enrollee = Enrollee.objects.create(person=world["person"])
    device = Device.objects.create(serial="WB-M", kind="wristband", enrollee=enrollee)
    now = timezone.now()
    alarm = Alarm.objects.create(enrollee=enrollee, device=device, kind="sos", severity=1, first_seen=now,
                                 last_seen=now, raised_at=now)
    return {"alarm": alarm, "enrollee": enrollee}


def _alarm(world: World) -> dict[str, Any]:
    return {"pk": world["homesafety"]["alarm"].pk}


HANDLE = "homesafety.handle"

PAGES = [
    Page("homesafety:console", "homesafety.view"),
    Page("homesafety:console_list", "homesafety.view"),
    Page("homesafety:console_stream", "homesafety.view"),
    Page("homesafety:device", "homesafety.view", lambda w: [w["homesafety"]["alarm"].device_id], within="a"),
    Page("homesafety:console_detail", "homesafety.view", within="a",
         query=lambda w: f"?alarm={w['homesafety']['alarm'].pk}"),
    Page("homesafety:alarm", "homesafety.view", lambda w: [w["homesafety"]["alarm"].pk], within="a"),
    # Each step of an alarm has its own url, taking POSTs only (views.py, ALARM_STEPS).
    Page("homesafety:alarm_acknowledge", "homesafety.view", lambda w: [w["homesafety"]["alarm"].pk], within="a",
         get=False, post_permission=HANDLE, post=lambda w: {}),
    Page("homesafety:alarm_dispatch", "homesafety.view", lambda w: [w["homesafety"]["alarm"].pk], within="a",
         get=False, post_permission=HANDLE, post=lambda w: {"to_user": "", "note": ""}),
    Page("homesafety:alarm_arrive", "homesafety.view", lambda w: [w["homesafety"]["alarm"].pk], within="a",
         get=False, post_permission=HANDLE, post=lambda w: {"note": ""}),
    Page("homesafety:alarm_resolve", "homesafety.view", lambda w: [w["homesafety"]["alarm"].pk], within="a",
         get=False, post_permission=HANDLE, post=lambda w: {"outcome": "false_alarm", "notes": ""}),
    Page("homesafety:rejected", "homesafety.view"),
    Page("homesafety:family", "homesafety.family"),
    Page("homesafety:persons", "homesafety.view"),
    Page("homesafety:person", "homesafety.view", lambda w: [w["homesafety"]["enrollee"].pk], within="a",
         post_permission="homesafety.manage",
         post=lambda w: {"step": "safety", "radius_m": "300", "quiet_start": "", "quiet_end": ""}),
    Page("homesafety:feature_requests", "people.manage"),
    Page("homesafety:import", "homesafety.manage"),
    Page("homesafety:work_orders", "homesafety.view"),
]

API = [
    Api("POST", "/api/v1/homesafety/telemetry", "homesafety.ingest",
        body=lambda w: {"messages": [{"device": "WB-M", "seq": 1, "ts": 1763856000000, "metrics": {"hr": 70}}]}),
    Api("GET", "/api/v1/homesafety/alarms", "homesafety.view"),
    Api("GET", "/api/v1/homesafety/alarms/{pk}", "homesafety.view", _alarm, within="a"),
    Api("POST", "/api/v1/homesafety/alarms/{pk}/acknowledge", HANDLE, _alarm, within="a"),
    Api("POST", "/api/v1/homesafety/alarms/{pk}/dispatch", HANDLE, _alarm, within="a",
        body=lambda w: {"to_user": w["person"].pk}),
    Api("POST", "/api/v1/homesafety/alarms/{pk}/arrive", HANDLE, _alarm, within="a", body=lambda w: {"note": ""}),
    Api("POST", "/api/v1/homesafety/alarms/{pk}/resolve", HANDLE, _alarm, within="a",
        body=lambda w: {"outcome": "handled"}),
]

ROUTES = Routes(pages=PAGES, api=API, world=_world)
