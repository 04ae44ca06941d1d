"""The base's pages: the bases in scope, one base with all its zones' outlines on the kernel map and
its fund's figures, and the park's money (what came in, what it paid for) with the procuratorate's
two forms, each on its own POST-only url; a refusal shows the page again with nothing written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from longcheng.kernel import maps
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm, restrict
from longcheng.kernel.errors import KernelError, NotFound
from longcheng.kernel.forms import attempt
from longcheng.kernel.web.decorators import staff_view

from . import access, actions_money, views
from .forms import ReceiptForm, ReverseForm, SpendForm, shown
from .models import Base, Receipt, Spend, ZoneKind
from .spec import MANAGE, VIEW

TONES: dict[str, str] = {ZoneKind.FISH_RELEASE: "ok", ZoneKind.REPLANTING: "ok", ZoneKind.REGREENING: "ok", ZoneKind.LABOUR: "warn"}


def _base_for(request: StaffRequest, pk: int) -> Base:
    base = restrict(Base.objects.select_related("place", "fund"), request.user, VIEW).filter(pk=pk).first()
    if base is None:
        raise NotFound()
    return base


@staff_view(VIEW)
@require_safe
def bases(request: StaffRequest) -> HttpResponse:
    rows = restrict(Base.objects.select_related("place"), request.user, VIEW).order_by("name")[:100]
    return render(request, "ecorestore/bases.html", {"bases": rows})


@staff_view(VIEW)
@require_safe
def base(request: StaffRequest, pk: int) -> HttpResponse:
    item = _base_for(request, pk)
    zones = list(item.zones.select_related("place"))
    where = [maps.area(z.outline, f"{z.name} · {z.get_kind_display()}", tone=TONES.get(z.kind, "plain"))
             for z in zones]
    return render(request, "ecorestore/base.html", {
        "base": item, "zones": zones, "where": where, "money": actions_money.fund_figures(item)})


def _money_page(request: StaffRequest, item: Base, typed: dict[str, Any] | None = None,
                error: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    can_manage = has_perm(request.user, MANAGE) and restrict(Base.objects.filter(pk=item.pk), request.user,
                                                             MANAGE).exists()
    return render(request, "ecorestore/money.html", {
        "base": item, "money": actions_money.fund_figures(item), "can_manage": can_manage,
        "receipts": Receipt.objects.filter(base=item).select_related("case", "reversal")[:200],
        "spends": Spend.objects.filter(base=item).select_related("zone", "reversal")[:200],
        "cases": access.cases_for(request.user, manage=True).only("pk", "number")[:300] if can_manage else [],
        "zones": item.zones.all(), "receipt_form": ReceiptForm(), "spend_form": SpendForm(),
        "reverse_form": ReverseForm(), **(typed or {}),
        "error": error}, status=status)


@staff_view(VIEW)
@require_safe
def money(request: StaffRequest, pk: int) -> HttpResponse:
    return _money_page(request, _base_for(request, pk))


def _receive(request: StaffRequest, item: Base, data: dict[str, Any]) -> None:
    case = None
    if data["case"]:
        case = access.cases_for(request.user, manage=True).select_related("place").filter(pk=data["case"]).first()
        if case is None:
            raise KernelError(views.refusal_text("case"), field="case")
    actions_money.do_record_receipt(item, actions_money.NewReceipt(
        kind=data["kind"], amount_fen=data["amount"], payer=data["payer"], received_on=data["received_on"],
        case=case), acting_user=request.user)


def _spend(request: StaffRequest, item: Base, data: dict[str, Any]) -> None:
    zone = None
    if data["zone"]:
        zone = item.zones.filter(pk=data["zone"]).first()
        if zone is None:
            raise KernelError(views.refusal_text("zone"), field="zone")
    actions_money.do_record_spend(item, actions_money.NewSpend(
        purpose=data["purpose"], description=data["description"], amount_fen=data["amount"], payee=data["payee"],
        spent_on=data["spent_on"], zone=zone), acting_user=request.user)


def _post(request: StaffRequest, pk: int, name: str) -> HttpResponse:
    item = _base_for(request, pk)
    form: forms.Form = ReceiptForm(request.POST) if name == "receipt" else SpendForm(request.POST)
    _done, error = attempt(form, lambda data: (_receive if name == "receipt" else _spend)(request, item, data))
    if error is not None:
        status = error.status if error.status in (400, 409, 422) else 400
        return _money_page(request, _base_for(request, pk), {f"{name}_form": form}, shown(error, form), status)
    return redirect(reverse("ecorestore:money", args=[item.pk]))


@staff_view(MANAGE)
@require_POST
def money_receive(request: StaffRequest, pk: int) -> HttpResponse:
    return _post(request, pk, "receipt")


@staff_view(MANAGE)
@require_POST
def money_spend(request: StaffRequest, pk: int) -> HttpResponse:
    return _post(request, pk, "spend")


def _reverse(request: StaffRequest, item: Base, name: str, rpk: int, data: dict[str, Any]) -> None:
    model = Receipt if name == "receipt" else Spend
    row = model.objects.filter(base=item, pk=rpk).select_related("base__place").first()
    if row is None:
        raise NotFound(field="record")
    if isinstance(row, Receipt):
        actions_money.do_reverse_receipt(row, reason=data["reason"], acting_user=request.user)
    else:
        actions_money.do_reverse_spend(row, reason=data["reason"], acting_user=request.user)


def _post_reverse(request: StaffRequest, pk: int, name: str, rpk: int) -> HttpResponse:
    """A receipt or a spend recorded in error, undone by a reversing entry (ecorestore:money_reverse_*);
    refused: the page again with the reason as typed, nothing written."""
    item = _base_for(request, pk)
    form = ReverseForm(request.POST)
    _done, error = attempt(form, lambda data: _reverse(request, item, name, rpk, data))
    if error is not None:
        status = error.status if error.status in (400, 409, 422) else 400
        typed = {"reverse_form": form, "reverse_target": f"{name}-{rpk}"}
        return _money_page(request, _base_for(request, pk), typed, shown(error, form), status)
    return redirect(reverse("ecorestore:money", args=[item.pk]))


@staff_view(MANAGE)
@require_POST
def money_reverse_receipt(request: StaffRequest, pk: int, rpk: int) -> HttpResponse:
    return _post_reverse(request, pk, "receipt", rpk)


@staff_view(MANAGE)
@require_POST
def money_reverse_spend(request: StaffRequest, pk: int, rpk: int) -> HttpResponse:
    return _post_reverse(request, pk, "spend", rpk)
