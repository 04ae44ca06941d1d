"""The weighbridge: tickets with their photos posted to the transfer station's API.

BENCH_WASTECYCLE_TICKETS tickets (tiny 40, small 500, city 3,000), each a multipart POST of
`/api/v1/wastecycle/stations/<id>/tickets` with a JPEG of about 80 kB, through Django's test Client in
this process (the whole request: session, scope, the form's checks, the upload check by content, the
photo written to disk, the ticket row and its audit row in one transaction), one after another as one
weighbridge sends them.

(a) Tickets per second against the issue's target (issue 21: 50 tickets/s with photos), and against a
    same-run plain-ORM baseline: the same tickets written as `Ticket` rows with their photo saved through
    the FileField, no request, no checks, no audit (the floor of writing a row and a file).
(b) A resend (the weighbridge's retry of a ticket already written: 200, nothing written again) per second.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from bench.common import note, progress, report, sized, target

TICKETS = sized("BENCH_WASTECYCLE_TICKETS", tiny=40, small=500, city=3000)


def _photo() -> bytes:
    """A real JPEG (the form opens it with Pillow): 480 × 360 of noise, about 80 kB."""
    import io
    import random

    from PIL import Image

    rng = random.Random(21)
    image = Image.frombytes("L", (480, 360), bytes(rng.randrange(256) for _ in range(480 * 360))).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=60)
    return out.getvalue()


PHOTO = _photo()
FIRST = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _world() -> tuple[Any, Any]:
    from longcheng.kernel.access.models import RoleAssignment, User
    from longcheng.kernel.orgs.models import Organisation
    from longcheng.kernel.places.models import Level, Place
    from longcheng.modules.wastecycle.models import Station

    town = Place(code="320412104", name="遥观镇", level=Level.STREET)
    town.path = town.compute_path()
    town.save()
    org = Organisation.objects.create(kind="utility", name="遥观镇垃圾转运站", place=town)
    station = Station.objects.create(org=org, name=org.name, place=town)
    operator = User.objects.create(username="bench-weighbridge", two_factor_exempt=True)
    RoleAssignment.objects.create(user=operator, role="wastecycle_operator").places.set([town])
    return station, operator


def _body(n: int, prefix: str) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    gross_at = FIRST + dt.timedelta(minutes=3 * n)
    return {"key": f"{prefix}-{n}", "vehicle": f"苏D{n % 1000:03d}", "source_name": "上书房社区",
            "stream": ("kitchen", "market", "other")[n % 3], "gross_kg": str(8000 + n % 900),
            "tare_kg": "6000", "gross_at": gross_at.isoformat(), "tare_at": (gross_at + dt.timedelta(minutes=1)).isoformat(),
            "photo": SimpleUploadedFile(f"wb-{n}.jpg", PHOTO, content_type="image/jpeg")}


def _post_all(client: Any, url: str, prefix: str, expect: int, count: int = TICKETS) -> float:
    """Seconds to post every ticket once (each answer checked)."""
    bodies = [_body(n, prefix) for n in range(count)]
    begin = time.perf_counter()
    for body in bodies:
        answer = client.post(url, body)
        assert answer.status_code == expect, (answer.status_code, answer.content[:300])
    return time.perf_counter() - begin


def _plain(station: Any, operator: Any) -> float:
    """The floor: the same rows and photo files through the ORM alone."""
    from django.core.files.base import ContentFile

    from longcheng.modules.wastecycle.models import Ticket

    begin = time.perf_counter()
    for n in range(TICKETS):
        body = _body(n, "plain")
        ticket = Ticket(station=station, key=body["key"], vehicle=body["vehicle"], source_name=body["source_name"],
                        stream=body["stream"], gross_kg=int(body["gross_kg"]), tare_kg=6000,
                        net_kg=int(body["gross_kg"]) - 6000, gross_at=dt.datetime.fromisoformat(body["gross_at"]),
                        tare_at=dt.datetime.fromisoformat(body["tare_at"]), recorded_by=operator)
        ticket.photo.save(f"wb-{n}.jpg", ContentFile(PHOTO), save=False)
        ticket.save()
    return time.perf_counter() - begin


def run() -> None:
    from django.test import Client

    from longcheng.modules.wastecycle.models import Ticket

    progress(f"wastecycle: {TICKETS:,} weighbridge tickets with a {len(PHOTO) // 1000} kB photo each")
    station, operator = _world()
    client = Client()
    client.force_login(operator)
    url = f"/api/v1/wastecycle/stations/{station.pk}/tickets"
    _post_all(client, url, "warm-up", 201, 5)  # the first requests import and build what later ones reuse
    ours = _post_all(client, url, "wb", 201)
    resent = _post_all(client, url, "wb", 200)
    plain = _plain(station, operator)
    assert Ticket.objects.filter(key__startswith="wb-").count() == TICKETS
    assert all(t.photo for t in Ticket.objects.filter(key__startswith="wb-")[:20])
    rate, floor = TICKETS / ours, TICKETS / plain
    metric = f"weighbridge tickets with photos ({TICKETS:,}, API)"
    target("wastecycle", f"{metric}, per second", rate, 50, "tickets/s", higher_is_better=True)
    report("wastecycle", metric, rate, floor, "tickets/s", "plain ORM: the row and its photo, no request",
           higher_is_better=True)
    note(f"a resend of a ticket already written (200, nothing written): {TICKETS / resent:,.0f} per second; "
         f"one ticket through the API {ours / TICKETS * 1000:.1f} ms, through the ORM alone "
         f"{plain / TICKETS * 1000:.1f} ms")
