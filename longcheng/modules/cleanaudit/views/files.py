"""The files of an audit: a document a stage holds (sent back through the kernel's one download, audited),
the audit report outline as PDF (kernel.pdf), and the industries' indicator levels, kept and versioned
by the bureau."""

from __future__ import annotations

from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import KernelError, NotFound, PermissionDenied
from longcheng.kernel.forms import refusal
from longcheng.kernel.uploads import download
from longcheng.kernel.web.decorators import staff_view

from .. import access, actions, report, rules
from ..forms import BenchmarkForm
from ..models import Artefact, Benchmark
from ..spec import REVIEW, VIEW
from ..stages import INDUSTRIES


@staff_view(None)
def artefact_file(request: StaffRequest, pk: int) -> FileResponse:
    artefact = Artefact.objects.filter(pk=pk).first()
    if artefact is None or not artefact.file:
        raise NotFound()
    audit = access.round_for(request.user, artefact.round_id)  # out of scope: the same 404
    try:
        return download(artefact.file, artefact.file_name or "file", acting_user=request.user,
                        action="cleanaudit.artefact.download", obj=audit, after={"artefact": artefact.pk})
    except FileNotFoundError:
        raise NotFound() from None


@staff_view(None)
def report_pdf(request: StaffRequest, pk: int) -> HttpResponse:
    audit = access.round_for(request.user, pk)
    body = report.report_pdf(audit)
    with transaction.atomic():
        record(request.user, "cleanaudit.report.download", audit, is_read=True)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="cleanaudit-report-{audit.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
    seen: set[tuple[str, str]] = set()
    current = set()
    for r in rows:  # latest version first: the one that applies
        if (r.industry, r.indicator) not in seen:
            seen.add((r.industry, r.indicator))
            current.add(r.pk)
    tables = [(code, label, [(r, rules.INDICATORS.get(r.indicator, r.indicator), r.pk in current)
                             for r in rows if r.industry == code]) for code, label in INDUSTRIES.items()]
    return render(request, "cleanaudit/benchmarks.html", {
        "tables": tables, "form": form if may_set else None, "error": error}, status=error.status if error else 200)
