"""remediation's list pages: cases, sites, a patrol's inspection form (phone-first), the totals and the
firm's own cases. Parse, authorise, call an action; a refusal is shown next to its field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import pgettext

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm, restrict
from longcheng.kernel.errors import KernelError, NotFound
from longcheng.kernel.forms import attempt
from longcheng.kernel.web.charts import render_chart
from longcheng.kernel.web.decorators import staff_view
from longcheng.kernel.workdays.api import SHANGHAI

from . import access, actions, figures, register, sitemap
from .campaigns import CAMPAIGNS, STAGES, campaign
from .forms import AsOfForm, InspectionForm
from .models import Case, Site
from .spec import DETERMINE, INSPECT, RESPOND, VIEW

PAGE = 200
LIST_PAGE = 50
MAX_REGISTER_BYTES = 5 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@staff_view(VIEW)
def cases(request: StaffRequest) -> HttpResponse:
    chosen, stage = request.GET.get("campaign", ""), request.GET.get("status", "")
    rows = access.cases_for(request.user)
    if chosen in CAMPAIGNS:
        rows = rows.filter(campaign=chosen)
    if stage in STAGES:
        rows = rows.filter(status=stage)
    # A patrol reads this on a phone: a page of cases, and the first rebound checks and overdue
    # milestones, each list saying how many more there are (the bench's p95 target is for this page).
    checks = access.rebound_checks_due(request.user, INSPECT) if has_perm(request.user, INSPECT) else None
    overdue = figures.overdue_milestones(request.user)
    page = _case_page(rows, request.GET.get("page"))
    return render(request, "remediation/cases.html", {
        "cases": page, "page": page, "campaigns": CAMPAIGNS, "stages": STAGES, "chosen": chosen, "stage": stage,
        "checks": _first(checks), "overdue": _first(overdue),
    })


def _case_page(rows: QuerySet[Case], number: str | None) -> Page:
    """A page of cases, newest first: the page's ids found on the cases alone, then those 50 read with their
    firm, site and place (joined before the sort, PostgreSQL read every case of a street with its firm)."""
    order = ("-opened_at", "-pk")
    ids: Any = rows.select_related(None).order_by(*order).values_list("pk", flat=True)
    page = Paginator(ids, LIST_PAGE).get_page(number)
    page.object_list = list(rows.filter(pk__in=list(page.object_list)).order_by(*order))
    return page


def _first(rows: Any) -> dict[str, Any] | None:
    """The first LIST_PAGE rows of a list and how many are left out (None for no list)."""
    if rows is None:
        return None
    shown = list(rows[:LIST_PAGE + 1])
    more = rows.count() - LIST_PAGE if len(shown) > LIST_PAGE else 0
    return {"rows": shown[:LIST_PAGE], "more": more}


@staff_view(VIEW)
def sites(request: StaffRequest) -> HttpResponse:
    rows = restrict(Site.objects.select_related("firm", "place", "host"), request.user, VIEW).order_by("place__path",
                                                                                                        "pk")
    return render(request, "remediation/sites.html", {
        "sites": rows[:PAGE], "campaigns": CAMPAIGNS, "can_inspect": has_perm(request.user, INSPECT),
        "can_import": has_perm(request.user, DETERMINE), "map": sitemap.site_map(request.user)})


@staff_view(INSPECT)
def inspect(request: StaffRequest, pk: int, code: str) -> HttpResponse:
    """The patrol's form, made for a phone (390 px): checklist, scores with reasons, a note."""
    declared = campaign(code)
    if declared is None:
        raise NotFound(field="campaign")
    site = access.site_for(request.user, pk, INSPECT)
    form = InspectionForm(request.POST or None, campaign=declared)
    error: KernelError | None = None
    if request.method == "POST":
        inspection, error = attempt(form, lambda _data: actions.do_record_inspection(
            site=site, campaign_code=code, acting_user=request.user, **form.values()))
        if inspection is not None:
            return redirect("remediation:case", inspection.case_id)
    # The checklist boxes are drawn by the template: after a refusal they come back as ticked.
    ticked = {name for name in request.POST if name.startswith("check_")}
    return render(request, "remediation/inspect.html", {"site": site, "campaign": declared, "form": form,
                                                        "error": error, "ticked": ticked},
                  status=error.status if error else 200)


@staff_view(VIEW)
def totals(request: StaffRequest) -> HttpResponse:
    form = AsOfForm(request.GET or None)
    moment = None
    if form.is_valid() and form.cleaned_data["as_of"]:
        moment = dt.datetime.combine(form.cleaned_data["as_of"], dt.time.max, tzinfo=SHANGHAI)
    result = figures.totals(request.user, moment)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(figures.totals_xlsx(result), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="remediation-totals-{result.as_of:%Y%m%d}.xlsx"'
        return response
    return render(request, "remediation/totals.html", {
        "form": form, "totals": result, "stages": [(STAGES[s], n) for s, n in sorted(result.by_stage.items())],
        "remedies": sorted(result.closed_by_remedy.items()), "pollutants": figures.pollutant_rows(result),
        # The charts draw the totals just computed (as of the date asked), not a second computation.
        "charts": [render_chart(c) for c in figures.charts_for(result)], "streets": result.streets,
        "title": pgettext("remediation", "Remediation totals")})


@staff_view(RESPOND)
def my_cases(request: StaffRequest) -> HttpResponse:
    return render(request, "remediation/my_cases.html",
                  {"cases": access.firm_cases(request.user).order_by("-opened_at", "-pk")[:PAGE]})


@staff_view(DETERMINE)
def import_register(request: StaffRequest) -> HttpResponse:
    """Upload the firm register (XLSX): the report lists each bad row's line and column; nothing is
    written unless every row is good."""
    report, error = None, None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise KernelError(pgettext("remediation", "Choose an XLSX file."), field="file")
            if (upload.size or 0) > MAX_REGISTER_BYTES:
                raise KernelError(pgettext("remediation", "The file is larger than 5 MB."), field="file")
            report = register.import_register(register.read_rows(upload.read()), acting_user=request.user)
        except KernelError as exc:
            if exc.status in (403, 404):
                raise
            error = exc
    status = 400 if error or (report and report.problems) else 200
    return render(request, "remediation/import.html", {"report": report, "error": error,
                                                       "columns": list(register.COLUMN.values())}, status=status)
