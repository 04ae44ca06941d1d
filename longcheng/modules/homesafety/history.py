"""Closed alarms: found again by kind, severity, community, person, device, operator, outcome and
the days raised; paged (the pager keeps the filters), exported to XLSX through the kernel's
exports, and one alarm's whole timeline on a printable page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from longcheng.kernel import exports
from longcheng.kernel.access.scope import access_object, path_q, restrict, scope_paths
from longcheng.kernel.audit.actions import record
from longcheng.kernel.places.models import Level, Place
from longcheng.kernel.web.decorators import staff_view

from .models import Alarm, AlarmKind, Outcome, Severity

VIEW = "homesafety.view"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 20_000


class HistoryForm(forms.Form):
    q = forms.CharField(required=False, max_length=50, label=pgettext_lazy("homesafety", "Person"))
    kind = forms.ChoiceField(required=False, choices=[("", "—"), *AlarmKind.choices], label=gettext_lazy("Kind"))
    severity = forms.TypedChoiceField(required=False, coerce=int, empty_value=None,
                                      choices=[("", "—"), *Severity.choices], label=gettext_lazy("Severity"))
    community = forms.TypedChoiceField(required=False, coerce=int, empty_value=None,
                                       label=pgettext_lazy("homesafety", "Community"))
    device = forms.CharField(required=False, max_length=40, label=gettext_lazy("Device serial"))
    operator = forms.CharField(required=False, max_length=50, label=pgettext_lazy("homesafety", "Operator"))
    outcome = forms.ChoiceField(required=False, choices=[("", "—"), *Outcome.choices],
                                label=pgettext_lazy("alarm", "Outcome"))
    since = forms.DateField(required=False, label=gettext_lazy("Raised from"))
    until = forms.DateField(required=False, label=gettext_lazy("Raised until"))

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        places = Place.objects.filter(path_q("path", scope_paths(user, VIEW)), level=Level.COMMUNITY).order_by("name")
        self.places = {p.pk: p for p in places}
        self.fields["community"].choices = [("", "—"), *((p.pk, p.name) for p in places)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date must not be before the start date."))
        return data

    def apply(self, qs: Any) -> Any:
        d = self.cleaned_data
        exact = {name: d[name] for name in ("kind", "severity", "outcome") if d.get(name) not in (None, "")}
        qs = qs.filter(**exact)
        if d.get("community"):
            qs = qs.filter(enrollee__person__place__path__startswith=self.places[d["community"]].path)
        if d.get("q"):
            qs = qs.filter(Q(enrollee__person__name__icontains=d["q"]) | Q(enrollee__person__resident_id=d["q"]))
        if d.get("device"):
            qs = qs.filter(device__serial__icontains=d["device"])
        if d.get("operator"):
            who = d["operator"]
            qs = qs.filter(Q(resolved_by__username__icontains=who) | Q(resolved_by__display_name__icontains=who)
                           | Q(acknowledged_by__username__icontains=who)
                           | Q(acknowledged_by__display_name__icontains=who))
        tz = timezone.get_current_timezone()
        if d.get("since"):
            qs = qs.filter(raised_at__gte=dt.datetime.combine(d["since"], dt.time(), tzinfo=tz))
        if d.get("until"):
            qs = qs.filter(raised_at__lt=dt.datetime.combine(d["until"] + dt.timedelta(days=1), dt.time(), tzinfo=tz))
        return qs


def _closed(user: Any) -> Any:
    return (restrict(Alarm.objects.filter(is_open=False), user, VIEW)
            .select_related("enrollee__person__place", "device", "acknowledged_by", "resolved_by", "dispatched_to")
            .order_by("-raised_at", "-pk"))


def _filtered(request: HttpRequest) -> tuple[HistoryForm, Any]:
    form = HistoryForm(request.GET, user=request.user)
    qs = _closed(request.user)
    return form, (form.apply(qs) if form.is_valid() else qs.none())


@staff_view(VIEW)
def history(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "homesafety/history.html", {"form": form, "page": page, "query": query.urlencode()},
                  status=400 if form.errors else 200)


COLUMNS = [
    gettext_lazy("Raised at"), gettext_lazy("Kind"), gettext_lazy("Severity"), pgettext_lazy("homesafety", "Person"),
    pgettext_lazy("homesafety", "Community"), gettext_lazy("Device serial"), gettext_lazy("Acknowledged at"),
    gettext_lazy("Acknowledged by"), gettext_lazy("Dispatched to"), gettext_lazy("Arrived at"),
    gettext_lazy("Resolved at"), gettext_lazy("Resolved by"), pgettext_lazy("alarm", "Outcome"),
    gettext_lazy("Why it was false"), gettext_lazy("Notes"),
]


def _row(a: Alarm) -> list[Any]:
    return [a.raised_at, a.get_kind_display(), a.get_severity_display(), a.enrollee.person.name,
            a.enrollee.person.place.name if a.enrollee.person.place else "", a.device.serial, a.acknowledged_at,
            str(a.acknowledged_by or ""), str(a.dispatched_to or ""), a.arrived_at, a.resolved_at,
            str(a.resolved_by or ""), a.get_outcome_display(), a.get_false_alarm_reason_display(), a.notes]


@staff_view(VIEW)
def history_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered closed alarms as a spreadsheet (at most EXPORT_LIMIT rows), the export audited."""
    form, qs = _filtered(request)
    if form.errors:
        return history(request)
    book = exports.workbook()
    sheet = book.active
    sheet.title = _("Closed alarms")[:31]
    exports.append(sheet, [str(c) for c in COLUMNS])
    rows = 0
    for alarm in qs[:EXPORT_LIMIT]:
        exports.append(sheet, _row(alarm))
        rows += 1
    data = exports.xlsx_bytes(book)
    filters = {k: str(v) for k, v in form.cleaned_data.items() if v not in (None, "")}
    with transaction.atomic():
        anchor = qs.first()
        if anchor is not None:
            record(request.user, "homesafety.alarm.export", anchor, after={"rows": rows, "filters": filters})
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="alarms-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@staff_view(VIEW)
def alarm_print(request: HttpRequest, pk: int) -> HttpResponse:
    """One alarm start to end on paper: who, where, every step with time and actor, the comments,
    the notes and the outcome."""
    alarm = access_object(Alarm, request.user, pk, VIEW, queryset=Alarm.objects.select_related(
        "enrollee__person__place", "device", "acknowledged_by", "resolved_by", "dispatched_to", "assignee"))
    return render(request, "homesafety/alarm_print.html", {
        "alarm": alarm, "person": alarm.enrollee.person, "events": alarm.events.select_related("actor"),
        "comments": alarm.comments.select_related("author"), "printed_at": timezone.now(),
    })
