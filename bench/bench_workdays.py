"""Working-day arithmetic: the kernel's add_working_days against a plain day-by-day walk that asks
chinese_calendar about every day (what one writes without the kernel), on the same random starts."""

from __future__ import annotations

import datetime as dt
import random

from bench.common import median_seconds, progress, report

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def naive_due(start: dt.datetime, days: int) -> dt.date:
    import chinese_calendar

    day, left = start.date(), days
    while left:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            left -= 1
    return day


def run() -> None:
    from longcheng.kernel.workdays import api as wd

    rng = random.Random(7)
    starts = [dt.datetime(2024, 1, 1, 9, tzinfo=SHANGHAI) + dt.timedelta(hours=rng.randrange(0, 24 * 900))
              for _ in range(2000)]
    for days in (1.5, 20):
        progress(f"add_working_days × {len(starts)}, {days} working days")
        ours = median_seconds(lambda d=days: [wd.add_working_days(s, d) for s in starts], repeat=5) / len(starts)
        base = median_seconds(lambda d=days: [naive_due(s, int(d) or 1) for s in starts], repeat=5) / len(starts)
        report("workdays", f"add_working_days, {days} days, per call", ours * 1e6, base * 1e6, "µs",
               "day walk on chinese_calendar")
    progress("working_days_between over a month")
    ends = [s + dt.timedelta(days=30) for s in starts]
    ours = median_seconds(lambda: [wd.working_days_between(s, e) for s, e in zip(starts, ends, strict=True)],
                          repeat=5) / len(starts)
    base = median_seconds(lambda: [naive_due(s, 20) for s in starts], repeat=5) / len(starts)
    report("workdays", "working_days_between, 30 calendar days, per call", ours * 1e6, base * 1e6, "µs",
           "day walk on chinese_calendar")
