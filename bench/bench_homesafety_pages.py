"""Home-safety pages at city scale: the alarm centre console, its live list, an alarm page, a person
page, the history, the month's figures, the rejected messages, the rules, escalation and gateways
pages (the programme manager's; gateways: the platform administrator's) and the family page, each requested REQUESTS times by a signed-in duty operator (family page:
the family account); p95 printed beside the issue's target (200 ms) and beside the floor of the
same stack measured in the same run (the sign-in page, which touches no data).

Scale: BENCH_HS_PERSONS enrolled persons (BENCH_SIZE=city: 200,000 on PostgreSQL, 20,000 on SQLite;
small: 5,000), each with a wristband, and BENCH_HS_READINGS readings (city: 10,000,000 on
PostgreSQL, 1,000,000 on SQLite; small: 200,000), up to 300 open alarms. Readings are made by one INSERT … SELECT in the database.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from bench.common import note, progress, report, sized, target

REQUESTS = sized("BENCH_HS_REQUESTS", tiny=3, small=30, city=60)


def _sizes() -> tuple[int, int]:
    from django.db import connection

    pg = connection.vendor == "postgresql"
    persons = sized("BENCH_HS_PERSONS", tiny=200, small=5000, city=200_000 if pg else 20_000)
    readings = sized("BENCH_HS_READINGS", tiny=2000, small=200_000, city=10_000_000 if pg else 1_000_000)
    return persons, readings


def _build(persons: int, readings: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from longcheng.kernel import demo
    from longcheng.kernel.people.models import Resident
    from longcheng.modules.homesafety import demo as hs_demo
    from longcheng.modules.homesafety.alarms import raise_alarm
    from longcheng.modules.homesafety.models import Device, DeviceState, Enrollee, Reading, create_devices
    from longcheng.modules.homesafety.rules import Verdict

    if Enrollee.objects.count() >= persons and Reading.objects.count() >= readings * 0.99:
        progress("the city is already built in this database (BENCH_DATABASE_URL): measuring only")
        return
    quiet = lambda *a, **k: None  # noqa: E731
    demo.build_places(log=quiet)
    demo.build_staff(log=quiet)
    progress(f"{persons} residents")
    demo.build_residents(residents=persons, log=quiet)
    progress(f"{persons} enrolled persons with a wristband each")
    now = timezone.now()
    ids = list(Resident.objects.order_by("pk").values_list("pk", flat=True)[:persons])
    for start in range(0, len(ids), 20_000):
        chunk = ids[start:start + 20_000]
        Enrollee.objects.bulk_create([
            Enrollee(person_id=pk, lives_alone=True, home_lat=31.70 + (pk % 100) / 1000, home_lon=120.0 + (pk % 97) / 1000,
                     safe_zone={"kind": "circle", "radius_m": 500}) for pk in chunk], batch_size=5000)
    enrollees = dict(Enrollee.objects.values_list("person_id", "pk"))
    for start in range(0, len(ids), 20_000):
        chunk = ids[start:start + 20_000]
        create_devices([(f"P-{pk}", "wristband", enrollees[pk], now - dt.timedelta(days=30)) for pk in chunk])
    devices = list(Device.objects.filter(serial__startswith="P-").values_list("pk", flat=True))
    DeviceState.objects.bulk_create([DeviceState(device_id=pk, last_received_at=now, last_device_time=now, online=True,
                                                 lat=31.7, lon=120.0, metrics={"hr": 72, "battery": 80})
                                     for pk in devices], batch_size=5000)
    per_device = max(1, readings // len(devices))
    progress(f"{per_device * len(devices):,} readings ({per_device} per device), in the database")
    began = time.perf_counter()
    _write_readings(per_device)
    progress(f"readings written in {time.perf_counter() - began:.0f} s; 300 open alarms")
    sample = Device.objects.filter(pk__in=devices[:: max(1, len(devices) // 300)][:300]).select_related("enrollee")
    with transaction.atomic():
        for i, device in enumerate(sample):
            kind, severity = [("sos", 1), ("heart_rate", 2), ("temperature", 3), ("low_battery", 4)][i % 4]
            raise_alarm(device.enrollee, device, Verdict(kind, True, severity, {}), now - dt.timedelta(minutes=i))
    from longcheng.kernel.access.models import User

    hs_demo._family_account(User)


def _write_readings(per_device: int) -> None:
    """per_device readings for each P- device, one minute apart, written by the database itself."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "INSERT INTO homesafety_reading (device_id, seq, device_time, received_at, metrics, event) "
                "SELECT d.id, g, now() - g * interval '1 minute', now() - g * interval '1 minute', "
                "jsonb_build_object('hr', 60 + g %% 30, 'temp', 36.5, 'battery', 80, 'worn', true), '' "
                "FROM homesafety_device d CROSS JOIN generate_series(1, %s) g WHERE d.serial LIKE 'P-%%'", [per_device])
            # As autovacuum would by now: without statistics the planner drives the scoped alarm
            # query from the places table and walks all 200,000 residents (1.8 s instead of 8 ms).
            cursor.execute("ANALYZE")
        else:
            cursor.execute(
                "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s) "
                "INSERT INTO homesafety_reading (device_id, seq, device_time, received_at, metrics, event) "
                "SELECT d.id, g.n, datetime('now', '-' || g.n || ' minutes'), datetime('now', '-' || g.n || ' minutes'), "
                "json_object('hr', 60 + g.n %% 30, 'temp', 36.5, 'battery', 80, 'worn', json('true')), '' "
                "FROM homesafety_device d CROSS JOIN g WHERE d.serial LIKE 'P-%%'", [per_device])
            cursor.execute("ANALYZE")


