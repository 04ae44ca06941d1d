"""The schools' days (`SchoolDay`) follow every weighing, attendance and correction, so the district
report read from them equals the sums of the weighings themselves; a correction is audited."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.db.models import Sum

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, NotFound, PermissionDenied
from longcheng.modules.wastecycle import actions, reports, rollup
from longcheng.modules.wastecycle.models import SchoolDay, Weighing

from .support import DAY, make_school


@pytest.fixture
def school(city: dict[str, Any]) -> dict[str, Any]:
    return make_school(city["a"])


@pytest.fixture
def teacher(city: dict[str, Any], make_user: Any) -> Any:
    return make_user("teacher", {"wastecycle_teacher": [city["a"]]})


def _direct(start: dt.date, end: dt.date) -> list[tuple[str, int, int]]:
    rows = (Weighing.objects.filter(day__gte=start, day__lte=end, diners__isnull=False)
            .values("klass__school__name").annotate(g=Sum("grams"), d=Sum("diners")).order_by("klass__school__name"))
    return [(r["klass__school__name"], r["g"], r["d"]) for r in rows]


def _report(start: dt.date, end: dt.date) -> list[tuple[str, int, int]]:
    return [(m.school, m.grams, m.diners) for m in reports.district_report(SchoolDay.objects.all(), start, end)]


def test_the_days_follow_weighings_attendance_and_corrections_in_any_order(
        city: dict[str, Any], school: dict[str, Any], teacher: Any) -> None:
    other = make_school(city["a"], name="遥观实验小学", grades=1)
    classes = school["classes"] + other["classes"]
    rng = random.Random(21)
    days = [DAY + dt.timedelta(days=d) for d in range(3)]
    for _ in range(60):
        klass, day, meal = rng.choice(classes), rng.choice(days), rng.choice(["breakfast", "lunch"])
        step = rng.random()
        if step < 0.4:
            actions.do_record_attendance(klass, day=day, meal=meal, diners=rng.randint(20, 45), acting_user=teacher)
        elif (row := Weighing.objects.filter(klass=klass, day=day, meal=meal).first()) is None:
            actions.do_record_weighing(klass, day=day, meal=meal, grams=rng.randint(0, 4000), acting_user=teacher)
        elif step < 0.8:
            grams = row.grams + rng.randint(1, 500)
            actions.do_correct_weighing(row, grams=grams, reason="托盘漏称", acting_user=teacher)
        assert _report(days[0], days[-1]) == _direct(days[0], days[-1])
    by_day = {(d.school_id, d.day): (d.grams, d.diners, d.meals, d.unattended) for d in SchoolDay.objects.all()}
    rollup.rebuild(days[0], days[-1])
    assert {(d.school_id, d.day): (d.grams, d.diners, d.meals, d.unattended) for d in SchoolDay.objects.all()} == by_day
    assert sum(meals + unattended for _g, _d, meals, unattended in by_day.values()) == Weighing.objects.count()


def test_a_correction_replaces_the_grams_with_its_reason_audited(school: dict[str, Any], teacher: Any) -> None:
    klass = school["classes"][0]
    row = actions.do_weigh_meal(klass, day=DAY, meal="lunch", diners=40, grams=1200, acting_user=teacher)
    assert _report(DAY, DAY) == [("遥观中心小学", 1200, 40)]
    fixed = actions.do_correct_weighing(row, grams=1650, reason="漏称了一个餐盘", acting_user=teacher)
    assert (fixed.grams, fixed.correction_reason) == (1650, "漏称了一个餐盘") and fixed.corrected_at is not None
    assert _report(DAY, DAY) == [("遥观中心小学", 1650, 40)]
    entry = AuditEntry.objects.get(action="wastecycle.weighing.correct")
    assert (entry.before, entry.reason) == ({"grams": 1200}, "漏称了一个餐盘")
    assert (entry.after or {})["grams"] == 1650


@pytest.mark.parametrize(("grams", "reason", "field"), [(1650, "", "reason"), (1650, "错", "reason"),
                                                         (1200, "称错了重量", "grams"), (300_000, "称错了重量", "grams")])
def test_a_correction_is_refused_without_a_reason_or_a_new_weight(
        school: dict[str, Any], teacher: Any, grams: int, reason: str, field: str) -> None:
    row = actions.do_weigh_meal(school["classes"][0], day=DAY, meal="lunch", diners=40, grams=1200, acting_user=teacher)
    with pytest.raises(KernelError) as refused:
        actions.do_correct_weighing(row, grams=grams, reason=reason, acting_user=teacher)
    assert refused.value.field == field
    assert Weighing.objects.get().grams == 1200 and SchoolDay.objects.get().grams == 1200
    assert not AuditEntry.objects.filter(action="wastecycle.weighing.correct").exists()


def test_a_teacher_elsewhere_cannot_correct(city: dict[str, Any], school: dict[str, Any], teacher: Any,
                                            make_user: Any) -> None:
    row = actions.do_weigh_meal(school["classes"][0], day=DAY, meal="lunch", diners=40, grams=1200, acting_user=teacher)
    stranger = make_user("stranger", {"wastecycle_teacher": [city["b"]]})
    with pytest.raises((PermissionDenied, NotFound)):
        actions.do_correct_weighing(row, grams=10, reason="称错了重量", acting_user=stranger)
    assert Weighing.objects.get().grams == 1200


def test_the_teacher_corrects_on_the_page_and_the_district_report_follows(
        school: dict[str, Any], teacher: Any) -> None:
    from django.test import Client

    klass = school["classes"][0]
    row = actions.do_weigh_meal(klass, day=DAY, meal="lunch", diners=40, grams=1200, acting_user=teacher)
    client = Client()
    client.force_login(teacher)
    client.cookies["django_language"] = "zh-hans"
    url = f"/wastecycle/weighings/{row.pk}/correct/"
    assert "1200" in client.get(url).content.decode()
    refused = client.post(url, {"grams": "1500", "reason": ""})
    assert refused.status_code == 400 and 'id="error-correct-reason"' in refused.content.decode()
    done = client.post(url, {"grams": "1500", "reason": "漏称了一个餐盘"})
    assert done.status_code == 302
    page = client.get(done["Location"]).content.decode()
    assert 'id="corrected"' in page and "已更正" in page
    district = client.get("/wastecycle/district/?start=2026-11-01&end=2026-11-30").content.decode()
    assert "37.5" in district  # 1500 g / 40 diners
