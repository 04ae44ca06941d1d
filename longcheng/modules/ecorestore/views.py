"""ecorestore's case pages: parse, authorise, call an action. Each change has its own POST-only url
(`CASE_STEPS`) and its Django form; a refusal shows the page again (400/409) with the message naming
the field, the user's typing kept and nothing written; the pages themselves take GETs only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST, require_safe

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm, restrict
from longcheng.kernel.errors import KernelError, NotFound, PermissionDenied
from longcheng.kernel.forms import refusal
from longcheng.kernel.places.models import Place
from longcheng.kernel.web.decorators import staff_view

from . import access, actions, rules, views_restore
from .forms import (
    AdvanceForm,
    AssessForm,
    BookForm,
    BreachForm,
    CaseForm,
    CertifyForm,
    ConvertForm,
    DeliverForm,
    WorkBreachForm,
    WorkForm,
    shown,
)
from .models import Case, Certificate, Obligation, ShiftState, Stage
from .spec import COURT, MANAGE, OWN, VIEW


def _require_cases(request: StaffRequest) -> None:
    if not (has_perm(request.user, VIEW) or has_perm(request.user, COURT)):
        raise PermissionDenied()


def _valid(form: forms.Form) -> dict[str, Any]:
    if not form.is_valid():
        raise refusal(form)
    return form.cleaned_data


def _may_open(request: StaffRequest) -> bool:
    return has_perm(request.user, MANAGE) or has_perm(request.user, COURT)


def _open_places(request: StaffRequest) -> Any:
    managed = restrict(Place.objects.all(), request.user, MANAGE)
    judged = restrict(Place.objects.all(), request.user, COURT)
    return (managed | judged).distinct().order_by("path")


def _cases_page(request: StaffRequest, form: CaseForm, error: dict[str, Any] | None = None,
                status: int = 200) -> HttpResponse:
    rows = access.cases_for(request.user).select_related("place").prefetch_related("heads")[:500]
    return render(request, "ecorestore/cases.html", {
        "cases": rows, "form": form, "error": error, "can_open": _may_open(request),
        "places": _open_places(request)[:500] if _may_open(request) else [],
    }, status=status)


@staff_view(None)
@require_safe
def cases(request: StaffRequest) -> HttpResponse:
    _require_cases(request)
    return _cases_page(request, CaseForm())


@staff_view(None)
@require_POST
def case_open(request: StaffRequest) -> HttpResponse:
    """A case received (ecorestore:case_open); refused: the list again with the form as typed."""
    _require_cases(request)
    if not _may_open(request):
        raise PermissionDenied()
    form = CaseForm(request.POST)
    try:
        data = _valid(form)
        place = _open_places(request).filter(pk=data["place"]).first()
        if place is None:
            raise KernelError(refusal_text("place"), field="place")
        case = actions.do_open_case(actions.NewCase(
            number=data["number"], title=data["title"], source=data["source"], source_organ=data["source_organ"],
            legal_basis=data["legal_basis"], place=place, party_name=data["party_name"],
            party_kind=data["party_kind"], assessment_report=data["assessment_report"],
            opened_on=data["opened_on"], decided_on=data["decided_on"], heads=form.heads()),
            acting_user=request.user)
    except KernelError as exc:
        if exc.status in (403, 404):
            raise
        return _cases_page(request, form, shown(exc, form), status=_status(exc))
    return redirect("ecorestore:case", case.pk)


def _status(error: KernelError) -> int:
    return error.status if error.status in (400, 403, 409, 422) else 400


def refusal_text(field: str) -> str:
    texts = {"place": pgettext("ecorestore", "Choose a place in your scope."),
             "zone": pgettext("ecorestore", "Choose a zone of the base in your scope."),
             "case": pgettext("ecorestore", "Choose a case in your scope.")}
    return texts[field]


def _obligation_of(case: Case, value: Any) -> Obligation:
    obligation = case.obligations.filter(pk=value).first()
    if obligation is None:
        raise NotFound(field="obligation")
    return obligation


def _advance(request: StaffRequest, case: Case, data: dict[str, Any]) -> None:
    actions.do_advance_case(case, to_stage=data["stage"], on=data["on"], acting_user=request.user)


def _convert(request: StaffRequest, case: Case, data: dict[str, Any]) -> None:
    actions.do_convert_to_labour(case, amount_fen=data["amount"], consent=data["consent"],
                                 hardship=data["hardship"], due_on=data["due_on"], acting_user=request.user)


def _book(request: StaffRequest, case: Case, data: dict[str, Any]) -> None:
    zone = access.zones_for(request.user, MANAGE).filter(pk=data["zone"]).first()
    if zone is None:
        raise KernelError(refusal_text("zone"), field="zone")
    actions.do_book_shift(_obligation_of(case, data["obligation"]), zone=zone, starts_at=data["starts_at"],
                          hours=data["hours"], acting_user=request.user)


def _breach(request: StaffRequest, case: Case, data: dict[str, Any]) -> None:
    actions.do_record_breach(_obligation_of(case, data["obligation"]), reason=data["reason"], acting_user=request.user)


def _certify(request: StaffRequest, case: Case, data: dict[str, Any]) -> None:
    actions.do_issue_certificate(case, acting_user=request.user)


# A case's changes by url name (ecorestore:case_<name>, at cases/<pk>/<name>/), POST only: the form and
# what it does.
CASE_STEPS: dict[str, tuple[type[forms.Form], Callable[[StaffRequest, Case, dict[str, Any]], None]]] = {
    "advance": (AdvanceForm, _advance), "convert": (ConvertForm, _convert), "book": (BookForm, _book),
    "breach": (BreachForm, _breach), "certify": (CertifyForm, _certify),
    "work": (WorkForm, views_restore.add_work), "deliver": (DeliverForm, views_restore.deliver),
    "work_breach": (WorkBreachForm, views_restore.work_breach), "assess": (AssessForm, views_restore.assess),
}


def case_step_view(name: str) -> Callable[..., HttpResponse]:
    form_class, run = CASE_STEPS[name]

    @staff_view(None)
    @require_POST
    def view(request: StaffRequest, pk: int) -> HttpResponse:
        _require_cases(request)
        access.case_for(request.user, pk)
        item = access.case_for(request.user, pk, manage=True)  # acting needs the procuratorate's right here
        form = form_class(request.POST)
        try:
            run(request, item, _valid(form))
        except KernelError as exc:
            if exc.status in (403, 404) and exc.field in (None, "obligation", "work"):
                raise
            item = access.case_for(request.user, pk)
            context = _case_context(request, item, shown(exc, form), {f"{name}_form": form})
            return render(request, "ecorestore/case.html", context, status=_status(exc))
        return redirect("ecorestore:case", item.pk)

    view.__name__ = view.__qualname__ = f"case_{name}"
    return view


@staff_view(None)
@require_safe
def case(request: StaffRequest, pk: int) -> HttpResponse:
    _require_cases(request)
    item = access.case_for(request.user, pk)
    return render(request, "ecorestore/case.html", _case_context(request, item, None))


def _case_context(request: StaffRequest, item: Case, error: dict[str, Any] | None,
                  typed: dict[str, forms.Form] | None = None) -> dict[str, Any]:
    can_manage = has_perm(request.user, MANAGE) and access.cases_for(request.user, manage=True).filter(
        pk=item.pk).exists()
    amount = request.GET.get("quote", "")
    quote = actions.quote(item, int(amount) * 100) if amount.isdigit() and len(amount) < 10 else None
    # Each step's form, unbound, or as the user typed it when that step was refused.
    step_forms = {f"{name}_form": form_class(None) for name, (form_class, _run) in CASE_STEPS.items()}
    return {
        "case": item, "heads": item.heads.all(), "steps": item.steps.select_related("by"),
        "obligations": item.obligations.annotate(missed=Count("shifts", filter=Q(shifts__state=ShiftState.MISSED)))
        .prefetch_related("shifts__zone"), "money_owed": actions.money_owed(item),
        "next_stages": [(s, Stage(s).label) for s in rules.NEXT_STAGES.get(item.stage, ())],
        "certificate": Certificate.objects.filter(case=item).first(), "receipts": item.receipts.select_related("reversal"), "can_manage": can_manage,
        "photos_shown": access.may_see_photos(request.user, item),
        "zones": access.zones_for(request.user, MANAGE) if can_manage else [], "error": error, "quote": quote,
        "quote_amount": amount, "rates": actions.rates(), **views_restore.context(item), **step_forms, **(typed or {}),
    }


@staff_view(None)
@require_safe
def certificate(request: StaffRequest, pk: int) -> HttpResponse:
    _require_cases(request)
    item = access.case_for(request.user, pk)
    cert = Certificate.objects.filter(case=item).select_related("issued_by").first()
    if cert is None:
        raise NotFound()
    return render(request, "ecorestore/certificate.html", {"case": item, "certificate": cert})


@staff_view(OWN)
@require_safe
def mine(request: StaffRequest) -> HttpResponse:
    obligations = access.own_obligations(request.user).prefetch_related("shifts__zone")
    return render(request, "ecorestore/mine.html", {"obligations": obligations})
