"""The month's figures page (report.py): charts against the 97.5 % / 99 % norm, the tables behind
them, and the same month as XLSX and PDF (each download audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from longcheng.kernel.audit.actions import record
from longcheng.kernel.web.charts import render_chart
from longcheng.kernel.web.decorators import staff_view

from . import report

VIEW = report.VIEW
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MonthForm(forms.Form):
    month = forms.DateField(label=gettext_lazy("Month"), input_formats=["%Y-%m", "%Y-%m-%d"], required=False,
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))

    def clean_month(self) -> dt.date:
        month = self.cleaned_data.get("month") or timezone.localdate()
        if month > timezone.localdate():
            raise forms.ValidationError(gettext_lazy("A month that has not begun has no figures yet."))
        if month.year < 2000:
            raise forms.ValidationError(gettext_lazy("Choose a month from 2000 on."))
        return month.replace(day=1)


def _month(request: HttpRequest) -> tuple[MonthForm, dt.date | None]:
    # No month asked: this month, shown in the field as well, so the page says which month it is.
    form = MonthForm(request.GET if "month" in request.GET else {"month": f"{timezone.localdate():%Y-%m}"})
    return form, (form.cleaned_data["month"] if form.is_valid() else None)


@staff_view(VIEW)
def report_page(request: HttpRequest) -> HttpResponse:
    form, month = _month(request)
    context: dict[str, Any] = {"form": form}
    if month is not None:
        result = report.month_report(request.user, month)
        context.update(result=result, month=month.strftime("%Y-%m"), header=report.header(""),
                       total=report.row(result.total),
                       sections=[(name, [report.row(t) for t in tallies]) for name, tallies in report.sections(result)],
                       charts=[render_chart(c) for c in report.report_charts(result)] if result.total.n else [],
                       targets=(report.TARGET_60, report.TARGET_180))
    return render(request, "homesafety/report.html", context, status=200 if month is not None else 400)


def _download(request: HttpRequest, fmt: str) -> HttpResponse:
    form, month = _month(request)
    if month is None:
        return report_page(request)
    result = report.month_report(request.user, month)
    data = report.report_xlsx(result) if fmt == "xlsx" else report.report_pdf(result)
    start, end = report.month_range(month)
    anchor = report.alarms_between(request.user, start, end).order_by("pk").first()
    if anchor is not None:
        with transaction.atomic():
            record(request.user, "homesafety.report.export", anchor,
                   after={"month": month.strftime("%Y-%m"), "format": fmt, "alarms": result.total.n})
    response = HttpResponse(data, content_type=XLSX if fmt == "xlsx" else "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="alarm-figures-{month:%Y-%m}.{fmt}"'
    return response


@staff_view(VIEW)
def report_xlsx(request: HttpRequest) -> HttpResponse:
    return _download(request, "xlsx")


@staff_view(VIEW)
def report_pdf(request: HttpRequest) -> HttpResponse:
    return _download(request, "pdf")
