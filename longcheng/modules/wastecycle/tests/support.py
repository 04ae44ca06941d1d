"""A small world for wastecycle's tests: a school (organisation) in city["a"] with two grades of two
classes each, and a transfer station in 遥观镇 (city["yaoguan"])."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from longcheng.kernel.orgs.models import Organisation, OrgKind
from longcheng.modules.wastecycle.models import SchoolClass, Station

DAY = dt.date(2026, 11, 2)  # a Monday


def at(day: dt.date, hour: int = 8) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), timezone.get_current_timezone())


def make_school(place: Any, name: str = "遥观中心小学", grades: int = 2, per_grade: int = 2) -> dict[str, Any]:
    school = Organisation.objects.create(kind=OrgKind.SCHOOL, name=name, place=place)
    classes = []
    for g in range(1, grades + 1):
        grade = Organisation.objects.create(kind=OrgKind.SCHOOL, name=f"{name}{g}年级", place=place, parent=school)
        for c in range(1, per_grade + 1):
            org = Organisation.objects.create(kind=OrgKind.SCHOOL, name=f"{g}年级{c}班", place=place, parent=grade)
            classes.append(SchoolClass.objects.create(org=org, grade=grade, school=school, grade_no=g,
                                                      name=org.name, place=place))
    return {"school": school, "classes": classes}


def make_station(place: Any, name: str = "遥观镇垃圾转运站") -> Station:
    org = Organisation.objects.create(kind=OrgKind.UTILITY, name=name, place=place)
    return Station.objects.create(org=org, name=name, place=place)


PASSING = {"organic_matter": "48.5", "nutrients": "5.6", "moisture": "24", "ph": "7.2", "arsenic": "3",
           "mercury": "0.2", "lead": "12", "chromium": "40", "cadmium": "0.5",
           "germination": "82", "coliforms": "20", "ascaris": "98"}
