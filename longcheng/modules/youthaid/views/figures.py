"""The figures page: aid by town, aid type and year, with charts."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import restrict
from longcheng.kernel.places.models import Level, Place
from longcheng.kernel.registry import Chart
from longcheng.kernel.web.charts import render_chart
from longcheng.kernel.web.decorators import staff_view

from .. import actions
from ..models import (
    AidType,
    Application,
    AppStatus,
    CaseStatus,
    Payment,
    PayStatus,
    Youth,
)
from .common import VIEW

# --- figures --------------------------------------------------------------------------------------------------------


def _street_of(paths: set[str]) -> dict[str, Place | None]:
    """Each place path's street-level ancestor (the town or street), or None above street level.
    A few thousand streets at most: one query, then prefixes of each path looked up in memory."""
    streets = {p.path: p for p in Place.objects.filter(level=Level.STREET).only("pk", "name", "path", "code")}
    out: dict[str, Place | None] = {}
    for path in paths:
        parts = [c for c in (path or "").split(".") if c]
        found = None
        for i in range(1, len(parts) + 1):
            found = streets.get(".".join(parts[:i]) + ".")
            if found is not None:
                break
        out[path] = found
    return out


def _years(user: Any) -> list[int]:
    apps = restrict(Application.objects.all(), user, VIEW).order_by().values_list("year", flat=True).distinct()
    youths = (restrict(Youth.objects.all(), user, VIEW).order_by().annotate(y=ExtractYear("created_at"))
              .values_list("y", flat=True).distinct())
    return sorted({*apps, *youths}, reverse=True)


def _town_rows(youths: Any, paid: Any) -> list[dict[str, Any]]:
    """By town: group by the youth's place, then roll places up to their street."""
    by_place = list(youths.order_by().values("person__place__path").annotate(
        n=Count("pk"), active=Count("pk", filter=Q(status=CaseStatus.ACTIVE))))
    paid_by_place = list(paid.order_by().values("youth__person__place__path").annotate(
        aided=Count("youth", distinct=True), fen=Sum("amount_fen")))
    streets = _street_of({r["person__place__path"] or "" for r in by_place}
                         | {r["youth__person__place__path"] or "" for r in paid_by_place})
    towns: dict[Any, dict[str, Any]] = {}

    def town(path: str | None) -> dict[str, Any]:
        street = streets.get(path or "")
        key = street.path if street else ""
        if key not in towns:
            towns[key] = {"name": street.name if street else _("Not in a town"), "youths": 0, "active": 0,
                          "aided": 0, "fen": 0}
        return towns[key]

    for r in by_place:
        row = town(r["person__place__path"])
        row["youths"] += r["n"]
        row["active"] += r["active"]
    for r in paid_by_place:
        row = town(r["youth__person__place__path"])
        row["aided"] += r["aided"]
        row["fen"] += r["fen"] or 0
    return sorted(towns.values(), key=lambda t: (t["name"] == _("Not in a town"), -t["fen"], t["name"]))


def figure_tables(user: Any, year: int | None) -> dict[str, Any]:
    """The report's tables, each from grouped queries over the user's scope. With a year: the aid of
    that aid year, and the cases opened that year."""
    youths = restrict(Youth.objects.all(), user, VIEW)
    if year:
        youths = youths.filter(created_at__year=year)
    paid = restrict(Payment.objects.filter(status=PayStatus.PAID), user, VIEW)
    apps = restrict(Application.objects.all(), user, VIEW)
    if year:
        paid = paid.filter(application__year=year)
        apps = apps.filter(year=year)

    town_rows = _town_rows(youths, paid)

    totals = youths.aggregate(youths=Count("pk"), active=Count("pk", filter=Q(status=CaseStatus.ACTIVE)))
    totals.update(paid.aggregate(aided=Count("youth", distinct=True), fen=Sum("amount_fen")))
    totals["fen"] = totals["fen"] or 0

    # By aid type.
    type_apps = {r["aid_type"]: r for r in apps.order_by().values("aid_type").annotate(
        n=Count("pk"), approved=Count("pk", filter=Q(status__in=[AppStatus.APPROVED, AppStatus.PAID])),
        reaid=Count("pk", filter=Q(is_reaid=True)))}
    type_paid = {r["aid_type"]: r for r in paid.order_by().values("aid_type").annotate(
        aided=Count("youth", distinct=True), fen=Sum("amount_fen"))}
    type_rows = [{"type": kind, "applications": type_apps.get(kind.pk, {}).get("n", 0),
                  "approved": type_apps.get(kind.pk, {}).get("approved", 0),
                  "reaid": type_apps.get(kind.pk, {}).get("reaid", 0),
                  "aided": type_paid.get(kind.pk, {}).get("aided", 0),
                  "fen": type_paid.get(kind.pk, {}).get("fen") or 0} for kind in AidType.objects.all()]

    # By year: cases opened that year, and aid of that aid year.
    year_youths = {r["y"]: r for r in youths.order_by().annotate(y=ExtractYear("created_at")).values("y").annotate(
        n=Count("pk"), active=Count("pk", filter=Q(status=CaseStatus.ACTIVE)))}
    year_apps = {r["year"]: r["n"] for r in apps.order_by().values("year").annotate(n=Count("pk"))}
    year_paid = {r["application__year"]: r for r in paid.order_by().values("application__year").annotate(
        aided=Count("youth", distinct=True), fen=Sum("amount_fen"))}
    type_year = list(paid.order_by().values("application__year", "aid_type").annotate(fen=Sum("amount_fen")))
    years = sorted({*year_youths, *year_apps, *year_paid} - {None})
    year_rows = [{"year": y, "youths": year_youths.get(y, {}).get("n", 0),
                  "active": year_youths.get(y, {}).get("active", 0), "applications": year_apps.get(y, 0),
                  "aided": year_paid.get(y, {}).get("aided", 0), "fen": year_paid.get(y, {}).get("fen") or 0}
                 for y in years]
    return {"towns": town_rows, "totals": totals, "types": type_rows, "years": year_rows, "type_year": type_year}


def figure_charts(tables: dict[str, Any]) -> list[Chart]:
    charts: list[Chart] = []
    towns = [t for t in tables["towns"] if t["fen"]]
    if towns:
        charts.append(Chart(_("Aid paid by town (yuan)"), "bar", [t["name"] for t in towns],
                            {_("yuan"): [t["fen"] / 100 for t in towns]}))
    years = [r["year"] for r in tables["years"] if r["fen"]]
    if years:
        series: dict[str, list[float]] = {}
        for row in tables["types"]:
            kind = row["type"]
            values = [sum(x["fen"] or 0 for x in tables["type_year"]
                          if x["aid_type"] == kind.pk and x["application__year"] == y) / 100 for y in years]
            if any(values):
                series[str(kind)] = values
        charts.append(Chart(_("Aid paid by aid type and year (yuan)"), "bar", [str(y) for y in years], series))
    return charts


@staff_view(VIEW)
def figures(request: StaffRequest) -> HttpResponse:
    user = request.user
    years = _years(user)
    chosen = request.GET.get("year", "")
    year = int(chosen) if chosen.isdigit() and int(chosen) in years else None
    tables = figure_tables(user, year)
    return render(request, "youthaid/figures.html", {
        **tables, "year": year, "year_choices": years,
        "charts": [render_chart(c) for c in figure_charts(tables)],
        "reaided": actions.reaided_count(restrict(Youth.objects.all(), user, VIEW)),
    })
