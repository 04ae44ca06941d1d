"""The one-stop pages. The applicant's live in views_apply.py, the departments' in views_desk.py;
here the figures page and the home dashboard's panel."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from longcheng.kernel.access.scope import restrict
from longcheng.kernel.registry import Chart, Figure
from longcheng.kernel.web.charts import render_chart
from longcheng.kernel.web.decorators import staff_view
from longcheng.kernel.workdays.api import working_days_between

from . import clock
from .catalogue import DEPARTMENTS, OFFICES, services
from .models import Case, CaseStatus, Pause, Task, TaskStatus
from .spec import VIEW
from .views_apply import application, applications, start
from .views_desk import case, queue

__all__ = ["application", "applications", "case", "figures", "own_figures", "panel_charts", "panel_figures", "queue",
           "start"]

# Enterprise relocation (an enterprise information change, 迁移登记) before and after the one-stop
# reform. Source: Wujin District's published figures for the relocation "one thing" (一件事), as recorded
# in docs/onestop.md — formerly about 10 working days through separate departments, now 1.5 working
# days (the limit declared in catalogue.RELOCATION). The page also shows the measured mean of the
# relocation cases completed here.
RELOCATION_DAYS_BEFORE = Decimal("10")
RELOCATION_DAYS_NOW = Decimal("1.5")
# The elapsed-days means read at most this many of the latest finished rows per group, so the page
# stays quick on a large database (the on-time rates count every row in SQL).
SAMPLE = 2000


def _cases(user: Any) -> QuerySet[Case]:
    return restrict(Case.objects.all(), user, VIEW)


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"))


def _rate(on_time: int, done: int) -> float | None:
    return round(100 * on_time / done, 1) if done else None


def _elapsed(start: dt.datetime | None, end: dt.datetime | None, paused: Decimal) -> Decimal:
    if start is None or end is None:
        return Decimal(0)
    return max(Decimal(0), working_days_between(start, end) - Decimal(paused))


def _service_mean(cases: QuerySet[Case], code: str) -> Decimal | None:
    rows = (cases.filter(service=code, status=CaseStatus.COMPLETED).order_by("-completed_at")
            .values_list("submitted_at", "completed_at", "paused_days")[:SAMPLE])
    return _mean([_elapsed(s, e, p) for s, e, p in rows])


def relocation_mean(user: Any) -> Decimal | None:
    return _service_mean(_cases(user), "relocation")


def by_service(user: Any) -> list[dict[str, Any]]:
    cases = _cases(user)
    counts = {row["service"]: row for row in cases.order_by().values("service").annotate(
        open=Count("pk", filter=Q(status=CaseStatus.SUBMITTED)),
        done=Count("pk", filter=Q(status=CaseStatus.COMPLETED)),
        on_time=Count("pk", filter=Q(status=CaseStatus.COMPLETED, completed_at__lte=F("due_at"))),
        rejected=Count("pk", filter=Q(status=CaseStatus.REJECTED)))}
    out = []
    for spec in services():
        row = counts.get(spec.code, {"open": 0, "done": 0, "on_time": 0, "rejected": 0})
        out.append({"code": spec.code, "label": spec.label, "limit": spec.limit_days, "open": row["open"],
                    "done": row["done"], "on_time": row["on_time"], "rejected": row["rejected"],
                    "rate": _rate(row["on_time"], row["done"]),
                    "mean": _service_mean(cases, spec.code) if row["done"] else None})
    return out


def by_office(user: Any) -> list[dict[str, Any]]:
    tasks = restrict(Task.objects.all(), user, VIEW)
    per_department = list(tasks.order_by().values("department").annotate(
        open=Count("pk", filter=Q(status=TaskStatus.OPEN)),
        done=Count("pk", filter=Q(status=TaskStatus.DONE)),
        on_time=Count("pk", filter=Q(status=TaskStatus.DONE, done_at__lte=F("due_at")))))
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"open": 0, "done": 0, "on_time": 0})
    for row in per_department:
        office = DEPARTMENTS[row["department"]].office if row["department"] in DEPARTMENTS else row["department"]
        for key in ("open", "done", "on_time"):
            totals[office][key] += row[key]
    out = []
    for code, office in OFFICES.items():
        if code not in totals:
            continue
        row = totals[code]
        mean = None
        if row["done"]:
            departments = [d for d, dep in DEPARTMENTS.items() if dep.office == code]
            sample = (tasks.filter(department__in=departments, status=TaskStatus.DONE).order_by("-done_at")
                      .values_list("opened_at", "done_at", "paused_days")[:SAMPLE])
            mean = _mean([_elapsed(s, e, p) for s, e, p in sample])
        out.append({"code": code, "label": office.label, **row, "rate": _rate(row["on_time"], row["done"]),
                    "mean": mean})
    return out


def before_after_chart(measured: Decimal | None) -> Chart:
    labels = [_("Before the reform"), _("Time limit now")]
    values = [float(RELOCATION_DAYS_BEFORE), float(RELOCATION_DAYS_NOW)]
    if measured is not None:
        labels.append(_("Measured here"))
        values.append(float(measured))
    return Chart(_("Enterprise relocation: working days"), "bar", labels, {_("working days"): values})


def figure_charts(services_rows: list[dict[str, Any]], office_rows: list[dict[str, Any]],
                  measured: Decimal | None) -> list[Chart]:
    charts = [before_after_chart(measured)]
    rated = [r for r in services_rows if r["rate"] is not None]
    if rated:
        charts.append(Chart(_("On-time rate by service (%)"), "bar", [str(r["label"]) for r in rated],
                            {_("on time %"): [r["rate"] for r in rated]}))
    meant = [r for r in office_rows if r["mean"] is not None]
    if meant:
        charts.append(Chart(_("Mean working days per task, by office"), "bar", [str(r["label"]) for r in meant],
                            {_("working days"): [float(r["mean"]) for r in meant]}))
    return charts


@staff_view(VIEW)
def figures(request: HttpRequest) -> HttpResponse:
    user = request.user
    services_rows, office_rows = by_service(user), by_office(user)
    measured = next((r["mean"] for r in services_rows if r["code"] == "relocation"), None)
    return render(request, "onestop/figures.html", {
        "services": services_rows, "offices": office_rows, "measured": measured,
        "before": RELOCATION_DAYS_BEFORE, "now": RELOCATION_DAYS_NOW,
        "charts": [render_chart(c) for c in figure_charts(services_rows, office_rows, measured)],
    })


def _open_counts(user: Any) -> tuple[int, int, int]:
    """Open (submitted) cases, those due within half a working day, and those overdue; a case whose
    clock is stopped for a correction is neither due soon nor overdue."""
    at = clock.now()
    paused = Pause.objects.filter(case=OuterRef("pk"), task__isnull=True, ended_at__isnull=True)
    running = _cases(user).filter(status=CaseStatus.SUBMITTED)
    soon_end = clock.due(at, Decimal("0.5")) or at  # no calendar for the next half day: none counted
    counts = running.annotate(paused=Exists(paused)).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(paused=False, due_at__lt=at)),
        soon=Count("pk", filter=Q(paused=False, due_at__gte=at, due_at__lt=soon_end)))
    return counts["open"], counts["soon"], counts["overdue"]


def panel_figures(user: Any) -> list[Figure]:
    open_count, soon, overdue = _open_counts(user)
    done = _cases(user).filter(status=CaseStatus.COMPLETED).aggregate(
        n=Count("pk"), on_time=Count("pk", filter=Q(completed_at__lte=F("due_at"))))
    rate = _rate(done["on_time"], done["n"])
    queue_url, figures_url = reverse("onestop:queue"), reverse("onestop:figures")
    return [
        Figure(_("Open one-stop cases"), open_count, url=queue_url),
        Figure(_("Due within half a working day"), soon, url=queue_url),
        Figure(_("Overdue"), overdue, url=queue_url),
        Figure(_("Completed on time"), "—" if rate is None else f"{rate}%", url=figures_url),
    ]


def panel_charts(user: Any) -> list[Chart]:
    return [before_after_chart(relocation_mean(user))]


# How many of the applicant's latest applications the dashboard names one by one.
OWN_LATEST = 5


def own_figures(user: Any) -> list[Figure]:
    """The applicant's dashboard panel: their enterprise's applications (actions.cases_of, the same
    as the list), counted by state, then the latest ones each with its state, linked to its page."""
    from . import actions
    from .catalogue import service

    cases = actions.cases_of(user)
    counts = cases.order_by().aggregate(
        drafts=Count("pk", filter=Q(status=CaseStatus.DRAFT)),
        running=Count("pk", filter=Q(status=CaseStatus.SUBMITTED)),
        done=Count("pk", filter=Q(status=CaseStatus.COMPLETED)))
    answers = Task.objects.filter(case__in=cases.order_by().values("pk"), status=TaskStatus.CORRECTION).count()
    url = reverse("onestop:applications")
    figures = [
        Figure(_("Drafts not yet submitted"), counts["drafts"], url=url),
        Figure(_("Applications being handled"), counts["running"], url=url),
        Figure(_("Corrections awaiting your answer"), answers, url=url),
        Figure(_("Applications completed"), counts["done"], url=url),
    ]
    for own in cases.only("service", "status", "created_at")[:OWN_LATEST]:
        figures.append(Figure(_("%(service)s #%(number)s") % {"service": service(own.service).label, "number": own.pk},
                              str(own.get_status_display()), url=reverse("onestop:application", args=[own.pk])))
    return figures
