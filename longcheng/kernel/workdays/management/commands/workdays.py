"""`longcheng workdays due|between|load|show`: the working-day calendar from the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from longcheng.kernel.errors import KernelError
from longcheng.kernel.workdays import api as wd


def _moment(text: str, name: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{name}: {text!r} is not an ISO date-time such as 2026-11-23T16:00") from None
    return wd._aware(value)


class Command(BaseCommand):
    help = "Working days in the Chinese official calendar (half-day precision)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser("due", help="print the due moment of DURATION working days from START")
        due.add_argument("start", help="ISO date-time in Asia/Shanghai, e.g. 2026-11-23T16:00")
        due.add_argument("duration", help="working days, a multiple of 0.5, e.g. 1.5")
        between = sub.add_parser("between", help="print the working days elapsed from START to END")
        between.add_argument("start")
        between.add_argument("end")
        load = sub.add_parser("load", help="load a year's holiday schedule from a CSV file (date,kind,name)")
        load.add_argument("year", type=int)
        load.add_argument("file")
        load.add_argument("--source", default="State Council notice")
        show = sub.add_parser("show", help="list a year's days that differ from the usual week")
        show.add_argument("year", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"do_{options['action']}")(options)
        except KernelError as error:
            raise CommandError(f"{error.field + ': ' if error.field else ''}{error.message}") from None

    def do_due(self, options: dict[str, Any]) -> None:
        due = wd.add_working_days(_moment(options["start"], "START"), options["duration"])
        self.stdout.write(due.isoformat())

    def do_between(self, options: dict[str, Any]) -> None:
        days = wd.working_days_between(_moment(options["start"], "START"), _moment(options["end"], "END"))
        self.stdout.write(str(days))

    def do_load(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"FILE: cannot read {path} ({exc.strerror})") from None
        days = wd.parse_schedule_csv(text)
        wd.do_set_year_schedule(options["year"], days, source=options["source"], acting_user=None,
                                check_permission=False)
        self.stdout.write(f"{options['year']}: {len(days)} days loaded")

    def do_show(self, options: dict[str, Any]) -> None:
        year = options["year"]
        day = dt.date(year, 1, 1)
        while day.year == year:
            info = wd.describe_day(day)
            if bool(info["working"]) != (day.weekday() < 5):
                kind = "workday" if info["working"] else "holiday"
                self.stdout.write(f"{day.isoformat()},{kind},{info['name'] or ''}")
            day += dt.timedelta(days=1)
