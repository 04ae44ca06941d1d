"""The week's praise and alerts go to the school's teachers once; the month's report files (PDF,
XLSX) carry the page's figures, with a class name that looks like a formula kept as text."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from longcheng.kernel.notify.models import Message
from longcheng.modules.wastecycle import actions, jobs

from .support import DAY, make_school


@pytest.fixture
def world(city: dict[str, Any], make_user: Any) -> dict[str, Any]:
    school = make_school(city["a"])
    teacher = make_user("teacher", {"wastecycle_teacher": [city["a"]]})
    elsewhere = make_user("elsewhere", {"wastecycle_teacher": [city["b"]]})
    return {"school": school, "teacher": teacher, "elsewhere": elsewhere}


def _two_weeks(world: dict[str, Any]) -> None:
    c1, c2, c3, _c4 = world["school"]["classes"]
    for week, grams in ((0, (1500, 900, 4500)), (7, (600, 900, 4400))):
        for klass, g in zip((c1, c2, c3), grams, strict=True):
            actions.do_weigh_meal(klass, day=DAY + dt.timedelta(days=week), meal="lunch", diners=30, grams=g,
                                  acting_user=world["teacher"])


def test_the_week_praises_and_alerts_the_school_teachers_once(world: dict[str, Any]) -> None:
    _two_weeks(world)
    monday_after = DAY + dt.timedelta(days=14)
    assert jobs.weekly_messages(monday_after) == 2
    by_subject = {m.subject: m for m in Message.objects.filter(recipient_user=world["teacher"])}
    praise = next(m for s, m in by_subject.items() if "表扬" in s)
    alert = next(m for s, m in by_subject.items() if "提醒" in s)
    assert "1年级1班" in praise.body and "进步最大" in praise.body  # 50 → 20 g per diner
    assert "1年级1班，每人 20.0 克" in praise.body  # the least waste of the week: 600 g / 30
    assert "2年级1班" in alert.body and "146.7" in alert.body  # 4400 g / 30 diners, above 100 g
    assert "1年级2班" not in alert.body
    assert not Message.objects.filter(recipient_user=world["elsewhere"]).exists()
    assert jobs.weekly_messages(monday_after) == 2  # the same sweep again: the same two messages
    assert Message.objects.count() == 2


def test_a_quiet_week_sends_nothing(world: dict[str, Any]) -> None:
    _two_weeks(world)
    assert jobs.weekly_messages(DAY + dt.timedelta(days=28)) == 0
    assert not Message.objects.exists()


def test_the_month_files_carry_the_figures_and_neutralise_formulas(world: dict[str, Any]) -> None:
    klass = world["school"]["classes"][0]
    klass.name = "=HYPERLINK(\"http://x\")"
    klass.save()
    _two_weeks(world)
    client = Client()
    client.force_login(world["teacher"])
    school = world["school"]["school"]
    pdf = client.get(f"/wastecycle/schools/{school.pk}/report/?month=2026-11&format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/wastecycle/schools/{school.pk}/report/?month=2026-11&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    named = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert named.data_type == "s" and named.quotePrefix
    assert any(c.value == "35.0" for c in cells)  # 1年级1班's month: 2100 g / 60 diners
    district = client.get("/wastecycle/district/report/?month=2026-11&format=xlsx")
    values = [c.value for row in load_workbook(io.BytesIO(district.content)).active.iter_rows() for c in row]
    assert "遥观中心小学" in values and 12.8 in values  # 12,800 g in November
    assert client.get("/wastecycle/district/report/?month=2026-13&format=pdf").status_code == 400
    other = Client()
    other.force_login(world["elsewhere"])
    assert other.get(f"/wastecycle/schools/{school.pk}/report/?month=2026-11").status_code == 404
