"""The demo's share of home safety: enrolled elders and children of 遥观镇 with wristbands and smoke
alarms, a family account, and a month of handled alarms so the response figures have history.
Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from longcheng.kernel.access.models import User
from longcheng.kernel.people.models import Relationship, Resident
from longcheng.kernel.places.models import Place

from .models import (
    Alarm,
    AlarmEvent,
    AlarmKind,
    AlarmStatus,
    Device,
    DeviceState,
    Enrollee,
    FalseAlarmReason,
    KitItem,
    KitStatus,
    Outcome,
    Severity,
    WorkOrder,
)

ENROLLEES = 60
TOWN = "遥观镇"
HOME = (31.7246, 120.0683)  # near 遥观镇; homes are spread a few hundred metres around it


def build(*, log: Callable[..., None] = print, progress: Callable[[int], None] | None = None, **options: Any) -> None:
    if Enrollee.objects.exists():
        log(f"  home safety: {Enrollee.objects.count()} enrolled already")
        return
    town = Place.objects.filter(name=TOWN).first()
    if town is None:
        log("  home safety: no 遥观镇 in the demo places; skipped")
        return
    rng = random.Random(2026)
    today = dt.date(2026, 11, 22)
    base = Resident.objects.filter(place__path__startswith=town.path, died_on__isnull=True)
    # Elders with a recorded family contact first: they make the family channel worth showing.
    with_family = set(Relationship.objects.filter(is_family_contact=True).values_list("person_id", flat=True))
    elders = sorted(base.filter(birth_date__lte=today.replace(year=today.year - 70)).order_by("pk")[:400],
                    key=lambda r: (r.pk not in with_family, r.pk))[: ENROLLEES - 10]
    children = list(base.filter(birth_date__gt=today.replace(year=today.year - 14)).order_by("pk")[:10])
    now = timezone.now()
    installer = User.objects.filter(username="homesafety_installer").first()
    with transaction.atomic():
        for n, person in enumerate([*elders, *children]):
            lat = HOME[0] + rng.uniform(-0.004, 0.004)
            lon = HOME[1] + rng.uniform(-0.004, 0.004)
            elder = person in elders
            enrollee = Enrollee.objects.create(
                person=person, lives_alone=elder and n % 3 != 0, risk="high" if n % 4 == 0 else "medium",
                conditions=rng.choice(["", "高血压", "糖尿病", "阿尔茨海默病早期", "心脏病"]) if elder else "",
                home_lat=lat, home_lon=lon, safe_zone={"kind": "circle", "radius_m": 500 if elder else 800},
                quiet_start=dt.time(22, 0), quiet_end=dt.time(6, 0))
            if n >= len(elders) + len(children) - 4:
                # The last few are still waiting for their visit: a kit plan and an open work order.
                KitItem.objects.bulk_create([KitItem(enrollee=enrollee, kind="wristband"),
                                             *([KitItem(enrollee=enrollee, kind="smoke")] if elder else [])])
                if installer is not None:
                    WorkOrder.objects.create(enrollee=enrollee, installer=installer, scheduled_for=today)
                continue
            wristband = Device.objects.create(serial=f"WB-{person.pk:07d}", kind="wristband", enrollee=enrollee,
                                              installed_at=now - dt.timedelta(days=40))
            KitItem.objects.create(enrollee=enrollee, kind="wristband", status=KitStatus.INSTALLED, device=wristband)
            DeviceState.objects.create(device=wristband, online=True, last_received_at=now, lat=lat, lon=lon,
                                       last_device_time=now, metrics={"hr": 72, "battery": 80, "worn": True})
            if elder:
                smoke = Device.objects.create(serial=f"SM-{person.pk:07d}", kind="smoke", enrollee=enrollee,
                                              installed_at=now - dt.timedelta(days=40))
                DeviceState.objects.create(device=smoke, online=True, last_received_at=now, last_device_time=now,
                                           metrics={"smoke": False, "battery": 90})
                KitItem.objects.create(enrollee=enrollee, kind="smoke", status=KitStatus.INSTALLED, device=smoke)
        _history(rng, now)
        _family_account(User)
    if progress:
        progress(1)
    log(f"  home safety: {Enrollee.objects.count()} enrolled, {Device.objects.count()} devices, "
        f"{Alarm.objects.count()} past alarms")


def _history(rng: random.Random, now: dt.datetime) -> None:
    """A month of alarms, acknowledged mostly within a minute, as a real centre's log would show."""
    operator = User.objects.filter(username="homesafety_operator").first()
    worker = User.objects.filter(username="community_worker").first()
    devices = list(Device.objects.filter(kind="wristband").select_related("enrollee"))
    kinds = [(AlarmKind.SOS, Severity.CRITICAL), (AlarmKind.FALL, Severity.CRITICAL), (AlarmKind.HEART_RATE, Severity.HIGH),
             (AlarmKind.SAFE_ZONE, Severity.WARNING), (AlarmKind.LOW_BATTERY, Severity.INFO)]
    for _ in range(90):
        device = rng.choice(devices)
        assert device.enrollee is not None
        kind, severity = rng.choice(kinds)
        raised = now - dt.timedelta(days=rng.uniform(0.5, 29))
        ack = raised + dt.timedelta(seconds=rng.choice([8, 15, 22, 30, 41, 55, 58, 75, 130, 240]))
        arrived = ack + dt.timedelta(minutes=rng.uniform(6, 25))
        outcome = rng.choice([Outcome.HANDLED, Outcome.HANDLED, Outcome.FALSE_ALARM, Outcome.DEVICE_FAULT, Outcome.AMBULANCE])
        alarm = Alarm.objects.create(
            enrollee=device.enrollee, device=device, kind=kind, severity=severity, status=AlarmStatus.RESOLVED,
            is_open=False, first_seen=raised, last_seen=raised, raised_at=raised, acknowledged_at=ack,
            acknowledged_by=operator, dispatched_at=ack + dt.timedelta(seconds=40), dispatched_to=worker,
            arrived_at=arrived, resolved_at=arrived + dt.timedelta(minutes=10), resolved_by=operator, outcome=outcome,
            false_alarm_reason=FalseAlarmReason.PRESSED_BY_MISTAKE if outcome == Outcome.FALSE_ALARM else "")
        AlarmEvent.objects.bulk_create([
            AlarmEvent(alarm=alarm, at=raised, step="raised"),
            AlarmEvent(alarm=alarm, at=ack, step="acknowledge", actor=operator),
            AlarmEvent(alarm=alarm, at=ack + dt.timedelta(seconds=40), step="dispatch", actor=operator),
            AlarmEvent(alarm=alarm, at=arrived, step="arrive", actor=worker),
            AlarmEvent(alarm=alarm, at=arrived + dt.timedelta(minutes=10), step="resolve", actor=operator),
        ])


def _family_account(user_model: Any) -> None:
    """The demo `family_member` account is a relative of the first enrolled elder with a contact."""
    account = user_model.objects.filter(username="family_member").first()
    if account is None or account.resident_id:
        return
    link = (Relationship.objects.filter(is_family_contact=True, person__homesafety__isnull=False,
                                        relative__account__isnull=True)
            .select_related("relative").order_by("person_id").first())
    if link is not None:
        account.resident = link.relative
        account.display_name = f"{link.relative.name}（家属演示）"
        account.save(update_fields=["resident", "display_name"])
