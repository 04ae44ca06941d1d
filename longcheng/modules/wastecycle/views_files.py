"""The month's report files: a school's and the district's, as PDF or XLSX (monthly.py)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.errors import KernelError, NotFound
from longcheng.kernel.web.decorators import staff_view

from . import access, monthly
from .spec import VIEW

TYPES = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _month_and_format(request: StaffRequest) -> tuple[dt.date, str]:
    raw, kind = request.GET.get("month", ""), request.GET.get("format", "pdf")
    if kind not in TYPES:
        raise KernelError(pgettext("wastecycle", "Choose PDF or XLSX."), field="format")
    if not raw:
        return timezone.localdate().replace(day=1), kind
    try:
        return dt.datetime.strptime(raw, "%Y-%m").date(), kind
    except ValueError as exc:
        raise KernelError(pgettext("wastecycle", "A month as YYYY-MM."), field="month") from exc


def _file(content: bytes, kind: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@staff_view(VIEW)
def school_file(request: StaffRequest, pk: int) -> HttpResponse:
    """A school's month (the school reached through its classes in the user's scope)."""
    classes = access.classes_for(request.user).filter(school_id=pk)
    klass = classes.first()
    if klass is None:
        raise NotFound()
    month, kind = _month_and_format(request)
    make = monthly.school_pdf if kind == "pdf" else monthly.school_xlsx
    return _file(make(klass.school, classes, month), kind, f"guangpan-school-{pk}-{month:%Y-%m}")


@staff_view(VIEW)
def district_file(request: StaffRequest) -> HttpResponse:
    """Every school in the user's scope, one month."""
    month, kind = _month_and_format(request)
    make = monthly.district_pdf if kind == "pdf" else monthly.district_xlsx
    return _file(make(access.school_days_for(request.user), month), kind, f"guangpan-district-{month:%Y-%m}")
