"""The files of an audit: a document a stage holds (sent back through the kernel's one download, audited),
the audit report outline as PDF (kernel.pdf), the industries' indicator levels, kept and versioned by the
bureau, and the deadlines of each year's list (ListTerm), set by the bureau."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm
from longcheng.kernel.errors import KernelError, PermissionDenied
from longcheng.kernel.forms import refusal
from longcheng.kernel.web.decorators import staff_view

from .. import access, actions, downloads, rules
from ..forms import BenchmarkForm, TermForm
from ..models import Benchmark, ListTerm
from ..spec import REVIEW, VIEW
from ..stages import INDUSTRIES


@staff_view(None)
def artefact_file(request: StaffRequest, pk: int) -> FileResponse:
    return downloads.stored_file(request.user, pk)


@staff_view(None)
def report_pdf(request: StaffRequest, pk: int) -> HttpResponse:
    return downloads.report_response(request.user, access.round_for(request.user, pk))


@staff_view(VIEW)
def benchmarks(request: StaffRequest) -> HttpResponse:
    """Every industry's indicator levels, each indicator's versions latest first; the bureau sets a new one."""
    may_set = has_perm(request.user, REVIEW)
    form = BenchmarkForm(request.POST or None)
    error: KernelError | None = None
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied()
        try:
            if not form.is_valid():
                raise refusal(form)
            actions.do_set_benchmark(**form.cleaned_data, acting_user=request.user)
        except KernelError as exc:
            if exc.status in (403, 404):
                raise
            error = exc
        else:
            return redirect("cleanaudit:benchmarks")
    rows = list(Benchmark.objects.select_related("set_by").order_by("industry", "indicator", "-version"))
    current = downloads.in_force_ids(rows, timezone.localdate())
    tables = [(code, label, [(r, rules.INDICATORS.get(r.indicator, r.indicator), r.pk in current)
                             for r in rows if r.industry == code]) for code, label in INDUSTRIES.items()]
    return render(request, "cleanaudit/benchmarks.html", {
        "tables": tables, "form": form if may_set else None, "error": error}, status=error.status if error else 200)


@staff_view(VIEW)
def terms(request: StaffRequest) -> HttpResponse:
    """The deadlines of each year's list; the bureau sets or changes a year's."""
    may_set = has_perm(request.user, REVIEW)
    form = TermForm(request.POST or None, initial={"year": timezone.localdate().year, **rules.TERM_DEFAULTS})
    error: KernelError | None = None
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied()
        try:
            if not form.is_valid():
                raise refusal(form)
            data = dict(form.cleaned_data)
            actions.do_set_term(year=data.pop("year"), values=data, acting_user=request.user)
        except KernelError as exc:
            if exc.status in (403, 404):
                raise
            error = exc
        else:
            return redirect("cleanaudit:terms")
    return render(request, "cleanaudit/terms.html", {
        "rows": ListTerm.objects.select_related("set_by").order_by("-year")[:50], "default": rules.DEFAULT_TERM,
        "form": form if may_set else None, "error": error}, status=error.status if error else 200)