def _p95(client: Any, url: str) -> float:
    client.get(url)  # warm-up: templates compiled, connections open
    times = []
    for _ in range(REQUESTS):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
    times.sort()
    return times[min(len(times) - 1, int(len(times) * 0.95))]


def run() -> None:
    from django.test import Client

    from longcheng.kernel.access.models import User
    from longcheng.modules.homesafety.models import Alarm, Enrollee, Reading

    persons, readings = _sizes()
    _build(persons, readings)
    scale = f"{Enrollee.objects.count():,} persons, {Reading.objects.count():,} readings"
    note(f"{Enrollee.objects.count():,} enrolled persons, {Reading.objects.count():,} readings, "
          f"{Alarm.objects.filter(is_open=True).count()} open alarms")
    operator = Client()
    operator.force_login(User.objects.get(username="homesafety_operator"))
    anonymous = Client()
    floor = _p95(anonymous, "/login/")
    alarm = Alarm.objects.filter(is_open=True).order_by("severity", "raised_at").first()
    assert alarm is not None
    person = Enrollee.objects.order_by("-pk").first()
    assert person is not None
    manager, admin = Client(), Client()
    manager.force_login(User.objects.get(username="homesafety_manager"))
    admin.force_login(User.objects.get(username="city_admin"))
    pages = [("console", "/homesafety/", operator), ("console live list", "/homesafety/console/list/", operator),
             ("alarm page", f"/homesafety/alarms/{alarm.pk}/", operator),
             ("person page", f"/homesafety/persons/{person.pk}/", operator),
             # The pages issue 14 added: history, the month's figures, the rejected messages, the
             # rules and escalation pages (the programme manager's) and the gateways (the platform administrator's).
             ("alarm history", "/homesafety/history/", operator), ("month's figures", "/homesafety/report/", operator),
             ("rejected messages", "/homesafety/rejected/", operator), ("rules", "/homesafety/rules/", manager),
             ("escalation", "/homesafety/escalation/", manager), ("gateways", "/telemetry/gateways/", admin)]
    for label, url, client in pages:
        progress(f"{label}: {REQUESTS} requests")
        p95 = _p95(client, url)
        target("homesafety", f"{label} p95 (ms)", p95, 200, "ms", note=scale)
        report("homesafety", f"{label} p95 vs the stack's floor (ms)", p95, floor, "ms", "sign-in page p95")
    family = Client()
    family.force_login(User.objects.get(username="family_member"))
    target("homesafety", "family page p95 (ms)", _p95(family, "/homesafety/family/"), 200, "ms", note=scale)
