"""Working-day arithmetic: the kernel's add_working_days and working_days_between against what one
writes without the kernel for the same answers: the same half-day session walk asking
chinese_calendar about every day it passes (no cache, no administrator's tables), on the same random
starts. Each baseline is checked to give the kernel's answers, so both do the same work."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal

from bench.common import median_seconds, progress, report, sized

CALLS = sized("BENCH_WORKDAYS_CALLS", tiny=100, small=2000, city=2000)


def _plain_sessions(start: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    import chinese_calendar

    from longcheng.kernel.workdays.api import SHANGHAI, sessions_of_day

    hours = sessions_of_day()
    day = start.date()
    while True:
        if chinese_calendar.is_workday(day):
            for begin, end in hours:
                session_start = dt.datetime.combine(day, begin, tzinfo=SHANGHAI)
                if session_start >= start:
                    yield session_start, dt.datetime.combine(day, end, tzinfo=SHANGHAI)
        day += dt.timedelta(days=1)


def plain_add(start: dt.datetime, days: Decimal) -> dt.datetime:
    halves = int(days * 2)
    for index, (_begin, end) in enumerate(_plain_sessions(start), start=1):
        if index == halves:
            return end
    raise AssertionError("unreachable")


def plain_between(start: dt.datetime, end: dt.datetime) -> Decimal:
    halves = 0
    for _begin, session_end in _plain_sessions(start):
        if session_end > end:
            break
        halves += 1
    return (Decimal("0.5") * halves).normalize() if halves else Decimal(0)


def run() -> None:
    from longcheng.kernel.workdays import api as wd

    rng = random.Random(7)
    starts = [dt.datetime(2024, 1, 1, 9, tzinfo=wd.SHANGHAI) + dt.timedelta(hours=rng.randrange(0, 24 * 900))
              for _ in range(CALLS)]
    for days in (Decimal("1.5"), Decimal(20)):
        for s in starts[:50]:
            assert wd.add_working_days(s, days) == plain_add(s, days), "the baseline must give the kernel's answer"
        progress(f"add_working_days × {len(starts)}, {days} working days")
        ours = median_seconds(lambda d=days: [wd.add_working_days(s, d) for s in starts], repeat=5) / len(starts)
        base = median_seconds(lambda d=days: [plain_add(s, d) for s in starts], repeat=5) / len(starts)
        report("workdays", f"add_working_days, {days} days, per call", ours * 1e6, base * 1e6, "µs",
               "same session walk on chinese_calendar")
    progress(f"working_days_between × {len(starts)}, 30 calendar days apart")
    ends = [s + dt.timedelta(days=30) for s in starts]
    for s, e in list(zip(starts, ends, strict=True))[:50]:
        assert wd.working_days_between(s, e) == plain_between(s, e), "the baseline must give the kernel's answer"
    ours = median_seconds(lambda: [wd.working_days_between(s, e) for s, e in zip(starts, ends, strict=True)],
                          repeat=5) / len(starts)
    base = median_seconds(lambda: [plain_between(s, e) for s, e in zip(starts, ends, strict=True)],
                          repeat=5) / len(starts)
    report("workdays", "working_days_between, 30 calendar days, per call", ours * 1e6, base * 1e6, "µs",
           "same session count on chinese_calendar")
