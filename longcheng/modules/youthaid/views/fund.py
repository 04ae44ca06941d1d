"""The fund page (donations, the statement and its export) and the aid rules page."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm
from longcheng.kernel.errors import ErrorCode, KernelError, NotFound
from longcheng.kernel.forms import refusal, yuan_text
from longcheng.kernel.ledger import actions as ledger
from longcheng.kernel.ledger.models import AccountKind, Posting
from longcheng.kernel.ledger.money import format_fen
from longcheng.kernel.web.decorators import staff_view
from longcheng.kernel.web.forms import StatementForm

from .. import actions
from ..forms import DonateForm, RulesForm
from ..models import (
    AidType,
    Condition,
)
from .common import CONFIGURE, FUND, VIEW, _shown_again

# --- the fund -------------------------------------------------------------------------------------------------


@staff_view(VIEW)
@require_POST
def fund_donate(request: StaffRequest) -> HttpResponse:
    """A donation into the fund (youthaid:fund_donate): a refusal is the fund page again with the
    message naming the field, the typed values kept, nothing written."""
    form = DonateForm(request.POST)
    try:
        if not form.is_valid():
            raise refusal(form)
        amount, token = form.cleaned_data["amount"], form.cleaned_data["token"][:64]
        # The form's token keys the posting: a double-submitted donation is recorded once.
        key = f"youthaid:donate:{token}" if token else None
        actions.do_donate(amount, donor=form.cleaned_data["donor"], acting_user=request.user, idempotency_key=key)
    except KernelError as error:
        return _shown_again(request, error, form, "youthaid/fund.html", _fund_context(request))
    messages.success(request, _("Donation of %(amount)s recorded.") % {"amount": format_fen(amount)})
    return redirect(reverse("youthaid:fund"))


@staff_view(VIEW)
@require_safe
def fund(request: StaffRequest) -> HttpResponse:
    context = _fund_context(request)
    return render(request, "youthaid/fund.html", context, status=400 if context["form"].errors else 200)


def _fund_context(request: StaffRequest) -> dict[str, Any]:
    user = request.user
    the_fund = actions.youth_fund()
    today = timezone.localdate()
    start, end = today.replace(month=1, day=1), today
    form = StatementForm(request.GET or None, initial={"start": start, "end": end})
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    result = ledger.statement(the_fund, start, end)
    available = ledger.fund_account(the_fund)
    line = next((x for x in result.lines if x.kind == AccountKind.FUND), None)
    # The running balance is kept apart from the postings; it must equal the statement's closing
    # plus whatever was posted after the period: a second, independent check.
    after_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=ledger.SHANGHAI)
    after = (Posting.objects.filter(account=available, at__gte=after_end)
             .aggregate(s=Sum("amount_fen"))["s"] or 0)
    reconcile = None
    if line is not None:
        reconcile = {"line": line, "ok": line.closing_fen == line.opening_fen + line.in_fen - line.out_fen,
                     "after": after, "balance": available.balance_fen,
                     "balance_ok": available.balance_fen == line.closing_fen + after}
    return {
        "fund": the_fund, "typed": {}, "figures": actions.fund_figures(the_fund),
        "form": form, "start": start, "end": end, "statement": result, "reconcile": reconcile,
        "can_donate": has_perm(user, FUND), "can_ledger": has_perm(user, "ledger.view"),
        "token": uuid.uuid4().hex, "postings": result.postings[:500], "more": max(len(result.postings) - 500, 0),
    }


# --- the aid rules ---------------------------------------------------------------------------------------------


def _rules_values(kind: AidType, data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "min_fen": data["min"], "max_fen": data["max"], "yearly_cap_fen": data["cap"],
        "proof_required": data["proof_required"], "active": data["active"],
    }
    if kind.condition == Condition.HARDSHIP:
        for grade in ("1", "2", "3"):
            if data[f"grade_{grade}"] is None:
                raise KernelError(_("Required for an aid given by hardship grade."), code=ErrorCode.REQUIRED,
                                  field=f"grade_{grade}")
        values["grade_amounts"] = {grade: data[f"grade_{grade}"] for grade in ("1", "2", "3")}
    return values


@staff_view(VIEW)
@require_POST
def rules_edit(request: StaffRequest) -> HttpResponse:
    """An aid type's amounts and caps (youthaid:rules_edit): a refusal is the rules page again with
    the message naming the field, the typed values kept, nothing written."""
    form = RulesForm(request.POST)
    try:
        if not form.is_valid():
            raise refusal(form)
        kind = AidType.objects.filter(code=form.cleaned_data["code"]).first()
        if kind is None:
            raise NotFound()
        updated = actions.do_update_aid_type(kind.code, acting_user=request.user, reason=form.cleaned_data["reason"],
                                             **_rules_values(kind, form.cleaned_data))
    except KernelError as error:
        return _shown_again(request, error, form, "youthaid/rules.html", _rules_context(request))
    messages.success(request, _("The rules of %(type)s are saved.") % {"type": updated})
    return redirect(reverse("youthaid:rules"))


def _rules_context(request: StaffRequest) -> dict[str, Any]:
    types = list(AidType.objects.all())
    for kind in types:
        kind.grades = [(g, kind.grade_amounts.get(g)) for g in ("1", "2", "3")]  # type: ignore[attr-defined]
        kind.form = {  # type: ignore[attr-defined]
            "min": yuan_text(kind.min_fen), "max": yuan_text(kind.max_fen), "cap": yuan_text(kind.yearly_cap_fen),
            "grades": [(g, yuan_text(kind.grade_amounts.get(g))) for g in ("1", "2", "3")],
            "hardship": kind.condition == Condition.HARDSHIP,
        }
    return {"types": types, "can_configure": has_perm(request.user, CONFIGURE), "typed": {}}


@staff_view(VIEW)
@require_safe
def rules_page(request: StaffRequest) -> HttpResponse:
    return render(request, "youthaid/rules.html", _rules_context(request))
