"""What the parties, the officer and the insurer may take away: the agreement (协议书) as a PDF, once
both drivers have signed, and the scene photos. Each is served only through a route whose access
function already limited the report to the viewer (access.py); each is an audited read."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import get_language, pgettext

from longcheng.kernel import pdf
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import Conflict
from longcheng.kernel.uploads import download

from . import sketch
from .errors import ErrorCode
from .models import LiabilityRule, Report
from .shown import parties_view


def photo(user: Any, report: Report, photo_pk: int) -> HttpResponseBase:
    shot = report.photos.filter(pk=photo_pk).first()
    if shot is None:
        raise Http404
    try:
        return download(shot.file, f"accident-{report.pk}-{shot.party.side}-{shot.shot}.{_ext(shot.file.name)}",
                        acting_user=user, action="accidents.photo.download", obj=shot)
    except FileNotFoundError as exc:
        raise Http404 from exc


def _ext(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else "bin"


def agreement(user: Any, report: Report) -> HttpResponse:
    """The signed agreement as the viewer may see it: their own details plain, the other party's
    through the kernel's masking policy (an insurer's and an officer's rights decide theirs)."""
    if report.status != Report.Status.HANDED_OFF or report.agreement_at is None:
        raise Conflict(pgettext("accidents", "There is no agreement until both drivers have signed."),
                       code=ErrorCode.NOT_SIGNED)
    body = agreement_pdf(user, report)
    # The audit row is written in a transaction of its own (the kernel refuses one outside any): a
    # request outside a test's wrapping transaction answered 500 here, found by the browser test.
    with transaction.atomic():
        record(user, "accidents.agreement.download", report, is_read=True)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="accident-agreement-{report.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def agreement_pdf(user: Any, report: Report) -> bytes:
    parties = parties_view(user, report)
    blocks: list[pdf.Block] = [pdf.Pairs([
        (pgettext("accidents", "Report"), report.pk),
        (pgettext("accidents", "Place"), report.place.name),
        (pgettext("accidents", "Started at"), report.started_at),
        (pgettext("accidents", "Liability decided at"), report.decided_at),
        (pgettext("accidents", "Signed by both at"), report.agreement_at),
    ])]
    for p in parties:
        blocks += [pdf.Heading(pgettext("accidents", "Driver %(side)s") % {"side": p["side"]}), pdf.Pairs([
            (pgettext("accidents", "Name"), p["name"]),
            (pgettext("accidents", "Mobile phone"), p["phone"]),
            (pgettext("accidents", "Driving licence number"), f"{p['licence_no']} {p['licence_class']}"),
            (pgettext("accidents", "Plate"), p["plate"]),
            (pgettext("accidents", "Insurer"), f"{p['insurer']} {p['policy_no']}"),
            (pgettext("accidents", "Situations ticked"), "、".join(situation_labels(p["circumstances"])) or "—"),
            (pgettext("accidents", "Liability"), _liability(report, p["side"])),
            (pgettext("accidents", "Signed"), p["signed"]),
        ])]
    picture = sketch.drawing(report.sketch)
    if picture is not None:
        blocks += [pdf.Heading(pgettext("accidents", "Sketch")), pdf.Picture(picture, width=240),
                   pdf.Para(sketch.describe(report.sketch))]
    blocks.append(pdf.Heading(pgettext("accidents", "Agreement")))
    blocks.append(pdf.Para(pgettext(
        "accidents", "Both drivers confirm the facts above and accept the liability as decided; each claims "
                     "from the insurer named for them.")))
    if report.mutual_self_pay:
        blocks.append(pdf.Para(pgettext("accidents", "互碰自赔: each insurer pays its own insured.")))
    if report.changed_by_officer:
        blocks.append(pdf.Para(pgettext("accidents", "The officer decided otherwise than the rule table: %(reason)s")
                               % {"reason": report.decision_reason}))
    blocks.append(pdf.Para(pgettext("accidents", "Printed at %(time)s") % {"time": pdf.text(timezone.now())}))
    return pdf.document(pgettext("accidents", "Minor traffic accident agreement (龙e处) No. %(pk)s")
                        % {"pk": report.pk}, blocks)


def situation_labels(codes: list[str]) -> list[str]:
    """The situations a driver ticked, in the reader's language. Every version's wording is read,
    the newest winning: a report keeps the codes it was ticked with, even of a withdrawn situation."""
    english = (get_language() or "zh-hans").startswith("en")
    wording = {r.code: (r.situation_en if english else r.situation_zh)
               for r in LiabilityRule.objects.filter(code__in=codes).order_by("code", "version")}
    return [wording.get(code, code) for code in codes]


def _liability(report: Report, side: str) -> str:
    value = report.get_liability_a_display() if side == "A" else report.get_liability_b_display()
    return str(value)
