"""The labour agreement of an obligation and the completion certificate as PDF, through the kernel's
one PDF writer (kernel.pdf). Each download is an audited read: the agreement names the party."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from longcheng.kernel import pdf
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import NotFound, PermissionDenied
from longcheng.kernel.ledger.money import format_fen
from longcheng.kernel.web.decorators import staff_view

from . import access
from .models import Case, Certificate, Obligation
from .spec import COURT, VIEW


def _require_cases(request: StaffRequest) -> None:
    if not (has_perm(request.user, VIEW) or has_perm(request.user, COURT)):
        raise PermissionDenied()


def _response(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def agreement_pdf(case: Case, obligation: Obligation) -> bytes:
    return pdf.document(pgettext("ecorestore", "Agreement on restoration by labour, case %(number)s") % {"number": case.number}, [
        pdf.Pairs([
            (pgettext("ecorestore", "Case"), f"{case.number} {case.title}"),
            (pgettext("ecorestore", "Court or procuratorate"), case.source_organ),
            (pgettext("ecorestore", "Legal basis"), case.legal_basis),
            (pgettext("ecorestore", "Party liable"), case.party_name),
            (pgettext("ecorestore", "Hours owed"), obligation.hours_owed),
            (pgettext("ecorestore", "Rate"), f"{format_fen(obligation.fen_per_hour)} ({obligation.rate_from:%Y-%m-%d})"),
            (pgettext("ecorestore", "Amount offset"), format_fen(obligation.amount_offset_fen)),
            (pgettext("ecorestore", "Perform by"), obligation.due_on.isoformat()),
            (pgettext("ecorestore", "The party consents"), obligation.consent),
            (pgettext("ecorestore", "Evidence of hardship"), obligation.hardship_evidence),
        ]),
        pdf.Para(pgettext("ecorestore", "Hours not performed by the due date revert to money at the rate above, exactly.")),
    ])


def certificate_pdf(case: Case, certificate: Certificate) -> bytes:
    works = [[w.get_kind_display(), w.quantity_done, format_fen(w.amount_offset_fen)] for w in case.works.all()]
    blocks: list[pdf.Block] = [pdf.Pairs([
        (pgettext("ecorestore", "Completion certificate"), certificate.number),
        (pgettext("ecorestore", "Case"), f"{case.number} {case.title}"),
        (pgettext("ecorestore", "Party liable"), case.party_name),
        (pgettext("ecorestore", "Hours credited"), certificate.hours),
        (pgettext("ecorestore", "Amount offset"), format_fen(certificate.amount_offset_fen)),
        (pgettext("ecorestore", "Sent to"), certificate.sent_to),
        (pgettext("ecorestore", "Issued at"), certificate.issued_at),
    ])]
    if works:
        blocks += [pdf.Heading(pgettext("ecorestore", "Restoration in kind")),
                   pdf.Rows([[pgettext("ecorestore", "Restoration in kind"), pgettext("ecorestore", "Done"),
                              pgettext("ecorestore", "Amount offset")], *works])]
    return pdf.document(pgettext("ecorestore", "Completion certificate of restoration, case %(number)s") % {
        "number": case.number}, blocks)


@staff_view(None)
@require_safe
def agreement(request: StaffRequest, pk: int, opk: int) -> HttpResponse:
    _require_cases(request)
    case = access.case_for(request.user, pk)
    obligation = get_object_or_404(Obligation, case=case, pk=opk)
    body = agreement_pdf(case, obligation)
    with transaction.atomic():
        record(request.user, "ecorestore.agreement.download", obligation, is_read=True)
    return _response(body, f"ecorestore-agreement-{obligation.pk}")


@staff_view(None)
@require_safe
def certificate(request: StaffRequest, pk: int) -> HttpResponse:
    _require_cases(request)
    case = access.case_for(request.user, pk)
    cert = Certificate.objects.filter(case=case).first()
    if cert is None:
        raise NotFound()
    body = certificate_pdf(case, cert)
    with transaction.atomic():
        record(request.user, "ecorestore.certificate.download", cert, is_read=True)
    return _response(body, f"ecorestore-certificate-{cert.pk}")
