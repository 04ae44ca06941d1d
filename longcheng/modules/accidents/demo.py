"""accidents's share of the demo city: a month of minor accidents in Changzhou's districts, built
through the real actions with each step's time given, so the clock, the figures and the queue look
lived in: most rear-ends and lane changes decided from the photos and handed to the insurers, some
互碰自赔, refusals by reason (drink, injury, no licence…), disputes decided or called to the scene,
a few still waiting (one past the 15 minutes), and one photo reused from an earlier report.

Drivers are synthetic citizen accounts (no usable password); the demo account `accidents_driver`
is a party of a few reports and `accidents_insurer` handles claims for 人保财险. Idempotent: a
second run finds the demo's insurers' hand-offs and adds nothing."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from longcheng.kernel.access.models import RoleAssignment, User
from longcheng.kernel.people.validators import validate_resident_id
from longcheng.kernel.places.models import Place

from . import actions
from .models import Insurer, Report
from .seed import EXCLUSIONS

DAYS, PER_DAY = 30, 8
INSURERS = [("picc", "人保财险"), ("pingan", "平安财险"), ("cpic", "太平洋财险"), ("chinalife", "国寿财险")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞"]
# (ticks of A, ticks of B, weight): what happened, drawn per report.
STORIES = [(["rear_end"], ["hit_while_lawful"], 10), (["lane_change"], [], 6), (["reversing"], [], 3),
           (["both_lane_change"], ["both_lane_change"], 4), (["turn_no_yield"], ["hit_while_lawful"], 3),
           (["rear_end"], ["reversing"], 2), (["hit_while_lawful"], [], 1)]
REFUSALS = ["drink_drugs", "injury", "no_licence", "facilities", "immovable", "no_inspection"]
CENTRES = {"320402": (31.7812, 119.9740), "320404": (31.7702, 119.9310), "320411": (31.8302, 119.9740),
           "320412": (31.7072, 119.9395), "320413": (31.7236, 119.5661), "320481": (31.4160, 119.4843)}


# What drivers typically draw: a rear-end on a straight road, a turn across a crossroads, a T-junction.
SKETCHES = [
    {"layout": "straight", "a": {"cell": "C4", "heading": "N"}, "b": {"cell": "C3", "heading": "N"}},
    {"layout": "crossroads", "a": {"cell": "C4", "heading": "N"}, "b": {"cell": "D3", "heading": "W"}},
    {"layout": "t_junction", "a": {"cell": "C4", "heading": "N"}, "b": {"cell": "B3", "heading": "E"}},
]


def _check_digit(body: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def synthetic_resident_id(n: int) -> str:
    """A valid (checksummed) synthetic resident ID number for the demo's and the bench's drivers."""
    body = f"320412{1960 + n % 40}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return validate_resident_id(body + _check_digit(body))


class _Builder:
    def __init__(self, log: Callable[[str], None], progress: Callable[[int], None] | None) -> None:
        self.rng, self.log, self.progress = random.Random(146), log, progress
        self.insurers = [Insurer.objects.get_or_create(code=c, defaults={"name": n})[0] for c, n in INSURERS]
        self.places = {c: Place.objects.filter(code=c).first() for c in CENTRES}
        # A city-wide officer decides the demo's reports (the demo account works in 武进区 only).
        self.officer = self._user("demo_officer", "accidents_officer")
        demo_insurer = User.objects.filter(username="accidents_insurer").first()
        if demo_insurer:
            self.insurers[0].members.add(demo_insurer)
        self.drivers = [self._user(f"demo_driver_{i:03d}", "accidents_driver") for i in range(60)]
        demo_driver = User.objects.filter(username="accidents_driver").first()
        if demo_driver:
            self.drivers[0] = demo_driver
        self.first_photo: Any = None
        self.reused = False

    def _user(self, username: str, role: str) -> User:
        user, made = User.objects.get_or_create(username=username, defaults={"two_factor_exempt": True})
        if made:
            user.set_unusable_password()
            user.save()
            root = Place.objects.filter(depth=0).order_by("code").first()
            RoleAssignment.objects.create(user=user, role=role).places.set([root] if root else [])
        return user

    def _details(self, n: int, loss: int) -> dict[str, Any]:
        rng = self.rng
        return {"name": rng.choice(SURNAMES) + rng.choice(GIVEN), "phone": f"139{rng.randrange(10**8):08d}",
                "licence_no": synthetic_resident_id(n), "licence_class": rng.choice(["C1", "C1", "C2", "B2"]),
                "plate": f"苏D{rng.choice('ABCDEFGH')}{rng.randrange(10**4):04d}",
                "insurer": rng.choice(self.insurers), "policy_no": f"PDZA{rng.randrange(10**10):010d}",
                "loss_fen": loss}

    def one(self, n: int, day: int) -> None:
        rng, now = self.rng, timezone.now()
        code = rng.choice(list(self.places))
        place = self.places[code]
        if place is None:
            return
        at = (now - timedelta(days=day)).replace(hour=rng.choice([7, 8, 8, 9, 12, 17, 17, 18, 20, 22]),
                                                 minute=rng.randrange(60))
        if at > now:
            at = now - timedelta(minutes=20 + n % 30)
        lat, lon = CENTRES[code][0] + rng.uniform(-0.02, 0.02), CENTRES[code][1] + rng.uniform(-0.02, 0.02)
        a, b = rng.sample(self.drivers, 2)
        refused = rng.random() < 0.12
        answers = {c: False for c, *_ in EXCLUSIONS}
        if refused:
            answers[rng.choice(REFUSALS)] = True
        report = actions.do_start_report(place=place, lat=lat, lon=lon, answers=answers, third_party_property=False,
                                         acting_user=a, now=at)
        if refused:
            return
        actions.do_join_report(code=report.pairing_code, answers={c: False for c, *_ in EXCLUSIONS}, acting_user=b)
        small = rng.random() < 0.5
        for user, k in ((a, 0), (b, 1)):
            loss = rng.randrange(30_000, 200_000) if small else rng.randrange(150_000, 900_000)
            actions.do_confirm_party(report, self._details(2 * n + k, loss), acting_user=user, now=at)
        ticks_a, ticks_b, _w = rng.choices(STORIES, weights=[s[2] for s in STORIES])[0]
        actions.do_tick_circumstances(report, ticks_a, acting_user=a, now=at)
        actions.do_tick_circumstances(report, ticks_b, acting_user=b, now=at)
        # Chosen by number, not drawn from rng: the demo's other random choices stay as they were.
        actions.do_draw_sketch(report, SKETCHES[n % len(SKETCHES)], acting_user=a)
        self._photo(report, a, at, lat, lon, n)
        submitted = at + timedelta(minutes=rng.randrange(4, 12))
        actions.do_submit_report(report, acting_user=a, now=submitted)
        self._decide(report, a, b, submitted, day)

    def _photo(self, report: Report, user: User, at: Any, lat: float, lon: float, n: int) -> None:
        content = b"\xff\xd8\xff\xe0" + f"demo-photo-{n}".encode() * 32
        if n >= 40 and not self.reused and self.first_photo is not None:
            content, self.reused = self.first_photo, True  # the one reused photo: flagged on the second report
        elif self.first_photo is None:
            self.first_photo = content
        actions.do_add_photo(report, shot="front", upload=SimpleUploadedFile("front.jpg", content), taken_at=at,
                             lat=lat, lon=lon, acting_user=user, now=at + timedelta(minutes=1))

    def _decide(self, report: Report, a: User, b: User, submitted: Any, day: int) -> None:
        rng = self.rng
        if day == 0 and rng.random() < 0.5:
            return  # still in the queue today
        decided = submitted + timedelta(minutes=rng.choice([3, 5, 6, 8, 9, 11, 13, 16, 24]))
        report.refresh_from_db()
        if report.status == Report.Status.DISPUTE:
            if rng.random() < 0.4:
                actions.do_call_to_scene(report, reason="双方陈述不一致，需现场勘查", acting_user=self.officer)
                return
            actions.do_decide_liability(report, liability_a=rng.choice(["full", "none"]), reason="根据照片及双方陈述认定",
                                        acting_user=self.officer, now=decided)
        else:
            actions.do_decide_liability(report, liability_a=None, reason="", acting_user=self.officer, now=decided)
        for user in (a, b):
            actions.do_sign_agreement(report, acting_user=user, now=decided + timedelta(minutes=3))


def build(*, log: Any = print, progress: Callable[[int], None] | None = None, **options: Any) -> None:
    if Report.objects.filter(handoffs__insurer__code="picc").exists():
        log(f"  accidents: {Report.objects.count()} reports already")
        return
    if not any(Place.objects.filter(code=c).exists() for c in CENTRES):
        log("  accidents: no Changzhou districts in the demo places; skipped")
        return
    builder = _Builder(log, progress)
    days, n = int(options.get("accidents_days") or DAYS), 0
    for day in range(days - 1, -1, -1):
        with transaction.atomic():
            for _ in range(PER_DAY):
                builder.one(n, day)
                n += 1
        if progress:
            progress(1)
        if day % 5 == 0:
            log(f"  accidents: {n} reports, {days - day}/{days} days")
    log(f"  accidents: {Report.objects.count()} reports, "
        f"{Report.objects.filter(status=Report.Status.REFUSED).count()} refused")
