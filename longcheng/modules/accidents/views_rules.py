"""The rule keeper's pages: both tables as in force, and a new version of one rule, previewed
before it is saved (edit → preview → save, each at its own URL). The newest active version is in
force for the next report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import refusal
from longcheng.kernel.web.decorators import staff_view

from . import actions_rules, rules
from .forms_rules import ExclusionForm, RuleForm
from .models import Exclusion, LiabilityRule, Outcome
from .spec import RULES


@dataclass(frozen=True)
class Kind:
    model: Any
    form: Any
    fields: tuple[str, ...]
    clean: Any
    change: Any
    title: Any


KINDS = {
    "exclusions": Kind(Exclusion, ExclusionForm, actions_rules.EXCLUSION_FIELDS, actions_rules.clean_exclusion,
                       actions_rules.do_change_exclusion, pgettext_lazy("accidents", "Exclusions")),
    "liability": Kind(LiabilityRule, RuleForm, actions_rules.RULE_FIELDS, actions_rules.clean_rule,
                      actions_rules.do_change_liability_rule, pgettext_lazy("accidents", "Liability table")),
}


def _kind(name: str) -> Kind:
    if name not in KINDS:
        raise Http404
    return KINDS[name]


def _newest_of_each(model: Any) -> list[Any]:
    newest: dict[str, Any] = {}
    for row in model.objects.order_by("code", "-version"):
        newest.setdefault(row.code, row)
    return sorted(newest.values(), key=lambda r: (not r.active, r.order, r.code))


@staff_view(RULES)
def rule_tables(request: StaffRequest) -> HttpResponse:
    actions_rules.require_rule_keeper(request.user)
    return render(request, "accidents/rules.html", {
        "exclusions": _newest_of_each(Exclusion), "liability": _newest_of_each(LiabilityRule)})


def _current(kind: Kind, code: str | None) -> Any:
    if code is None:
        return None
    current = actions_rules.newest(kind.model, code)
    if current is None:
        raise Http404
    return current


def _page(request: StaffRequest, kind_name: str, code: str | None, form: Any, *, error: KernelError | None = None,
          preview: dict[str, Any] | None = None) -> HttpResponse:
    kind = _kind(kind_name)
    current = _current(kind, code)
    return render(request, "accidents/rule_edit.html", {
        "kind": kind_name, "title": kind.title, "code": code, "current": current, "form": form, "error": error,
        "preview": preview, "history": kind.model.objects.filter(code=code).order_by("-version") if code else [],
    }, status=error.status if error else 200)


@staff_view(RULES)
def rule_edit(request: StaffRequest, kind: str, code: str | None = None) -> HttpResponse:
    """GET: the form, filled with the version in force. POST (from the preview): save the version."""
    actions_rules.require_rule_keeper(request.user)
    spec = _kind(kind)
    current = _current(spec, code)
    if request.method != "POST":
        initial = {f: getattr(current, f) for f in spec.fields} if current else {"active": True, "order": 100}
        form = spec.form(initial={**initial, "based_on": current.version if current else 0}, code=code)
        return _page(request, kind, code, form)
    form = spec.form(request.POST, code=code)
    try:
        if not form.is_valid():
            raise refusal(form)
        row = spec.change(form.code_value(), form.cleaned_data, based_on=form.cleaned_data["based_on"],
                          acting_user=request.user)
    except KernelError as exc:
        if exc.status == 403:
            raise
        return _page(request, kind, code, form, error=exc)
    messages.success(request, pgettext("accidents", "Saved as version %(version)s: in force for the next report.")
                     % {"version": row.version})
    return redirect("accidents:rules")


def _shown(field: str, value: Any) -> Any:
    if field == "active":
        return pgettext("accidents", "Yes") if value else pgettext("accidents", "No")
    if field == "outcome":
        return dict(Outcome.choices).get(value, value)
    if field == "basis":
        return dict(Exclusion.Basis.choices).get(value, value)
    return value


def _effect(kind: str, clean: dict[str, Any]) -> str:
    """What the new version changes for the next report, in words."""
    if not clean["active"]:
        return pgettext("accidents", "Withdrawn: not asked or applied from the next report on.")
    if kind == "exclusions":
        return pgettext("accidents", "The next report asks: %(question)s A “yes” refuses quick handling.") % {
            "question": clean["question_zh"]}
    outcomes = dict(Outcome.choices)
    return pgettext("accidents", "From the next report: the driver who ticks it takes %(own)s, the other %(other)s.") % {
        "own": outcomes[clean["outcome"]], "other": outcomes[rules.COMPLEMENT[clean["outcome"]]]}


@staff_view(RULES)
@require_POST
def rule_preview(request: StaffRequest, kind: str, code: str | None = None) -> HttpResponse:
    """POST only: the new version beside the one in force, nothing saved."""
    actions_rules.require_rule_keeper(request.user)
    spec = _kind(kind)
    current = _current(spec, code)
    form = spec.form(request.POST, code=code)
    try:
        if not form.is_valid():
            raise refusal(form)
        clean = spec.clean(form.cleaned_data)
        actions_rules.check_change(current if code else actions_rules.newest(spec.model, form.code_value()),
                                   form.code_value(), clean, spec.fields, based_on=form.cleaned_data["based_on"])
    except KernelError as exc:
        return _page(request, kind, code, form, error=exc)
    labels = {name: form.fields[name].label for name in spec.fields}
    rows = [{"label": labels[f], "now": _shown(f, getattr(current, f)) if current else "", "new": _shown(f, clean[f]),
             "changed": current is None or getattr(current, f) != clean[f]} for f in spec.fields]
    return _page(request, kind, code, form, preview={
        "rows": rows, "effect": _effect(kind, clean), "version": (current.version if current else 0) + 1})


