"""homesafety's pages and API routes in the role × route matrix (see kernel/route_matrix.py).
The world: 王秀英 of 上书房社区 (city["a"]) enrolled with a wristband that raised an SOS alarm."""

from __future__ import annotations

from typing import Any

from longcheng.kernel.route_matrix import Api, Page, Routes, World


def _world(world: World) -> dict[str, Any]:
    from django.utils import timezone

    from longcheng.modules.homesafety.models import (
        Alarm,
        Device,
        Enrollee,
        FeatureRequest,
        KitItem,
        WorkOrder,
    )

    enrollee = Enrollee.objects.create(person=world["person"])
    device = Device.objects.create(serial="WB-M", kind="wristband", enrollee=enrollee)
    now = timezone.now()
    alarm = Alarm.objects.create(enrollee=enrollee, device=device, kind="sos", severity=1, first_seen=now,
                                 last_seen=now, raised_at=now)
    KitItem.objects.create(enrollee=enrollee, kind="smoke")
    order = WorkOrder.objects.create(enrollee=enrollee, installer=world["users"]["homesafety_installer"],
                                     scheduled_for=now.date())
    request = FeatureRequest.objects.create(device=device, feature="calling", enable=True, requested_by="李梅",
                                            family_consent=True)
    return {"alarm": alarm, "enrollee": enrollee, "device": device, "order": order, "request": request}


TRIP = "homesafety.trip (the worker sent only)"


def _alarm_pk(world: World) -> list[Any]:
    return [world["homesafety"]["alarm"].pk]


def _alarm(world: World) -> dict[str, Any]:
    return {"pk": world["homesafety"]["alarm"].pk}


def _of(key: str) -> Any:
    """The url arguments of one object of the world: [its pk]."""
    return lambda w: [w["homesafety"][key].pk]


HANDLE, MANAGE = "homesafety.handle", "homesafety.manage"

PAGES = [
    Page("homesafety:console", "homesafety.view"),
    Page("homesafety:console_list", "homesafety.view"),
    Page("homesafety:console_stream", "homesafety.view"),
    Page("homesafety:console_sound", "homesafety.view", get=False, post=lambda w: {"muted": "on"}),
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
         get=False, post_permission=HANDLE, post=lambda w: {"outcome": "false_alarm", "false_alarm_reason": "pressed", "notes": ""}),
    Page("homesafety:alarm_comment", "homesafety.view", lambda w: [w["homesafety"]["alarm"].pk], within="a",
         get=False, post_permission=HANDLE, post=lambda w: {"text": "已联系家属"}),
    Page("homesafety:alarm_assign", "homesafety.view", lambda w: [w["homesafety"]["alarm"].pk], within="a",
         get=False, post_permission=HANDLE, post=lambda w: {"assignee": ""}),
    Page("homesafety:alarm_print", "homesafety.view", lambda w: [w["homesafety"]["alarm"].pk], within="a"),
    Page("homesafety:history", "homesafety.view"),
    Page("homesafety:history_xlsx", "homesafety.view"),
    Page("homesafety:rules", MANAGE),
    Page("homesafety:rules_save", MANAGE, get=False, within="a",
         post=lambda w: {"device_type": "wristband", "place": w["city"]["a"].pk, "hr_high": "110"}),
    Page("homesafety:escalation", MANAGE),
    Page("homesafety:escalation_save", MANAGE, get=False, within="a",
         post=lambda w: {"place": w["city"]["a"].pk, "role_0": "homesafety_operator", "channels_0": "inapp"}),
    Page("homesafety:rejected", "homesafety.view"),
    Page("homesafety:family", "homesafety.family"),
    # The worker sent reaches an alarm by being the one sent (trips.py), not by a role: nobody in the
    # matrix was sent to its alarm, so every role gets not-found and a position or an arrival changes
    # nothing. TRIP is held by no role.
    Page("homesafety:trips", None),
    Page("homesafety:trip", TRIP, _alarm_pk, within="a", view_permission=None),
    Page("homesafety:trip_position", TRIP, _alarm_pk, within="a", view_permission=None, get=False,
         post=lambda w: {"lat": "31.72", "lon": "120.07", "accuracy_m": "20"}),
    Page("homesafety:trip_arrive", TRIP, _alarm_pk, within="a", view_permission=None, get=False,
         post=lambda w: {"note": "到了"}),
    Page("homesafety:persons", "homesafety.view"),
    Page("homesafety:person", "homesafety.view", _of("enrollee"), within="a"),
    # Each change to a person has its own url, taking POSTs only (views_programme.py, PERSON_STEPS).
    Page("homesafety:person_safety", MANAGE, _of("enrollee"), within="a", get=False,
         post=lambda w: {"radius_m": "300", "quiet_start": "21:00", "quiet_end": ""}),
    Page("homesafety:person_thresholds", MANAGE, _of("enrollee"), within="a", get=False,
         post=lambda w: {"hr_high": "100"}),
    Page("homesafety:person_request", "homesafety.view", _of("enrollee"), within="a", get=False,
         post=lambda w: {"device": w["homesafety"]["device"].pk, "feature": "payment", "enable": "on",
                         "requested_by": "李梅", "family_consent": "on"}),
    Page("homesafety:person_bind", MANAGE, _of("enrollee"), within="a", get=False,
         post=lambda w: {"bind-kind": "smoke", "bind-serial": "SM-MATRIX-9"}),
    Page("homesafety:person_swap", MANAGE, _of("enrollee"), within="a", get=False,
         post=lambda w: {"swap-device": w["homesafety"]["device"].pk, "swap-serial": "WB-MATRIX-9",
                         "swap-reason": "屏幕损坏"}),
    Page("homesafety:person_unbind", MANAGE, _of("enrollee"), within="a", get=False,
         post=lambda w: {"unbind-device": w["homesafety"]["device"].pk, "unbind-reason": "老人退回"}),
    Page("homesafety:report", "homesafety.view"),
    Page("homesafety:report_xlsx", "homesafety.view"),
    Page("homesafety:report_pdf", "homesafety.view"),
    Page("homesafety:feature_requests", "people.manage"),
    Page("homesafety:request_approve", "people.manage", _of("request"), within="a", get=False, post=lambda w: {}),
    Page("homesafety:request_reject", "people.manage", _of("request"), within="a", get=False, post=lambda w: {}),
    Page("homesafety:import", MANAGE),
    Page("homesafety:work_orders", "homesafety.view"),
    Page("homesafety:work_order_schedule", MANAGE, get=False,
         post=lambda w: {"enrollee": w["homesafety"]["enrollee"].pk, "scheduled_for": "2026-12-01",
                         "installer": w["users"]["homesafety_installer"].pk}),
    Page("homesafety:work_order_bind", "homesafety.install", _of("order"), within="a", get=False,
         post=lambda w: {"serial_smoke": "SM-M"}),
    Page("homesafety:work_order_fail", "homesafety.install", _of("order"), within="a", get=False,
         post=lambda w: {"reason": "家中无人"}),
]

API = [
    Api("POST", "/api/v1/homesafety/telemetry", "homesafety.ingest",
        body=lambda w: {"messages": [{"device": "WB-M", "seq": 1, "ts": 1763856000000, "metrics": {"hr": 70}}]}),
    # The kernel's telemetry route (kernel/telemetry/api.py): home safety's gateways hold its permission.
    Api("POST", "/api/v1/telemetry/ingest", "homesafety.ingest",
        body=lambda w: {"messages": [{"device": "WB-M", "seq": 2, "ts": 1763856000000, "metrics": {"hr": 70}}]}),
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
