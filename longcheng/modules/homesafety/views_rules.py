"""The programme manager's pages for alarm rules and escalation chains (rulebook.py): read the
current versions, change them, see who a chain would tell. Changes are POSTs to their own urls;
a refusal shows the page again with the message naming the field and the typing kept."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import restrict
from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import refusal
from longcheng.kernel.notify.models import Channel
from longcheng.kernel.places.models import Place
from longcheng.kernel.web.decorators import staff_view

from . import rulebook
from .actions import THRESHOLDS
from .alarms import users_over
from .devices import DEVICE_TYPES
from .models import AlarmKind, EscalationChain, RuleVersion

MANAGE = rulebook.MANAGE
# The rule codes a place may switch off, by the alarm kind each raises (a rule's code is its kind's).
KIND_LABELS = dict(AlarmKind.choices)


def _places(user: Any) -> Any:
    # Grids are below the communities that run alarms: rules and chains are set from the community up.
    return restrict(Place.objects.exclude(level="grid"), user, MANAGE).order_by("path")


class RulesForm(forms.Form):
    device_type = forms.ChoiceField(label=gettext_lazy("device type"))
    place = forms.TypedChoiceField(coerce=int, label=gettext_lazy("place"))

    def __init__(self, data: Any = None, *, places: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["device_type"].choices = [(c, t.label) for c, t in DEVICE_TYPES.items()]  # type: ignore[attr-defined]
        self.fields["place"].choices = [(p.pk, p.name) for p in places]  # type: ignore[attr-defined]
        for name, (label, _low, _high, whole) in THRESHOLDS.items():
            self.fields[name] = (forms.IntegerField if whole else forms.FloatField)(required=False, label=label)
        for code in rulebook.SWITCHABLE:
            self.fields[f"kind_{code}"] = forms.BooleanField(required=False, label=KIND_LABELS.get(code, code))


def _rules_context(user: Any, code: str, place_id: int | None, form: RulesForm | None = None) -> dict[str, Any]:
    places = list(_places(user))
    versions = restrict(RuleVersion.objects.all(), user, MANAGE).select_related("place", "changed_by")
    current: dict[tuple[str, int], RuleVersion] = {}
    for version in versions.order_by("version"):
        current[(version.device_type, version.place_id)] = version
    code = code if code in DEVICE_TYPES else next(iter(DEVICE_TYPES))
    place = next((p for p in places if p.pk == place_id), places[0] if places else None)
    if form is None:
        row: RuleVersion | None = current.get((code, place.pk)) if place else None
        initial: dict[str, Any] = {"device_type": code, "place": place.pk if place else None,
                                   **(row.params if row else {})}
        kinds = row.kinds if row else {}
        initial.update({f"kind_{k}": kinds.get(k, True) for k in rulebook.SWITCHABLE})
        form = RulesForm(initial=initial, places=places)
    book = rulebook.current()
    applied, _kinds, _used = rulebook.place_settings(book, code, place.path if place else None)
    rules = DEVICE_TYPES[code].rules
    return {
        "form": form, "code": code, "place": place, "places": places, "types": DEVICE_TYPES,
        "threshold_fields": [form[n] for n in rulebook.TYPE_THRESHOLDS.get(code, ())],
        "kind_fields": [form[f"kind_{k}"] for k in rulebook.SWITCHABLE if k in rules],
        "defaults": {n: DEVICE_TYPES[code].defaults.get(n) for n in THRESHOLDS},
        "applied": applied,
        "current": sorted(current.values(), key=lambda r: (r.device_type, r.place.path)),
        "history": versions.order_by("-changed_at", "-pk")[:30],
    }


@staff_view(MANAGE)
def rules_page(request: HttpRequest) -> HttpResponse:
    place = request.GET.get("place", "")
    return render(request, "homesafety/rules.html", _rules_context(
        request.user, request.GET.get("device_type", ""), int(place) if place.isdigit() and len(place) < 10 else None))


@staff_view(MANAGE)
@require_POST
def rules_save(request: StaffRequest) -> HttpResponse:
    form = RulesForm(request.POST, places=_places(request.user))
    try:
        if not form.is_valid():
            raise refusal(form)
        code = form.cleaned_data["device_type"]
        own = rulebook.TYPE_THRESHOLDS.get(code, ())
        values = {n: form.cleaned_data[n] for n in THRESHOLDS if n in own or form.cleaned_data[n] is not None}
        kinds = {k: form.cleaned_data[f"kind_{k}"] for k in rulebook.SWITCHABLE}
        row = rulebook.do_set_rules(code, form.cleaned_data["place"], thresholds=values, kinds=kinds,
                                    acting_user=request.user)
    except KernelError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, str(error.message))
        place = request.POST.get("place", "")
        context = _rules_context(request.user, request.POST.get("device_type", ""),
                                 int(place) if place.isdigit() and len(place) < 10 else None, form)
        return render(request, "homesafety/rules.html", context, status=400)
    messages.success(request, _("Saved as version %(v)s: the next reading is judged by it.") % {"v": row.version}
                     if row else _("Nothing changed."))
    query = urlencode({"device_type": code, "place": form.cleaned_data["place"]})
    return redirect(f"{reverse('homesafety:rules')}?{query}")


# --- escalation chains ------------------------------------------------------------------------------------

ROLE_CHOICES = [("", "—"), *((r, r) for r in rulebook.ESCALATION_ROLES)]


def _typed_levels(data: Any) -> list[dict[str, Any]]:
    """The levels typed on the page (rows with a role), as the action takes them."""
    levels = []
    for i in range(rulebook.MAX_LEVELS):
        role = data.get(f"role_{i}", "")
        if not role:
            continue
        after = data.get(f"after_{i}", "")
        levels.append({"role": role, "after_s": int(after) if str(after).isdigit() and len(after) < 7 else after,
                       "channels": data.getlist(f"channels_{i}") if hasattr(data, "getlist") else data.get(f"channels_{i}", [])})
    return levels


def _preview(place: Place | None, levels: list[rulebook.Level]) -> list[dict[str, Any]]:
    """Who each level would tell where the person lives at `place`, and after how long."""
    rows, waited = [], 0
    for i, level in enumerate(levels):
        waited += level.after_s if i else 0
        people = users_over(place, [level.role]) if place is not None else []
        rows.append({"n": i, "role": rulebook.role_label(level.role), "after": waited,
                     "channels": [str(Channel(c).label) for c in level.channels], "people": people})
    return rows


def _chain_context(request: HttpRequest, place_id: int | None, typed: list[dict[str, Any]] | None,
                   error: str = "") -> dict[str, Any]:
    places = list(_places(request.user))
    place = next((p for p in places if p.pk == place_id), places[-1] if places else None)
    book = rulebook.current()
    levels, chain = rulebook.chain_for(place.path if place else None, book)
    shown = [{"role": lv.role, "after_s": lv.after_s, "channels": list(lv.channels)} for lv in levels]
    preview_levels, previewing = levels, False
    if typed is not None and not error:
        try:
            clean = rulebook.clean_levels(typed)
            preview_levels = [rulebook.Level(lv["role"], lv["after_s"], tuple(lv["channels"])) for lv in clean]
            previewing = True
        except KernelError as refused:
            error = str(refused.message)
    rows = typed if typed is not None else shown
    return {
        "places": places, "place": place, "chain": chain, "error": error, "previewing": previewing,
        "rows": [{"n": i, **(rows[i] if i < len(rows) else {"role": "", "after_s": "", "channels": []})}
                 for i in range(rulebook.MAX_LEVELS)],
        "roles": [(r, rulebook.role_label(r)) for r in rulebook.ESCALATION_ROLES],
        "channels": [(c, Channel(c).label) for c in rulebook.CHANNELS],
        "preview": _preview(place, preview_levels),
        "history": restrict(EscalationChain.objects.all(), request.user, MANAGE).select_related(
            "place", "changed_by").order_by("-changed_at", "-pk")[:30],
    }


def _place_id(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None


@staff_view(MANAGE)
def escalation_page(request: HttpRequest) -> HttpResponse:
    """The chain where a place's people live; with typed levels in the query ("Preview"), who they
    would tell, nothing saved."""
    typed = _typed_levels(request.GET) if "preview" in request.GET else None
    return render(request, "homesafety/escalation.html",
                  _chain_context(request, _place_id(request.GET.get("place", "")), typed))


@staff_view(MANAGE)
@require_POST
def escalation_save(request: StaffRequest) -> HttpResponse:
    place_id = _place_id(request.POST.get("place", ""))
    typed = _typed_levels(request.POST)
    try:
        chain = rulebook.do_set_chain(place_id, typed, acting_user=request.user)
    except KernelError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, str(error.message))
        return render(request, "homesafety/escalation.html",
                      _chain_context(request, place_id, typed, error=str(error.message)), status=400)
    messages.success(request, _("Saved as version %(v)s: alarms raised from now on follow it.") % {"v": chain.version}
                     if chain else _("Nothing changed."))
    return redirect(f"{reverse('homesafety:escalation')}?{urlencode({'place': place_id or ''})}")
