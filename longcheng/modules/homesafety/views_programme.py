"""Pages of the programme: enrolled persons with installation progress, survey import, work orders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import RoleAssignment, User
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import access_object, has_perm, restrict
from longcheng.kernel.errors import KernelError, parse_id
from longcheng.kernel.web.decorators import staff_view

from . import actions
from .devices import DEVICE_TYPES
from .enrolment import import_survey, read_table
from .models import Device, Enrollee, FeatureRequest, KitItem, KitStatus, OrderStatus, WorkOrder


@staff_view("homesafety.view")
def persons(request: HttpRequest) -> HttpResponse:
    enrollees = (restrict(Enrollee.objects.all(), request.user, "homesafety.view")
                 .select_related("person__place").prefetch_related("kit").order_by("person__place__name", "person__name"))
    progress = (restrict(KitItem.objects.all(), request.user, "homesafety.view")
                .values("enrollee__person__place__name")
                .annotate(planned=Count("pk"), installed=Count("pk", filter=Q(status=KitStatus.INSTALLED)),
                          failed=Count("pk", filter=Q(status=KitStatus.FAILED)))
                .order_by("enrollee__person__place__name"))
    return render(request, "homesafety/persons.html", {
        "enrollees": enrollees[:500], "progress": progress, "kinds": DEVICE_TYPES,
        "can_manage": has_perm(request.user, "homesafety.manage")})


@staff_view("homesafety.manage")
def survey_import(request: StaffRequest) -> HttpResponse:
    report = None
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise KernelError(_("Choose a file to upload."), field="file")
            if upload.size and upload.size > 5 * 1024 * 1024:
                raise KernelError(_("The file is larger than 5 MB."), field="file")
            rows = read_table(upload.name or "", upload.read())
            report = import_survey(rows, acting_user=request.user, skip_bad=request.POST.get("skip_bad") == "on")
        except KernelError as error:
            messages.error(request, str(error.message))
            status = 400
        else:
            if report.imported:
                messages.success(request, _("%(n)d persons enrolled.") % {"n": report.imported})
            if report.problems:
                status = 400 if not report.imported else 200
    return render(request, "homesafety/import.html", {"report": report}, status=status)


@staff_view("homesafety.view")
def work_orders(request: StaffRequest) -> HttpResponse:
    user = request.user
    orders = (restrict(WorkOrder.objects.all(), user, "homesafety.view")
              .select_related("enrollee__person__place", "installer").order_by("status", "scheduled_for"))
    can_install, can_manage = has_perm(user, "homesafety.install"), has_perm(user, "homesafety.manage")
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "schedule" and can_manage:
                enrollee = restrict(Enrollee.objects.all(), user, "homesafety.manage").filter(
                    pk=request.POST.get("enrollee") or 0).first()
                if enrollee is None:
                    raise KernelError(_("Choose a person."), field="enrollee")
                installer = User.objects.filter(pk=request.POST.get("installer") or 0).first()
                try:
                    on = dt.date.fromisoformat(request.POST.get("scheduled_for", ""))
                except ValueError:
                    on = None
                actions.do_schedule_installation(enrollee, installer=installer, on=on, acting_user=user)
            elif step == "bind" and can_install:
                serials = {k: request.POST.get(f"serial_{k}", "") for k in DEVICE_TYPES}
                actions.do_complete_installation(parse_id(request.POST.get("order"), field="order"), serials=serials, acting_user=user)
            elif step == "fail" and can_install:
                actions.do_fail_installation(parse_id(request.POST.get("order"), field="order"), reason=request.POST.get("reason", ""),
                                             acting_user=user)
            else:
                raise KernelError(_("Your role does not allow this. If you need it, ask your administrator."),
                                  code="permission_denied")
        except (KernelError, ValueError) as error:
            messages.error(request, str(getattr(error, "message", error)))
            return redirect(request.path)
        messages.success(request, _("Saved."))
        return redirect(request.path)
    installers = User.objects.filter(pk__in=RoleAssignment.objects.filter(role="homesafety_installer").values("user_id"))
    unscheduled = (restrict(Enrollee.objects.filter(kit__status=KitStatus.PLANNED), user, "homesafety.manage")
                   .exclude(work_orders__status__in=[OrderStatus.OPEN, OrderStatus.AWAITING_SIGNAL])
                   .select_related("person").distinct()[:200]) if can_manage else []
    planned: dict[int, list[Any]] = {}
    for item in KitItem.objects.filter(enrollee__in=[o.enrollee_id for o in orders], status=KitStatus.PLANNED):
        planned.setdefault(item.enrollee_id, []).append(DEVICE_TYPES[item.kind])
    rows = [{"order": o, "planned": planned.get(o.enrollee_id, [])} for o in orders[:300]]
    return render(request, "homesafety/work_orders.html", {
        "rows": rows, "can_install": can_install, "can_manage": can_manage, "installers": installers,
        "unscheduled": unscheduled, "today": dt.date.today()})


@staff_view("homesafety.view")
def person(request: StaffRequest, pk: int) -> HttpResponse:
    """One enrolled person: safe zone and quiet hours, kit and devices, wristband feature requests."""
    user = request.user
    enrollee = access_object(Enrollee, user, pk, "homesafety.view",
                             queryset=Enrollee.objects.select_related("person__place"))
    can_manage = has_perm(user, "homesafety.manage")
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "safety":
                home = (request.POST.get("home_lat"), request.POST.get("home_lon"))
                actions.do_update_safety(pk, acting_user=user, radius_m=request.POST.get("radius_m"),
                                         quiet_start=request.POST.get("quiet_start"),
                                         quiet_end=request.POST.get("quiet_end"),
                                         home=home if all(home) else None, polygon=request.POST.get("polygon", ""))
            elif step == "thresholds":
                actions.do_update_thresholds(pk, {name: request.POST.get(name, "") for name in actions.THRESHOLDS},
                                             acting_user=user)
            elif step == "request":
                device = restrict(Device.objects.filter(enrollee=enrollee), user, "homesafety.view").filter(
                    pk=request.POST.get("device") or 0).first()
                if device is None:
                    raise KernelError(_("Choose a wristband."), field="device")
                actions.do_request_feature(device, feature=request.POST.get("feature", ""),
                                           enable=request.POST.get("enable") == "on",
                                           requested_by=request.POST.get("requested_by", ""),
                                           family_consent=request.POST.get("family_consent") == "on", acting_user=user)
            else:
                raise KernelError(_("Unknown step."), field="step")
        except KernelError as error:
            if error.status == 404:
                raise
            messages.error(request, str(error.message))
            return redirect(request.path)
        messages.success(request, _("Saved."))
        return redirect(request.path)
    devices = Device.objects.filter(enrollee=enrollee).order_by("kind", "serial")
    return render(request, "homesafety/person.html", {
        "e": enrollee, "devices": devices, "kit": enrollee.kit.all(), "can_manage": can_manage,
        "requests": FeatureRequest.objects.filter(device__enrollee=enrollee).select_related("device", "decided_by")
        .order_by("-created_at"),
        "radius": (enrollee.safe_zone or {}).get("radius_m", ""),
        "polygon": "\n".join(f"{lat}, {lon}" for lat, lon in (enrollee.safe_zone or {}).get("points", [])),
        "thresholds": [(name, label, (enrollee.rule_overrides or {}).get(name, ""),
                        DEVICE_TYPES["wristband"].defaults.get(name), low, high)
                       for name, (label, low, high, _whole) in actions.THRESHOLDS.items()],
    })


@staff_view("people.manage")
def feature_requests(request: StaffRequest) -> HttpResponse:
    """The community worker's queue of wristband payment/calling requests in their community."""
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step not in ("approve", "reject"):
                raise KernelError(_("Unknown step."), field="step")
            actions.do_decide_feature(parse_id(request.POST.get("request"), field="request"), approve=step == "approve",
                                      acting_user=request.user)
        except KernelError as error:
            if error.status == 404:
                raise
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Saved."))
        return redirect(request.path)
    qs = (restrict(FeatureRequest.objects.all(), request.user, "people.manage")
          .select_related("device__enrollee__person", "decided_by").order_by("status", "-created_at"))
    return render(request, "homesafety/feature_requests.html", {"requests": qs[:300]})
