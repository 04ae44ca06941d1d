"""The demo's school: 遥观中心小学, six grades of four classes, the autumn term's lunches."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from longcheng.kernel.orgs.models import Organisation, OrgKind
from longcheng.kernel.places.models import Place

from .. import rollup
from ..models import Attendance, KitchenWaste, SchoolClass, Weighing

PREFIX = "wc-demo-"
GRADES, CLASSES, PUPILS = 6, 4, 40
TERM_START = dt.date(2026, 9, 1)
HOLIDAYS = {dt.date(2026, 10, d) for d in range(1, 8)}
FALLING_GRADE = 4
# Grade 4 starts at ~85 g per diner and ends near 47 g: 160 diners, about 6 kg a day less.
FALL_FROM, FALL_TO = 85.0, 47.0
CN = "一二三四五六"


def school_days(until: dt.date) -> list[dt.date]:
    days, day = [], TERM_START
    while day <= until:
        if day.weekday() < 5 and day not in HOLIDAYS:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _classes(town: Place) -> tuple[Organisation, list[SchoolClass]]:
    school = Organisation.objects.create(kind=OrgKind.SCHOOL, code=f"{PREFIX}school", name="遥观中心小学", place=town)
    grades = Organisation.objects.bulk_create([
        Organisation(kind=OrgKind.SCHOOL, code=f"{PREFIX}g{g}", name=f"遥观中心小学{CN[g - 1]}年级", place=town,
                     parent=school) for g in range(1, GRADES + 1)])
    orgs = Organisation.objects.bulk_create([
        Organisation(kind=OrgKind.SCHOOL, code=f"{PREFIX}g{g}c{c}", name=f"{CN[g - 1]}年级{c}班", place=town,
                     parent=grades[g - 1]) for g in range(1, GRADES + 1) for c in range(1, CLASSES + 1)])
    classes = SchoolClass.objects.bulk_create([
        SchoolClass(org=org, grade=grades[n // CLASSES], school=school, grade_no=n // CLASSES + 1, name=org.name,
                    place=town) for n, org in enumerate(orgs)])
    return school, classes


def build_school(town: Place) -> int:
    rng = random.Random(3)
    school, classes = _classes(town)
    days = school_days(timezone.localdate() - dt.timedelta(days=1))
    weighings, attendance, kitchen = [], [], []
    for i, day in enumerate(days):
        share = i / max(len(days) - 1, 1)
        for klass in classes:
            diners = PUPILS - rng.randint(0, 3)
            if klass.grade_no == FALLING_GRADE:
                per = FALL_FROM + (FALL_TO - FALL_FROM) * share + rng.uniform(-4, 4)
            else:
                per = 40 + 5 * klass.grade_no + rng.uniform(-12, 12)
            # 六年级4班 forgets the attendance on Fridays: its Friday meals are weighed but not ranked.
            counted = not (klass.name == "六年级4班" and day.weekday() == 4)
            if counted:
                attendance.append(Attendance(klass=klass, day=day, meal="lunch", diners=diners))
            weighings.append(Weighing(klass=klass, day=day, meal="lunch", grams=max(0, round(per * diners)),
                                      diners=diners if counted else None,
                                      source="scale" if klass.grade_no <= 3 else "phone"))
        kitchen.append(KitchenWaste(school=school, place=town, day=day, reason=rng.choice(
            ["overproduction", "spoilage", "trimmings"]), grams=rng.randint(2_000, 9_000)))
    Attendance.objects.bulk_create(attendance, batch_size=2000)
    Weighing.objects.bulk_create(weighings, batch_size=2000)
    KitchenWaste.objects.bulk_create(kitchen, batch_size=2000)
    if days:
        rollup.rebuild(days[0], days[-1])  # the schools' days the district report reads
    return len(weighings)
