"""Installation work orders (schedule, bind the devices, record a failed visit) and the survey
import. Each step has its own url taking POSTs only; a refusal shows the page again with the message
and what was typed, nothing written."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from longcheng.kernel.access.models import RoleAssignment, User
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import access_object, has_perm, restrict
from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import refusal
from longcheng.kernel.web.decorators import staff_view

from . import actions
from .devices import DEVICE_TYPES
from .enrolment import import_survey, read_table
from .forms import BindForm, FailForm, ScheduleForm, SurveyImportForm
from .models import Enrollee, KitItem, KitStatus, OrderStatus, WorkOrder

VIEW, MANAGE, INSTALL = "homesafety.view", "homesafety.manage", "homesafety.install"


@staff_view(MANAGE)
def survey_import(request: StaffRequest) -> HttpResponse:
    report = None
    status = 200
    # Bound on every POST, an empty one included: its refusal then names the missing file.
    form = SurveyImportForm(request.POST, request.FILES) if request.method == "POST" else SurveyImportForm()
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise refusal(form)
            upload = form.cleaned_data["file"]
            rows = read_table(upload.name or "", upload.read())
            report = import_survey(rows, acting_user=request.user, skip_bad=form.cleaned_data["skip_bad"])
        except KernelError as error:
            if error.status in (403, 404):
                raise
            messages.error(request, str(error.message))
            status = error.status
        else:
            if report.imported:
                messages.success(request, _("%(n)d persons enrolled.") % {"n": report.imported})
            if report.problems:
                status = 400 if not report.imported else 200
    return render(request, "homesafety/import.html", {"report": report, "form": form}, status=status)


def _installers() -> Any:
    return User.objects.filter(pk__in=RoleAssignment.objects.filter(role="homesafety_installer").values("user_id"))


def _schedule_form(request: StaffRequest, data: Any = None) -> ScheduleForm:
    return ScheduleForm(data, enrollees=restrict(Enrollee.objects.all(), request.user, MANAGE),
                        installers=_installers(), initial={"scheduled_for": timezone.localdate().isoformat()})


def _orders_page(request: StaffRequest, *, schedule: ScheduleForm | None = None, order_pk: int | None = None,
                 bind: BindForm | None = None, fail: FailForm | None = None, status: int = 200) -> HttpResponse:
    """The work orders; a refused step's form shown with what was typed (on its order's row)."""
    user = request.user
    orders = (restrict(WorkOrder.objects.all(), user, VIEW)
              .select_related("enrollee__person__place", "installer").order_by("status", "scheduled_for"))
    can_install, can_manage = has_perm(user, INSTALL), has_perm(user, MANAGE)
    unscheduled = (restrict(Enrollee.objects.filter(kit__status=KitStatus.PLANNED), user, MANAGE)
                   .exclude(work_orders__status__in=[OrderStatus.OPEN, OrderStatus.AWAITING_SIGNAL])
                   .select_related("person").distinct()[:200]) if can_manage else []
    planned: dict[int, list[Any]] = {}
    for item in KitItem.objects.filter(enrollee__in=[o.enrollee_id for o in orders], status=KitStatus.PLANNED):
        planned.setdefault(item.enrollee_id, []).append(DEVICE_TYPES[item.kind])
    rows = []
    for o in orders[:300]:
        typed_bind = bind if bind is not None and o.pk == order_pk else BindForm()
        typed_fail = fail if fail is not None and o.pk == order_pk else FailForm()
        rows.append({"order": o, "reason": typed_fail["reason"].value() or "",
                     "planned": [(kind, typed_bind[f"serial_{kind.code}"].value() or "")
                                 for kind in planned.get(o.enrollee_id, [])]})
    return render(request, "homesafety/work_orders.html", {
        "rows": rows, "can_install": can_install, "can_manage": can_manage, "unscheduled": unscheduled,
        "installers": _installers(), "schedule": schedule or _schedule_form(request)}, status=status)


@staff_view(VIEW)
def work_orders(request: StaffRequest) -> HttpResponse:
    return _orders_page(request)


def _refused(request: StaffRequest, error: KernelError, **forms: Any) -> HttpResponse:
    if error.status in (403, 404):
        raise error
    messages.error(request, str(error.message))
    return _orders_page(request, status=error.status, **forms)


@staff_view(MANAGE)
@require_POST
def schedule_order(request: StaffRequest) -> HttpResponse:
    form = _schedule_form(request, request.POST)
    try:
        if not form.is_valid():
            raise refusal(form)
        actions.do_schedule_installation(form.cleaned_data["enrollee"], installer=form.cleaned_data["installer"],
                                         on=form.cleaned_data["scheduled_for"], acting_user=request.user)
    except KernelError as error:
        return _refused(request, error, schedule=form)
    messages.success(request, _("Saved."))
    return redirect("homesafety:work_orders")


@staff_view(INSTALL)
@require_POST
def bind_order(request: StaffRequest, pk: int) -> HttpResponse:
    """On site: the serials of the person's planned devices."""
    access_object(WorkOrder, request.user, pk, INSTALL)
    form = BindForm(request.POST)
    try:
        if not form.is_valid():
            raise refusal(form)
        actions.do_complete_installation(pk, serials=form.serials(), acting_user=request.user)
    except KernelError as error:
        return _refused(request, error, order_pk=pk, bind=form)
    messages.success(request, _("Saved."))
    return redirect("homesafety:work_orders")


@staff_view(INSTALL)
@require_POST
def fail_order(request: StaffRequest, pk: int) -> HttpResponse:
    access_object(WorkOrder, request.user, pk, INSTALL)
    form = FailForm(request.POST)
    try:
        if not form.is_valid():
            raise refusal(form)
        actions.do_fail_installation(pk, reason=form.cleaned_data["reason"], acting_user=request.user)
    except KernelError as error:
        return _refused(request, error, order_pk=pk, fail=form)
    messages.success(request, _("Saved."))
    return redirect("homesafety:work_orders")
