"""Payment batches: the waiting approvals, a batch, paying it, bank returns, the XLSX export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe
from openpyxl.styles import Font

from longcheng.kernel import exports
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import restrict
from longcheng.kernel.errors import KernelError, NotFound, parse_id
from longcheng.kernel.forms import refusal
from longcheng.kernel.ledger.money import format_fen
from longcheng.kernel.web.decorators import staff_view

from .. import actions
from ..forms import BatchForm, PayBatchForm, ReissueForm, ReturnPaymentForm, refused
from ..models import (
    Application,
    AppStatus,
    BatchStatus,
    Payment,
    PaymentBatch,
    PayStatus,
)
from .common import PAY

# --- payment batches --------------------------------------------------------------------------------------------


def _waiting(user: Any) -> Any:
    """Approved applications not yet in a batch (or returned and not re-issued), as do_create_batch
    picks them."""
    return restrict(Application.objects.filter(status=AppStatus.APPROVED), user, PAY).exclude(
        payments__status__in=[PayStatus.PENDING, PayStatus.PAID, PayStatus.RETURNED])


def _batches_context(user: Any) -> dict[str, Any]:
    mine = restrict(Payment.objects.all(), user, PAY).values("batch_id")
    rows = PaymentBatch.objects.filter(pk__in=mine).select_related("created_by", "paid_by").order_by("-created_at",
                                                                                                   "-pk")[:300]
    waiting = _waiting(user).aggregate(n=Count("pk"), fen=Sum("approved_fen"))
    pairs = list(_waiting(user).values_list("youth_id", "aid_type_id", "youth__bank_account"))
    payable = [(youth, kind) for youth, kind, account in pairs if account]
    # What the next batch would leave out, said before it is made.
    will_wait = _left_out_text({"without_account": len(pairs) - len(payable),
                                "same_type": len(payable) - len(set(payable))})
    return {
        "batches": rows, "waiting_count": waiting["n"] or 0, "waiting_fen": waiting["fen"] or 0,
        "will_wait": will_wait,
        "default_title": _("Aid payments %(date)s") % {"date": timezone.localdate().isoformat()}, "typed": {},
    }


def _left_out_text(left: dict[str, int]) -> str:
    """How many approved applications a new batch left for the next one, and why (nothing is left
    out silently)."""
    reasons = []
    if left.get("without_account"):
        n = left["without_account"]
        reasons.append(ngettext("%(n)d has no bank account recorded on its case",
                                "%(n)d have no bank account recorded on their cases", n) % {"n": n})
    if left.get("same_type"):
        n = left["same_type"]
        reasons.append(ngettext(
            "%(n)d is a second application of a youth and aid type already paid in this batch (one payment per "
            "youth and aid type in a batch)",
            "%(n)d are second applications of a youth and aid type already paid in this batch (one payment per "
            "youth and aid type in a batch)", n) % {"n": n})
    total = sum(left.values())
    if not total:
        return ""
    return ngettext("%(n)d approved application was left for the next batch: %(why)s.",
                    "%(n)d approved applications were left for the next batch: %(why)s.", total) % {
        "n": total, "why": _("; ").join(reasons)}


def _refused(request: StaffRequest, error: KernelError, form: forms.Form, template: str,
             context: dict[str, Any]) -> HttpResponse:
    """A refused step: the page again with the message naming the field, the typed values kept and
    nothing written; out of scope stays a 404 page."""
    if error.status == 404:
        raise error
    messages.error(request, refused(error, form))
    context["typed"] = {key: form.data.get(key, "") for key in form.fields}
    return render(request, template, context, status=error.status if error.status in (400, 403, 409, 422) else 400)


@staff_view(PAY)
@require_safe
def batches(request: StaffRequest) -> HttpResponse:
    return render(request, "youthaid/batches.html", _batches_context(request.user))


@staff_view(PAY)
@require_POST
def batch_create(request: StaffRequest) -> HttpResponse:
    """Make a batch of the approved applications waiting for payment (youthaid:batch_create)."""
    form = BatchForm(request.POST)
    try:
        if not form.is_valid():
            raise refusal(form)
        batch = actions.do_create_batch(title=form.cleaned_data["title"], acting_user=request.user)
    except KernelError as error:
        return _refused(request, error, form, "youthaid/batches.html", _batches_context(request.user))
    text = _("Batch %(code)s made: %(count)d payments, %(total)s.") % {
        "code": batch.code, "count": batch.count, "total": format_fen(batch.total_fen)}
    left = _left_out_text(getattr(batch, "left_out", {}))
    if left:
        messages.warning(request, left)
    messages.success(request, text)
    return redirect(reverse("youthaid:batch", args=[batch.pk]))


def _batch_payment(batch: PaymentBatch, user: Any, value: str | None) -> int:
    """A payment of this batch in the user's scope (the form names it by id); any other reads as not found."""
    pk = parse_id(value, field="payment")
    if not restrict(Payment.objects.filter(batch=batch, pk=pk), user, PAY).exists():
        raise NotFound()
    return pk


