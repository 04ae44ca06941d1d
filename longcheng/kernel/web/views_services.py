"""Pages over the kernel's services: working days, funds, notifications and the inbox."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm, restrict
from longcheng.kernel.errors import KernelError, NotFound, PermissionDenied
from longcheng.kernel.ledger.actions import statement, statement_xlsx
from longcheng.kernel.ledger.models import Account, Fund
from longcheng.kernel.notify import api as notify
from longcheng.kernel.notify.models import Message
from longcheng.kernel.workdays import api as wd

from .decorators import staff_view
from .forms import ScheduleForm, StatementForm, WorkdaysForm
from .views import attach_error


@staff_view(None)
def workdays(request: StaffRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
        month = int(request.GET.get("month", today.month))
        dt.date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
    form = WorkdaysForm(request.GET if "start" in request.GET else None)
    result = None
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["start"]
        try:
            if form.cleaned_data.get("duration") is not None:
                result = {"kind": "due", "value": wd.add_working_days(start, form.cleaned_data["duration"])}
            elif form.cleaned_data.get("end"):
                result = {"kind": "between", "value": wd.working_days_between(start, form.cleaned_data["end"])}
            else:
                form.add_error("duration", _("Give a number of working days, or an end moment."))
        except KernelError as error:
            attach_error(form, error)
    can_manage = has_perm(request.user, "workdays.manage")
    schedule_form = ScheduleForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if schedule_form is None:
            raise PermissionDenied()
        if schedule_form.is_valid():
            data = schedule_form.cleaned_data
            try:
                schedule = wd.parse_schedule_csv(data["csv"])
                wd.do_set_year_schedule(data["year"], schedule, source=data["source"], acting_user=request.user)
            except KernelError as error:
                attach_error(schedule_form, error)
            else:
                messages.success(request, _("The holiday schedule for %(year)s is saved.") % {"year": data["year"]})
                return redirect(f"{request.path}?year={data['year']}&month=1")
    calendar_error = None
    try:
        days = wd.month_days(year, month)
    except KernelError as error:
        days, calendar_error = [], error
    lead = dt.date(year, month, 1).weekday()
    prev_month = (dt.date(year, month, 1) - dt.timedelta(days=1)).replace(day=1)
    next_month = (dt.date(year, month, 28) + dt.timedelta(days=4)).replace(day=1)
    status = 400 if (form.errors or (schedule_form is not None and schedule_form.errors)) else 200
    return render(request, "web/workdays.html", {
        "form": form, "result": result, "days": days, "lead": range(lead), "year": year, "month": month,
        "calendar_error": calendar_error, "calendar_warning": wd.calendar_warning(),
        # One translatable string, so translators see the whole week at once.
        "weekday_heads": str(_("Mon Tue Wed Thu Fri Sat Sun")).split(), "schedule_form": schedule_form, "prev": prev_month, "next": next_month,
    }, status=status)


def _fund_for(request: HttpRequest, code: str) -> Fund:
    fund = restrict(Fund.objects.all(), request.user, "ledger.view").filter(code=code).first()
    if fund is None:
        raise NotFound()
    return fund


@staff_view("ledger.view")
def funds(request: HttpRequest) -> HttpResponse:
    rows = []
    for fund in restrict(Fund.objects.select_related("owner"), request.user, "ledger.view").order_by("name"):
        balances = dict(Account.objects.filter(fund=fund).values_list("kind", "balance_fen"))
        rows.append({"fund": fund, "available": balances.get("fund", 0), "committed": balances.get("commitment", 0)})
    return render(request, "web/funds.html", {"rows": rows})


def _statement_period(request: HttpRequest) -> tuple[StatementForm, dt.date, dt.date]:
    today = timezone.localdate()
    form = StatementForm(request.GET or None, initial={"start": today.replace(month=1, day=1), "end": today})
    start, end = today.replace(month=1, day=1), today
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return form, start, end


@staff_view("ledger.view")
def fund(request: HttpRequest, code: str) -> HttpResponse:
    fund = _fund_for(request, code)
    form, start, end = _statement_period(request)
    return render(request, "web/fund.html", {"fund": fund, "form": form, "statement": statement(fund, start, end),
                                             "start": start, "end": end}, status=400 if form.errors else 200)


@staff_view("ledger.view")
def fund_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    fund = _fund_for(request, code)
    form, start, end = _statement_period(request)
    if form.errors:
        return redirect("web:fund", code=code)
    response = HttpResponse(
        statement_xlsx(statement(fund, start, end)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{fund.code}-{start}-{end}.xlsx"'
    return response


@staff_view("notify.view")
def message_list(request: HttpRequest) -> HttpResponse:
    # Scoped to the places of what the messages are about (Message.scope_filter): a district officer
    # reads their district's log, not the city's.
    qs = restrict(Message.objects.select_related("recipient_user", "recipient_resident"), request.user,
                  "notify.view").order_by("-created_at", "-pk")
    status = request.GET.get("status") or ""
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))

    return render(request, "web/messages.html", {"page": page, "status": status,
                                                 "statuses": Message._meta.get_field("status").choices})


@staff_view(None)
def inbox(request: StaffRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            notify.do_mark_read(int(request.POST.get("message", "0")), acting_user=request.user)
        except (KernelError, ValueError):
            raise NotFound() from None
        return redirect("web:inbox")
    page = Paginator(notify.inbox(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "web/inbox.html", {"page": page})
