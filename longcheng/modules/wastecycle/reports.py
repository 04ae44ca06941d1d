"""The school's figures: grams per diner per class (meals with their attendance only), rankings,
trends by week, 光盘 meals, alerts and the most improved class; the district's monthly report by school.

A weighing counts only with its meal's attendance: the diners come from the same class, day and meal,
so a class that recorded no attendance has no figure and is not ranked (listed apart)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import QuerySet, Sum

from longcheng.kernel.orgs.models import Organisation

from . import rules
from .conf import conf
from .models import SchoolClass, SchoolDay, Weighing


def with_diners(weighings: QuerySet[Weighing]) -> QuerySet[Weighing]:
    """The weighings with their meal's diners (`Weighing.diners`, None where the attendance is missing)."""
    return weighings


@dataclass
class ClassRow:
    klass: SchoolClass
    grams: int = 0
    diners: int = 0
    meals: int = 0
    clean_meals: int = 0
    alerts: int = 0
    unattended_meals: int = 0

    @property
    def per_diner(self) -> Fraction | None:
        return rules.grams_per_diner(self.grams, self.diners)

    @property
    def shown(self) -> str:
        return rules.shown_grams(self.per_diner)


@dataclass
class SchoolReport:
    start: dt.date
    end: dt.date
    ranked: list[ClassRow] = field(default_factory=list)
    unranked: list[ClassRow] = field(default_factory=list)
    grades: list[tuple[int, str]] = field(default_factory=list)  # (grade number, per diner shown)
    weeks: list[dt.date] = field(default_factory=list)
    trend: dict[int, list[float | None]] = field(default_factory=dict)  # grade → grams per diner by week
    daily_kg: dict[int, list[float | None]] = field(default_factory=dict)  # grade → kg per day by week
    most_improved: SchoolClass | None = None


def _meals(classes: QuerySet[SchoolClass], start: dt.date, end: dt.date) -> list[Any]:
    weighings = Weighing.objects.filter(klass__in=classes, day__gte=start, day__lte=end)
    return list(weighings.values("klass_id", "day", "grams", "diners"))


def school_report(classes: QuerySet[SchoolClass], start: dt.date, end: dt.date) -> SchoolReport:
    """Rankings over [start, end], weekly trends by grade, the most improved class of the last two weeks."""
    by_pk = {c.pk: c for c in classes}
    rows = {pk: ClassRow(klass) for pk, klass in by_pk.items()}
    alert, clean = conf("WASTECYCLE_ALERT_GRAMS"), conf("WASTECYCLE_CLEAN_PLATE_GRAMS")
    weekly: dict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0, 0, 0])  # grams, diners, days
    by_class_week: dict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    for meal in _meals(classes, start, end):
        row = rows[meal["klass_id"]]
        if not meal["diners"]:
            row.unattended_meals += 1
            continue
        row.grams += meal["grams"]
        row.diners += meal["diners"]
        row.meals += 1
        row.clean_meals += meal["grams"] <= clean * meal["diners"]
        row.alerts += meal["grams"] > alert * meal["diners"]
        week = meal["day"] - dt.timedelta(days=meal["day"].weekday())
        cell = weekly[(row.klass.grade_no, week)]
        cell[0] += meal["grams"]
        cell[1] += meal["diners"]
        by_class_week[(row.klass.pk, week)][0] += meal["grams"]
        by_class_week[(row.klass.pk, week)][1] += meal["diners"]
    report = SchoolReport(start, end)
    order = {r.key: i for i, r in enumerate(rules.rank((pk, r.grams, r.diners) for pk, r in rows.items()))}
    report.ranked = sorted((r for pk, r in rows.items() if pk in order), key=lambda r: order[r.klass.pk])
    report.unranked = [r for pk, r in rows.items() if pk not in order]
    report.weeks = sorted({week for _, week in weekly})
    days = _school_days(classes, start, end)
    grade_totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (grade, _week), (grams, diners, _) in weekly.items():
        grade_totals[grade][0] += grams
        grade_totals[grade][1] += diners
    report.grades = [(g, rules.shown_grams(rules.grams_per_diner(*grade_totals[g]))) for g in sorted(grade_totals)]
    for grade in sorted(grade_totals):
        report.trend[grade] = [_float(rules.grams_per_diner(*weekly[(grade, w)][:2])) if (grade, w) in weekly
                               else None for w in report.weeks]
        report.daily_kg[grade] = [round(weekly[(grade, w)][0] / 1000 / days[w], 1) if (grade, w) in weekly and days[w]
                                  else None for w in report.weeks]
    if len(report.weeks) >= 2:
        before, after = report.weeks[-2], report.weeks[-1]
        key = rules.most_improved(
            {pk: Fraction(g, d) for (pk, w), (g, d) in by_class_week.items() if w == before and d},
            {pk: Fraction(g, d) for (pk, w), (g, d) in by_class_week.items() if w == after and d})
        report.most_improved = by_pk.get(key) if key is not None else None
    return report


def _float(value: Fraction | None) -> float | None:
    return round(float(value), 1) if value is not None else None


def _school_days(classes: QuerySet[SchoolClass], start: dt.date, end: dt.date) -> dict[dt.date, int]:
    """Days weighed in each week (for kilograms per day)."""
    days: dict[dt.date, set[dt.date]] = defaultdict(set)
    for day in Weighing.objects.filter(klass__in=classes, day__gte=start, day__lte=end).values_list(
            "day", flat=True).distinct():
        days[day - dt.timedelta(days=day.weekday())].add(day)
    return defaultdict(int, {week: len(d) for week, d in days.items()})


@dataclass(frozen=True)
class SchoolMonth:
    school: str
    month: dt.date
    grams: int
    diners: int

    @property
    def shown(self) -> str:
        return rules.shown_grams(rules.grams_per_diner(self.grams, self.diners))


def district_report(days: QuerySet[SchoolDay], start: dt.date, end: dt.date) -> list[SchoolMonth]:
    """Each school's months from the schools' days (`SchoolDay`, kept with the weighings): grams and diners
    of the meals with their attendance, one grouped query a month (a day range on the indexed day, not
    a truncation: SQLite computes TruncMonth in Python per row)."""
    totals: list[tuple[int, dt.date, int, int]] = []
    for month in rules.months_between(start, end):
        following = (month + dt.timedelta(days=32)).replace(day=1)
        rows = (days.filter(day__gte=max(start, month), day__lte=min(end, following - dt.timedelta(days=1)))
                .values("school_id").annotate(g=Sum("grams"), d=Sum("diners")).order_by())
        totals += [(r["school_id"], month, r["g"] or 0, r["d"] or 0) for r in rows if r["d"]]
    names = dict(Organisation.objects.filter(pk__in={t[0] for t in totals}).values_list("pk", "name"))
    return sorted((SchoolMonth(names[school], month, g, d) for school, month, g, d in totals),
                  key=lambda m: (m.school, m.month))
