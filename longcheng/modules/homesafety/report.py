"""The month's figures against the norm: the share of alarms acknowledged within 60 s and within 180 s
(targets 97.5 % and 99 %, the norm of an alarm receiving centre), per community, per operator and per
shift; minutes from alarm to arrival at the door; the false-alarm rate per device type. One tally
(`Tally`) serves this report and the dashboard's 30-day figures, so the two can never count
differently. A share counts only alarms older than its window: an alarm raised 20 s ago has not
failed the 60 s norm yet."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from longcheng.kernel import exports, pdf
from longcheng.kernel.access.scope import restrict
from longcheng.kernel.registry import Chart

from .devices import DEVICE_TYPES
from .models import Alarm, Outcome

VIEW = "homesafety.view"
TARGET_60 = 97.5
TARGET_180 = 99.0
# The alarm centre's two shifts, local time: day 08:00–20:00, night 20:00–08:00.
DAY_STARTS, NIGHT_STARTS = 8, 20


@dataclass(frozen=True)
class Facts:
    """What the figures need of one alarm."""

    raised: dt.datetime
    acked: dt.datetime | None
    arrived: dt.datetime | None
    false: bool
    community: str
    operator: str
    device_type: str


@dataclass
class Tally:
    label: str
    n: int = 0
    n60: int = 0
    in60: int = 0
    n180: int = 0
    in180: int = 0
    false: int = 0
    arrivals: list[float] = field(default_factory=list)

    def add(self, facts: Facts, now: dt.datetime) -> None:
        self.n += 1
        age = (now - facts.raised).total_seconds()
        wait = (facts.acked - facts.raised).total_seconds() if facts.acked is not None else math.inf
        if age > 60:
            self.n60 += 1
            self.in60 += wait <= 60
        if age > 180:
            self.n180 += 1
            self.in180 += wait <= 180
        if facts.arrived is not None:
            self.arrivals.append((facts.arrived - facts.raised).total_seconds() / 60)
        self.false += facts.false

    @property
    def pct60(self) -> float:
        """100 when no alarm is old enough to have failed the norm."""
        return round(100 * self.in60 / self.n60, 1) if self.n60 else 100.0

    @property
    def pct180(self) -> float:
        return round(100 * self.in180 / self.n180, 1) if self.n180 else 100.0

    @property
    def false_pct(self) -> float:
        return round(100 * self.false / self.n, 1) if self.n else 0.0

    @property
    def arrival_median(self) -> float | None:
        return round(statistics.median(self.arrivals), 1) if self.arrivals else None

    @property
    def met(self) -> bool:
        return self.pct60 >= TARGET_60 and self.pct180 >= TARGET_180


def facts(qs: Any) -> Iterator[Facts]:
    """One query; a grid's alarms count for its community (figures are per community, not per grid)."""
    for raised, acked, arrived, outcome, level, name, parent, op_name, op_user, kind in qs.values_list(
            "raised_at", "acknowledged_at", "arrived_at", "outcome", "enrollee__person__place__level",
            "enrollee__person__place__name", "enrollee__person__place__parent__name",
            "acknowledged_by__display_name", "acknowledged_by__username", "device__kind"):
        community = (parent if level == "grid" else name) or "—"
        yield Facts(raised, acked, arrived, outcome == Outcome.FALSE_ALARM, community,
                    op_name or op_user or "", kind or "")


def tally(rows: Iterable[Facts], key: Callable[[Facts], str], now: dt.datetime) -> list[Tally]:
    groups: dict[str, Tally] = {}
    for row in rows:
        label = key(row)
        groups.setdefault(label, Tally(label)).add(row, now)
    return sorted(groups.values(), key=lambda t: t.label)


def shift_of(raised: dt.datetime) -> str:
    hour = timezone.localtime(raised).hour
    return _("Day shift 08:00–20:00") if DAY_STARTS <= hour < NIGHT_STARTS else _("Night shift 20:00–08:00")


