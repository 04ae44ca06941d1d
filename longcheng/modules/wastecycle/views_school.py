"""The school's pages (phone first: a teacher weighs at the canteen): the school's figures with its
charts, a class's weighing, kitchen waste, and the district's monthly report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm
from longcheng.kernel.errors import NotFound
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.registry import Chart
from longcheng.kernel.web.charts import render_chart
from longcheng.kernel.web.decorators import staff_view
from longcheng.kernel.widgets import DateWidget

from . import access, actions, reports, rules
from .conf import conf
from .forms import KitchenForm, WeighForm
from .models import SchoolClass, Weighing
from .spec import VIEW, WEIGH
from .views_common import post

TERM_DAYS = 140


class PeriodForm(forms.Form):
    start = forms.DateField(label=pgettext_lazy("wastecycle", "From"), required=False, widget=DateWidget())
    end = forms.DateField(label=pgettext_lazy("wastecycle", "To"), required=False, widget=DateWidget())

    def span(self) -> tuple[dt.date, dt.date]:
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - dt.timedelta(days=TERM_DAYS)
        return (start, end) if start <= end else (end, start)


def _schools(request: StaffRequest) -> list[Organisation]:
    ids = access.classes_for(request.user).values_list("school_id", flat=True).distinct()
    return list(Organisation.objects.filter(pk__in=ids).order_by("name", "pk"))


def _charts(report: reports.SchoolReport) -> list[Any]:
    weeks = [w.strftime("%m-%d") for w in report.weeks]
    grade = pgettext("wastecycle", "Grade %(n)d")
    charts = []
    if weeks:
        charts.append(Chart(pgettext("wastecycle", "Grams per diner by week"), "line", weeks,
                            {grade % {"n": g}: [v if v is not None else None for v in s]  # type: ignore[misc]
                             for g, s in report.trend.items()}))
        charts.append(Chart(pgettext("wastecycle", "Leftovers per school day (kg) by week"), "line", weeks,
                            {grade % {"n": g}: s for g, s in report.daily_kg.items()}))  # type: ignore[misc]
    if report.ranked:
        top = report.ranked[:15]
        charts.append(Chart(pgettext("wastecycle", "Class ranking: grams per diner"), "hbar",
                            [r.klass.name for r in top],
                            {pgettext("wastecycle", "g per diner"): [float(rules.shown_grams(r.per_diner)) for r in top]}))
    return [render_chart(c) for c in charts]


def _school_page(request: StaffRequest, forms_: dict[str, forms.Form] | None = None,
                 error: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    schools = _schools(request)
    chosen = next((s for s in schools if str(s.pk) == request.GET.get("school", "")), schools[0] if schools else None)
    period = PeriodForm(request.GET or None)
    start, end = period.span()
    classes = access.classes_for(request.user).filter(school=chosen) if chosen else SchoolClass.objects.none()
    report = reports.school_report(classes, start, end)
    can_weigh = has_perm(request.user, WEIGH)
    return render(request, "wastecycle/school.html", {
        "schools": schools, "school": chosen, "period": period, "report": report, "classes": classes,
        "charts": _charts(report), "can_weigh": can_weigh, "alert": conf("WASTECYCLE_ALERT_GRAMS"),
        "kitchen_form": (forms_ or {}).get("kitchen") or KitchenForm(initial={"day": timezone.localdate()}),
        "error": error}, status=status)


@staff_view(VIEW)
def school(request: StaffRequest) -> HttpResponse:
    return _school_page(request)


def _weigh_page(request: StaffRequest, klass: SchoolClass, form: forms.Form, error: dict[str, Any] | None,
                status: int = 200) -> HttpResponse:
    recent = list(reports.with_diners(Weighing.objects.filter(klass=klass)).order_by("-day", "meal")[:10])
    for row in recent:
        row.shown = rules.shown_grams(rules.grams_per_diner(row.grams, row.diners))  # type: ignore[attr-defined]
    return render(request, "wastecycle/weigh.html", {"klass": klass, "form": form, "error": error, "recent": recent,
                                                     "alert": conf("WASTECYCLE_ALERT_GRAMS")}, status=status)


@staff_view(WEIGH)
def weigh(request: StaffRequest, pk: int) -> HttpResponse:
    """A class's meal on the teacher's phone: diners and leftovers, one step."""
    klass = access.class_for(request.user, pk, WEIGH)
    if request.method != "POST":
        return _weigh_page(request, klass, WeighForm(initial={"day": timezone.localdate(), "meal": "lunch"}), None)
    form = WeighForm(request.POST)

    def call(data: dict[str, Any]) -> Weighing:
        return actions.do_weigh_meal(klass, day=data["day"], meal=data["meal"], diners=data["diners"],
                                     grams=data["grams"], acting_user=request.user)

    return post(form, call, lambda forms_, error, status: _weigh_page(request, klass, form, error, status),
                lambda w: reverse("wastecycle:weigh", args=[klass.pk]) + "?saved=" + str(w.pk))


@staff_view(WEIGH)
@require_POST
def kitchen(request: StaffRequest, pk: int) -> HttpResponse:
    """Pre-consumer waste of a school's kitchen (the school reached through a class in the user's scope)."""
    klass = access.classes_for(request.user, WEIGH).filter(school_id=pk).first()
    if klass is None:
        raise NotFound()
    form = KitchenForm(request.POST)

    def call(data: dict[str, Any]) -> Any:
        return actions.do_record_kitchen_waste(klass.school, day=data["day"], reason=data["reason"],
                                               grams=data["grams"], acting_user=request.user)

    return post(form, call, lambda forms_, error, status: _school_page(request, forms_, error, status),
                lambda _row: reverse("wastecycle:school") + f"?school={pk}")


@staff_view(VIEW)
def district(request: StaffRequest) -> HttpResponse:
    """Every school in the user's scope, month by month."""
    period = PeriodForm(request.GET or None)
    start, end = period.span()
    rows = reports.district_report(access.school_days_for(request.user), start, end)
    return render(request, "wastecycle/district.html", {"rows": rows, "period": period, "month": end,
                                                        "alert": conf("WASTECYCLE_ALERT_GRAMS")})
