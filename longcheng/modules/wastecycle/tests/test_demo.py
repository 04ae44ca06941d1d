"""The demo step: fast, idempotent, and showing what the issue asks (grade 4's ~6 kg a day fall, every
month closing but the one flagged, a failed lot never handed out, a missed month visible)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.utils import timezone

from longcheng.modules.wastecycle import balance, reports
from longcheng.modules.wastecycle.demo import build
from longcheng.modules.wastecycle.models import (
    Handout,
    Lot,
    SchoolClass,
    SchoolDay,
    Station,
    Ticket,
    Weighing,
)


def test_the_demo_builds_fast_once_and_shows_the_stories(city: dict[str, Any]) -> None:
    started = time.monotonic()
    build(log=lambda *a: None)
    took = time.monotonic() - started
    counts = (Weighing.objects.count(), Ticket.objects.count())
    build(log=lambda *a: None)
    assert (Weighing.objects.count(), Ticket.objects.count()) == counts
    assert took < 30, took
    print("demo build took", round(took, 1), "s")
    assert SchoolClass.objects.values("grade_no").distinct().count() == 6
    today = timezone.localdate()
    report = reports.school_report(SchoolClass.objects.all(), dt.date(2026, 9, 1), today)
    fall = [kg for kg in report.daily_kg[4] if kg is not None]
    assert 4.5 <= fall[0] - fall[-1] <= 7.5, fall
    assert any(r.unattended_meals for r in report.ranked + report.unranked)
    district = reports.district_report(SchoolDay.objects.all(), dt.date(2026, 9, 1), today)
    assert sum(m.grams for m in district) == sum(r.grams for r in report.ranked + report.unranked)
    station = Station.objects.get()
    months = {m.month: m.balance for m in (balance.month_balance(station, m) for m in
                                          balance.rules.months_between(today - dt.timedelta(days=300), today))}
    flagged = [m for m, b in months.items() if not b.closes]
    assert [m.month for m in flagged] == [2], {m: b.difference for m, b in months.items()}
    assert Lot.objects.filter(state="failed").count() == 1
    assert not Handout.objects.exclude(lot__state="released").exists()
    calendar = balance.handout_calendar(station, today.replace(day=1) - dt.timedelta(days=300), today)
    assert any(missed for *_rest, missed in calendar)
