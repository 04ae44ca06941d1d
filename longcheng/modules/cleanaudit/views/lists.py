"""The rounds in scope, the firm's own rounds, the park roll-up (with its SVG charts) and the bureau's
form putting a firm on the year's list."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm, restrict
from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import refusal
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.web.charts import render_chart
from longcheng.kernel.web.decorators import staff_view

from .. import access, actions, figures, listing, rules
from ..forms import ImportForm, ListForm
from ..models import Consultancy
from ..spec import RESPOND, REVIEW, VIEW
from ..stages import STATUSES

PAGE = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@staff_view(VIEW)
def rounds(request: StaffRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = access.rounds_for(request.user)
    if status in STATUSES:
        rows = rows.filter(status=status)
    can_list = has_perm(request.user, REVIEW)
    today = timezone.localdate()
    return render(request, "cleanaudit/rounds.html", {
        "rounds": rows.order_by("-year", "firm__name", "pk")[:PAGE], "statuses": STATUSES, "status": status,
        "title": pgettext("cleanaudit", "Cleaner-production audits"), "can_list": can_list,
        "due": figures.due_again(request.user, today.year) if can_list else [], "today": today})


@staff_view(RESPOND)
def mine(request: StaffRequest) -> HttpResponse:
    return render(request, "cleanaudit/rounds.html", {
        "rounds": access.party_rounds(request.user).order_by("-year", "pk")[:PAGE], "statuses": {},
        "title": pgettext("cleanaudit", "My cleaner-production audits"), "can_list": False})


@staff_view(VIEW)
def rollup(request: StaffRequest) -> HttpResponse:
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else None
    result = figures.rollup(request.user, year=year)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(figures.rollup_xlsx(request.user, result, year), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="cleanaudit-rollup-{year or "all"}.xlsx"'
        return response
    indicators = [(str(rules.INDICATORS[key]), result.before.get(key), result.after.get(key),
                   rules.change(result.before.get(key), result.after.get(key)))
                  for key in (f"{flow}_per_wan" for flow in figures.FLOW_FIELDS)]
    return render(request, "cleanaudit/rollup.html", {
        "result": result, "year": year or "", "indicators": indicators, "costs": figures.cost_rows(result),
        "consultancies": figures.consultancy_records(request.user),
        "stages": [(code, label, result.by_status.get(code, 0)) for code, label in STATUSES.items()],
        "charts": [render_chart(figures.intensity_chart(result)), render_chart(figures.stage_chart(result))]})


MAX_IMPORT_BYTES = 5 * 1024 * 1024


@staff_view(REVIEW)
def import_list(request: StaffRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    error: KernelError | None = None
    report = None
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise refusal(form)
            upload = form.cleaned_data["file"]
            if upload.size > MAX_IMPORT_BYTES:
                raise KernelError(pgettext("cleanaudit", "At most 5 MB."), field="file")
            report = listing.do_import_list(upload.read(), filename=upload.name, year=form.cleaned_data["year"],
                                            listed_on=form.cleaned_data["listed_on"], acting_user=request.user)
        except KernelError as exc:
            if exc.status in (403, 404):
                raise
            error = exc
    status = error.status if error else 400 if report and report.problems else 200
    return render(request, "cleanaudit/import.html", {"form": form, "error": error, "report": report}, status=status)


@staff_view(REVIEW)
def list_firm(request: StaffRequest) -> HttpResponse:
    form = ListForm(request.POST or None)
    error: KernelError | None = None
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise refusal(form)
            data = form.cleaned_data
            firm = restrict(Organisation.objects.filter(kind="enterprise"), request.user, REVIEW).filter(
                pk=data["firm"]).first()
            if firm is None:
                raise KernelError(pgettext("cleanaudit", "Choose a firm in your scope."), field="firm")
            consultancy = Consultancy.objects.filter(pk=data["consultancy"]).first() if data["consultancy"] else None
            audit = actions.do_list_round(firm=firm, year=data["year"], listed_on=data["listed_on"],
                                          trigger=data["trigger"], industry=data["industry"], mode=data["mode"],
                                          consultancy=consultancy, acting_user=request.user)
        except KernelError as exc:
            if exc.status in (403, 404):
                raise
            error = exc
        else:
            return redirect("cleanaudit:round", audit.pk)
    firms = restrict(Organisation.objects.filter(kind="enterprise"), request.user, REVIEW).order_by("name")[:PAGE]
    return render(request, "cleanaudit/list.html", {
        "form": form, "error": error, "firms": firms,
        "consultancies": Consultancy.objects.select_related("org").order_by("org__name")[:PAGE]},
        status=error.status if error else 200)