def _pay(request: StaffRequest, batch: PaymentBatch, form: forms.Form) -> str | tuple[str, str]:
    already = batch.status == BatchStatus.PAID
    paid = actions.do_pay_batch(batch.pk, acting_user=request.user)
    if already:
        # A second click or a retried request: the action found the batch paid and paid nobody twice.
        return _("Batch %(code)s was already sent to the bank; nothing was paid twice.") % {"code": paid.code}
    return _("Batch %(code)s sent to the bank: %(count)d payments, %(total)s.") % {
        "code": paid.code, "count": paid.count, "total": format_fen(paid.total_fen)}


def _return(request: StaffRequest, batch: PaymentBatch, form: forms.Form) -> str | tuple[str, str]:
    payment = actions.do_return_payment(_batch_payment(batch, request.user, form.cleaned_data["payment"]),
                                        reason=form.cleaned_data["reason"], acting_user=request.user)
    return _("Payment #%(n)d recorded as returned by the bank; %(amount)s is back in the commitment.") % {
        "n": payment.pk, "amount": format_fen(payment.amount_fen)}


def _reissue(request: StaffRequest, batch: PaymentBatch, form: forms.Form) -> str | tuple[str, str]:
    new = actions.do_reissue(_batch_payment(batch, request.user, form.cleaned_data["payment"]),
                             acting_user=request.user)
    return (_("Re-issued as payment #%(n)d in batch %(code)s.") % {"n": new.pk, "code": new.batch.code},
            reverse("youthaid:batch", args=[new.batch_id]))


# A batch's steps by url name (youthaid:batch_<name>, at batches/<pk>/<name>/), POST only.
BATCH_STEPS: dict[str, tuple[type[forms.Form], Callable[[StaffRequest, PaymentBatch, Any], str | tuple[str, str]]]] = {
    "pay": (PayBatchForm, _pay), "return": (ReturnPaymentForm, _return), "reissue": (ReissueForm, _reissue),
}


def _scoped_batch(request: StaffRequest, pk: int) -> tuple[PaymentBatch, Any]:
    found = PaymentBatch.objects.select_related("created_by", "paid_by").filter(pk=pk).first()
    scoped = restrict(Payment.objects.filter(batch_id=pk), request.user, PAY)
    if found is None or not scoped.exists():
        raise NotFound()
    return found, scoped


def batch_step_view(name: str) -> Callable[..., HttpResponse]:
    form_class, run = BATCH_STEPS[name]

    @staff_view(PAY)
    @require_POST
    def view(request: StaffRequest, pk: int) -> HttpResponse:
        found, _scoped = _scoped_batch(request, pk)
        form = form_class(request.POST)
        try:
            if not form.is_valid():
                raise refusal(form)
            outcome = run(request, found, form)
        except KernelError as error:
            found, scoped = _scoped_batch(request, pk)
            return _refused(request, error, form, "youthaid/batch.html", _batch_context(found, scoped))
        text, target = outcome if isinstance(outcome, tuple) else (outcome, reverse("youthaid:batch", args=[pk]))
        messages.success(request, text)
        return redirect(target)

    view.__name__ = view.__qualname__ = f"batch_{name}"
    return view


def _batch_xlsx(batch: PaymentBatch, payments: list[Payment]) -> HttpResponse:
    """The batch as a spreadsheet, bank accounts masked: the list to check against the bank's file,
    not the payment order itself (that needs the bank role and goes through the bank's channel)."""
    book = exports.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = batch.code[:31]
    sheet.append([f"{batch.code} {batch.title}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_("Status"), str(batch.get_status_display())])
    exports.append(sheet, [_("Created at"), batch.created_at])  # date cells, not text
    if batch.paid_at:
        exports.append(sheet, [_("Paid at"), batch.paid_at])
    sheet.append([])
    sheet.append(["#", _("Youth"), _("Aid type"), _("Amount"), _("Bank account"), _("Status"),
                  _("Reason for the return")])
    for p in payments:
        sheet.append([p.pk, p.youth.person.name, str(p.aid_type), p.amount_fen / 100,
                      actions.mask_account(p.bank_account), str(p.get_status_display()), p.return_reason])
        sheet.cell(row=sheet.max_row, column=4).number_format = "#,##0.00"
    sheet.append([_("Total"), "", "", sum(p.amount_fen for p in payments) / 100])
    sheet.cell(row=sheet.max_row, column=4).number_format = "#,##0.00"
    for column, width in zip("ABCDEFG", (8, 16, 16, 14, 16, 20, 30), strict=True):
        sheet.column_dimensions[column].width = width
    response = HttpResponse(exports.xlsx_bytes(book),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="youthaid-batch-{batch.code}.xlsx"'
    return response


def _batch_context(found: PaymentBatch, scoped: Any) -> dict[str, Any]:
    payments = list(scoped.select_related("youth__person", "aid_type", "reissued_as__batch").order_by("pk"))
    for p in payments:
        p.masked_account = actions.mask_account(p.bank_account)
    return {
        "batch": found, "payments": payments, "in_scope_fen": sum(p.amount_fen for p in payments),
        "partial": len(payments) != found.count, "typed": {},
    }


@staff_view(PAY)
@require_safe
def batch(request: StaffRequest, pk: int) -> HttpResponse:
    found, scoped = _scoped_batch(request, pk)
    context = _batch_context(found, scoped)
    if request.GET.get("export") == "xlsx":
        return _batch_xlsx(found, context["payments"])
    return render(request, "youthaid/batch.html", context)
