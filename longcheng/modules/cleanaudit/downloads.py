"""What the pages and the API both send: a stage's stored document (through the kernel's one download,
audited), the audit report outline as PDF (audited as a read), and the indicator levels' versions with the
one in force on a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import FileResponse, HttpResponse

from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import NotFound
from longcheng.kernel.uploads import download

from . import access, report, rules
from .models import Artefact, AuditRound, Benchmark


def stored_file(user: Any, artefact_pk: int) -> FileResponse:
    artefact = Artefact.objects.filter(pk=artefact_pk).first()
    if artefact is None or not artefact.file:
        raise NotFound()
    audit = access.round_for(user, artefact.round_id)  # out of scope: the same 404
    try:
        return download(artefact.file, artefact.file_name or "file", acting_user=user,
                        action="cleanaudit.artefact.download", obj=audit, after={"artefact": artefact.pk})
    except FileNotFoundError:
        raise NotFound() from None


def report_response(user: Any, audit: AuditRound) -> HttpResponse:
    body = report.report_pdf(audit)
    with transaction.atomic():
        record(user, "cleanaudit.report.download", audit, is_read=True)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="cleanaudit-report-{audit.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def in_force_ids(rows: list[Benchmark], on: dt.date) -> set[int]:
    """Of each industry's indicator, the row of the version in force on `on`."""
    chosen: set[int] = set()
    for key in {(r.industry, r.indicator) for r in rows}:
        mine = [r for r in rows if (r.industry, r.indicator) == key]
        pick = rules.in_force([(r.effective_from, r.version) for r in mine], on)
        chosen |= {r.pk for r in mine if (r.effective_from, r.version) == pick}
    return chosen


def benchmark_rows(industry: str | None, on: dt.date) -> list[dict[str, Any]]:
    qs = Benchmark.objects.order_by("industry", "indicator", "-version")
    rows = list(qs.filter(industry=industry) if industry else qs)[:2000]
    current = in_force_ids(rows, on)
    return [{"id": r.pk, "industry": r.industry, "indicator": r.indicator, "version": r.version,
             "effective_from": r.effective_from, "level_1": r.level_1, "level_2": r.level_2, "level_3": r.level_3,
             "restrictive": r.restrictive, "in_force": r.pk in current} for r in rows]
