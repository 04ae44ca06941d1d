"""A round's page — its seven stages with what each asks for, the firm's figures and the indicators
computed from them, the material balance, the options register, the guidance threads, the visits and the
bureau's reviews — and the forms posted from it. Each POST parses a Django form and calls one action; a
refusal shows the page again with the message (403/404 as their own pages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import place_in_scope
from longcheng.kernel.errors import KernelError, NotFound
from longcheng.kernel.forms import refusal
from longcheng.kernel.web.decorators import staff_view

from .. import access, actions, figures, rules
from ..actions.common import facts_of
from ..forms import (
    ArtefactForm,
    BalanceForm,
    FiguresForm,
    OptionForm,
    OptionStatusForm,
    ReplyForm,
    ReviewForm,
    ThreadForm,
    VisitForm,
)
from ..models import AuditRound, Option, Thread
from ..spec import GUIDE, RESPOND, REVIEW, VIEW
from ..stages import ARTEFACTS, STAGE_BY_CODE, STAGES

EITHER = (VIEW, RESPOND)
# A refused form is shown again with what was typed, under the name the page renders it by.
FORM_NAMES: dict[str, type[forms.Form]] = {"figures_form": FiguresForm, "balance_form": BalanceForm,
                                           "option_form": OptionForm, "thread_form": ThreadForm,
                                           "visit_form": VisitForm}


def _indicators(audit: AuditRound) -> tuple[list[tuple[str, Any, Any, Any]], dict[str, str]]:
    by_period = {f.period: f for f in audit.figures.all()}
    computed = {}
    for period, row in by_period.items():
        computed[period] = rules.intensities(
            {flow: getattr(row, name) for flow, name in figures.FLOW_FIELDS.items()},
            output=row.output, value_added_fen=row.value_added_fen)
    before, after = computed.get("before", {}), computed.get("after", {})
    return [(str(label), before.get(key), after.get(key), rules.change(before.get(key), after.get(key)))
            for key, label in rules.INDICATORS.items()], figures.industry_levels(audit, computed)


def _options(audit: AuditRound) -> list[dict[str, Any]]:
    return [{"option": o, "payback": rules.payback_years(o.investment_fen, o.yearly_saving_fen),
             "npv": rules.npv(o.investment_fen, o.yearly_saving_fen, o.life_years, figures.DISCOUNT_RATE),
             "irr": rules.irr(o.investment_fen, o.yearly_saving_fen, o.life_years)}
            for o in Option.objects.filter(round=audit).order_by("cost_class", "pk")]


def _stages(audit: AuditRound) -> list[dict[str, Any]]:
    records = {r.stage: r for r in audit.stages.all()}
    artefacts = list(audit.artefacts.select_related("added_by").order_by("added_at", "pk"))
    threads = list(Thread.objects.filter(round=audit).prefetch_related("messages__author").order_by("opened_at"))
    gate = rules.gate_problems(audit.status, facts_of(audit)) if audit.status in STAGE_BY_CODE else []
    return [{"stage": s, "record": records.get(s.code), "current": s.code == audit.status,
             "asks": [(k, ARTEFACTS[k]) for k in s.artefacts],
             "artefacts": [a for a in artefacts if a.stage == s.code],
             "threads": [t for t in threads if t.stage == s.code],
             "gate": [message for _f, message in gate] if s.code == audit.status else []} for s in STAGES]


def _context(request: StaffRequest, audit: AuditRound, **extra: Any) -> dict[str, Any]:
    side = access.side_of(request.user, audit)
    balance = getattr(audit, "balance", None) if hasattr(audit, "balance") else None
    kind = "acceptance" if audit.status == "assessed" else "assessment"
    indicators, levels = _indicators(audit)
    return {
        "audit": audit, "side": side, "stages": _stages(audit), "indicators": indicators, "levels": levels,
        "figures": {f.period: f for f in audit.figures.all()}, "balance": balance,
        "balance_gap": rules.balance_gap(balance.inputs_t, balance.products_t, balance.byproducts_t,
                                         balance.losses_t) * 100 if balance else None,
        "options": _options(audit), "visits": audit.visits.select_related("expert").order_by("-on", "-pk"),
        "reviews": audit.reviews.select_related("by").order_by("at", "pk"),
        "is_party": side == "firm", "in_stage": audit.status in STAGE_BY_CODE,
        "may_review": place_in_scope(request.user, REVIEW, audit.place.path)
        and audit.status in ("assessment", "assessed"),
        "may_visit": side == "expert", "review_kind": kind,
        "artefact_form": ArtefactForm(), "figures_form": FiguresForm(), "balance_form": BalanceForm(),
        "option_form": OptionForm(), "thread_form": ThreadForm(initial={"stage": audit.status}),
        "visit_form": VisitForm(), "review_form": ReviewForm(kind=kind), "rate": figures.DISCOUNT_RATE * 100,
        "history": figures.history(request.user, audit),
        "next_year": rules.next_audit_year(industry=audit.industry, trigger=audit.trigger, accepted_year=audit.year)
        if audit.status == "accepted" else None,
        **extra,
    }


@staff_view(None)
def round_page(request: StaffRequest, pk: int) -> HttpResponse:
    audit = access.round_for(request.user, pk)
    return render(request, "cleanaudit/round.html", _context(request, audit))


def _post(request: StaffRequest, pk: int, form: forms.Form, act: Callable[[forms.Form], Any]) -> HttpResponse:
    audit = access.round_for(request.user, pk)
    try:
        if not form.is_valid():
            raise refusal(form)
        act(form)
    except KernelError as exc:
        if exc.status in (403, 404):
            raise
        audit.refresh_from_db()
        typed = {name: form for name, kind in FORM_NAMES.items() if type(form) is kind}
        return render(request, "cleanaudit/round.html", _context(request, audit, error=exc, **typed),
                      status=exc.status)
    return redirect("cleanaudit:round", pk)


@require_POST
@staff_view(RESPOND)
def add_artefact(request: StaffRequest, pk: int) -> HttpResponse:
    return _post(request, pk, ArtefactForm(request.POST, request.FILES), lambda f: actions.do_add_artefact(
        pk, kind=f.cleaned_data["kind"], title=f.cleaned_data["title"], note=f.cleaned_data["note"],
        upload=f.cleaned_data["file"], acting_user=request.user))


@require_POST
@staff_view(RESPOND)
def set_figures(request: StaffRequest, pk: int) -> HttpResponse:
    def act(f: forms.Form) -> Any:
        values = {k: v for k, v in f.cleaned_data.items() if k not in ("period", "output_unit")}
        return actions.do_set_figures(pk, period=f.cleaned_data["period"], values=values,
                                      output_unit=f.cleaned_data["output_unit"], acting_user=request.user)
    return _post(request, pk, FiguresForm(request.POST), act)


@require_POST
@staff_view(RESPOND)
def set_balance(request: StaffRequest, pk: int) -> HttpResponse:
    return _post(request, pk, BalanceForm(request.POST), lambda f: actions.do_set_balance(
        pk, values=f.cleaned_data, acting_user=request.user))


@require_POST
@staff_view(RESPOND)
def add_option(request: StaffRequest, pk: int) -> HttpResponse:
    def act(f: forms.Form) -> Any:
        data = f.cleaned_data
        return actions.do_add_option(pk, title=data["title"], cost_class=data["cost_class"],
                                     investment_fen=data["investment_fen"],
                                     yearly_saving_fen=data["yearly_saving_fen"], life_years=data["life_years"],
                                     energy_saved_tce=data["energy_saved_tce"] or 0,
                                     water_saved_m3=data["water_saved_m3"] or 0, acting_user=request.user)
    return _post(request, pk, OptionForm(request.POST), act)


@require_POST
@staff_view(RESPOND)
def set_option_status(request: StaffRequest, pk: int) -> HttpResponse:
    option = Option.objects.filter(pk=pk).first()
    if option is None:
        raise NotFound()
    return _post(request, option.round_id, OptionStatusForm(request.POST), lambda f: actions.do_set_option_status(
        pk, status=f.cleaned_data["status"], measured_saving_fen=f.cleaned_data["measured_saving_fen"],
        acting_user=request.user))


@require_POST
@staff_view(RESPOND)
def close_stage(request: StaffRequest, pk: int) -> HttpResponse:
    return _post(request, pk, forms.Form(request.POST), lambda f: actions.do_close_stage(pk, acting_user=request.user))


@require_POST
@staff_view(RESPOND)
def register(request: StaffRequest, pk: int) -> HttpResponse:
    return _post(request, pk, forms.Form(request.POST), lambda f: actions.do_register(pk, acting_user=request.user))


@require_POST
@staff_view(None)
def open_thread(request: StaffRequest, pk: int) -> HttpResponse:
    return _post(request, pk, ThreadForm(request.POST), lambda f: actions.do_open_thread(
        pk, stage=f.cleaned_data["stage"], subject=f.cleaned_data["subject"], body=f.cleaned_data["body"],
        artefact_id=f.cleaned_data["artefact"], acting_user=request.user))


def _thread_round(pk: int) -> int:
    round_id = Thread.objects.filter(pk=pk).values_list("round_id", flat=True).first()
    if round_id is None:
        raise NotFound()
    return round_id


@require_POST
@staff_view(None)
def reply(request: StaffRequest, pk: int) -> HttpResponse:
    return _post(request, _thread_round(pk), ReplyForm(request.POST), lambda f: actions.do_reply(
        pk, body=f.cleaned_data["body"], acting_user=request.user))


@require_POST
@staff_view(None)
def close_thread(request: StaffRequest, pk: int) -> HttpResponse:
    return _post(request, _thread_round(pk), forms.Form(request.POST),
                 lambda f: actions.do_close_thread(pk, acting_user=request.user))


@require_POST
@staff_view(GUIDE)
def log_visit(request: StaffRequest, pk: int) -> HttpResponse:
    return _post(request, pk, VisitForm(request.POST), lambda f: actions.do_log_visit(
        pk, on=f.cleaned_data["on"], note=f.cleaned_data["note"], acting_user=request.user))


@require_POST
@staff_view(REVIEW)
def review(request: StaffRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in rules.SHEETS:
        raise NotFound()
    form = ReviewForm(request.POST, kind=kind)
    return _post(request, pk, form, lambda f: actions.do_review(
        pk, kind=kind, scores=form.scores(), vetoes=f.cleaned_data["vetoes"], reasons=f.cleaned_data["reasons"],
        acting_user=request.user))
