"""The fund page (donations, the statement and its export) and the aid rules page."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm
from longcheng.kernel.errors import KernelError, NotFound
from longcheng.kernel.forms import yuan_text
from longcheng.kernel.ledger import actions as ledger
from longcheng.kernel.ledger.models import AccountKind, Posting
from longcheng.kernel.ledger.money import format_fen, parse_yuan
from longcheng.kernel.web.decorators import staff_view
from longcheng.kernel.web.forms import StatementForm

from .. import actions
from ..models import (
    AidType,
    Condition,
)
from .common import CONFIGURE, FUND, VIEW, _balances, _post

# --- the fund -------------------------------------------------------------------------------------------------


def _fund_step(request: StaffRequest) -> str:
    post = request.POST
    if post.get("step") != "donate":
        raise KernelError(_("Unknown step."), field="step")
    amount = parse_yuan(post.get("amount", ""), field="amount")
    token = (post.get("token") or "").strip()[:64]
    # The form's token keys the posting: a double-submitted donation is recorded once.
    key = f"youthaid:donate:{token}" if token else None
    actions.do_donate(amount, donor=post.get("donor", ""), acting_user=request.user, idempotency_key=key)
    return _("Donation of %(amount)s recorded.") % {"amount": format_fen(amount)}


@staff_view(VIEW)
def fund(request: StaffRequest) -> HttpResponse:
    if request.method == "POST":
        return _post(request, lambda: _fund_step(request))
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
    return render(request, "youthaid/fund.html", {
        "fund": the_fund, "balances": _balances(), "paid_total": actions.paid_total(),
        "form": form, "start": start, "end": end, "statement": result, "reconcile": reconcile,
        "can_donate": has_perm(user, FUND), "can_ledger": has_perm(user, "ledger.view"),
        "token": uuid.uuid4().hex, "postings": result.postings[:500], "more": max(len(result.postings) - 500, 0),
    }, status=400 if form.errors else 200)


# --- the aid rules ---------------------------------------------------------------------------------------------


def _rules_step(request: StaffRequest) -> str:
    post = request.POST
    if post.get("step") != "edit":
        raise KernelError(_("Unknown step."), field="step")
    code = post.get("code", "")
    kind = AidType.objects.filter(code=code).first()
    if kind is None:
        raise NotFound()
    values: dict[str, Any] = {
        "min_fen": parse_yuan(post.get("min", ""), field="min_fen"),
        "max_fen": parse_yuan(post.get("max", ""), field="max_fen"),
        "yearly_cap_fen": parse_yuan(post.get("cap", ""), field="yearly_cap_fen"),
        "proof_required": post.get("proof_required") == "on",
        "active": post.get("active") == "on",
    }
    if kind.condition == Condition.HARDSHIP:
        values["grade_amounts"] = {grade: parse_yuan(post.get(f"grade_{grade}", ""), field="grade_amounts")
                                   for grade in ("1", "2", "3")}
    updated = actions.do_update_aid_type(code, acting_user=request.user, reason=post.get("reason", ""), **values)
    return _("The rules of %(type)s are saved.") % {"type": updated}


@staff_view(VIEW)
def rules_page(request: StaffRequest) -> HttpResponse:
    if request.method == "POST":
        return _post(request, lambda: _rules_step(request))
    types = list(AidType.objects.all())
    for kind in types:
        kind.grades = [(g, kind.grade_amounts.get(g)) for g in ("1", "2", "3")]  # type: ignore[attr-defined]
        kind.form = {  # type: ignore[attr-defined]
            "min": yuan_text(kind.min_fen), "max": yuan_text(kind.max_fen), "cap": yuan_text(kind.yearly_cap_fen),
            "grades": [(g, yuan_text(kind.grade_amounts.get(g))) for g in ("1", "2", "3")],
            "hardship": kind.condition == Condition.HARDSHIP,
        }
    return render(request, "youthaid/rules.html", {"types": types, "can_configure": has_perm(request.user, CONFIGURE)})