def month_range(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The calendar month in local time (Asia/Shanghai), as aware datetimes [start, end)."""
    tz = timezone.get_current_timezone()
    first = month.replace(day=1)
    after = (first + dt.timedelta(days=32)).replace(day=1)
    return dt.datetime.combine(first, dt.time(), tzinfo=tz), dt.datetime.combine(after, dt.time(), tzinfo=tz)


def alarms_between(user: Any, start: dt.datetime, end: dt.datetime) -> Any:
    """The alarms the user sees, raised in [start, end); a condition that cleared by itself before
    anyone acted is not an alarm anyone failed to answer."""
    return restrict(Alarm.objects.filter(raised_at__gte=start, raised_at__lt=end), user, VIEW).exclude(outcome="cleared")


@dataclass(frozen=True)
class MonthReport:
    month: dt.date
    total: Tally
    by_community: list[Tally]
    by_operator: list[Tally]
    by_shift: list[Tally]
    by_device_type: list[Tally]


def month_report(user: Any, month: dt.date, now: dt.datetime | None = None) -> MonthReport:
    now = now or timezone.now()
    start, end = month_range(month)
    rows = list(facts(alarms_between(user, start, end)))
    not_acked = _("(not acknowledged)")
    return MonthReport(
        month=start.date(),
        total=tally(rows, lambda _f: str(_("All")), now)[0] if rows else Tally(str(_("All"))),
        by_community=tally(rows, lambda f: f.community, now),
        by_operator=tally(rows, lambda f: f.operator or not_acked, now),
        by_shift=tally(rows, lambda f: shift_of(f.raised), now),
        by_device_type=tally(rows, lambda f: device_type_label(f.device_type), now),
    )


def device_type_label(kind: str) -> str:
    spec = DEVICE_TYPES.get(kind)
    return str(spec.label) if spec is not None else kind or "—"


def share_charts(title: str, tallies: list[Tally]) -> list[Chart]:
    labels = [t.label for t in tallies]
    return [
        Chart(_("%(what)s: acknowledged within 60 s (%%), target %(target)s %%") % {"what": title, "target": TARGET_60},
              "bar", labels, {_("within 60 s"): [t.pct60 for t in tallies]}, guides=(TARGET_60,), top=100),
        Chart(_("%(what)s: acknowledged within 180 s (%%), target %(target)s %%") % {"what": title, "target": TARGET_180},
              "bar", labels, {_("within 180 s"): [t.pct180 for t in tallies]}, guides=(TARGET_180,), top=100),
    ]


def report_charts(report: MonthReport) -> list[Chart]:
    charts = [*share_charts(pgettext("homesafety", "Community"), report.by_community),
              *share_charts(pgettext("homesafety", "Operator"), report.by_operator),
              *share_charts(_("Shift"), report.by_shift)]
    types = report.by_device_type
    charts.append(Chart(_("False alarms per device type (%)"), "bar", [t.label for t in types],
                        {_("false alarms"): [t.false_pct for t in types]}, top=100))
    arrivals = [t for t in report.by_community if t.arrival_median is not None]
    if arrivals:
        charts.append(Chart(_("Minutes from alarm to arrival at the door (median)"), "bar",
                            [t.label for t in arrivals], {_("minutes"): [t.arrival_median or 0 for t in arrivals]}))
    return charts


def sections(report: MonthReport) -> list[tuple[str, list[Tally]]]:
    return [(pgettext("homesafety", "Community"), report.by_community),
            (pgettext("homesafety", "Operator"), report.by_operator),
            (_("Shift"), report.by_shift),
            (_("Device type"), report.by_device_type)]


def header(first: str) -> list[str]:
    return [first, _("Alarms"), _("Acknowledged within 60 s (%)"), _("Acknowledged within 180 s (%)"),
            _("Median minutes to arrival"), _("False alarms (%)"), _("Norm met")]


def row(t: Tally) -> list[Any]:
    median = t.arrival_median
    return [t.label, t.n, t.pct60, t.pct180, "—" if median is None else median, t.false_pct,
            _("yes") if t.met else _("no")]


def title(report: MonthReport) -> str:
    return _("Alarm centre: figures for %(month)s") % {"month": report.month.strftime("%Y-%m")}


def report_xlsx(report: MonthReport) -> bytes:
    book = exports.workbook()
    first = True
    for name, tallies in [(_("All"), [report.total]), *sections(report)]:
        sheet = book.active if first else book.create_sheet()
        first = False
        sheet.title = name[:31]
        exports.append(sheet, header(name))
        for t in tallies:
            exports.append(sheet, row(t))
    return exports.xlsx_bytes(book)


def report_pdf(report: MonthReport) -> bytes:
    norm = _("Targets: %(t60)s %% acknowledged within 60 s, %(t180)s %% within 180 s; a share counts only alarms "
             "older than its window.") % {"t60": TARGET_60, "t180": TARGET_180}
    blocks: list[pdf.Block] = [pdf.Para(norm), pdf.Rows([header(_("All")), row(report.total)])]
    for name, tallies in sections(report):
        blocks += [pdf.Heading(name), pdf.Rows([header(name), *(row(t) for t in tallies)])]
    return pdf.document(title(report), blocks)
