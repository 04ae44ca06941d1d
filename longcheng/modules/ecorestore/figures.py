"""The dashboard panel's figures and charts, scoped to the viewer (the procuratorate's places)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import pgettext

from longcheng.kernel.access.scope import restrict
from longcheng.kernel.ledger.money import format_fen
from longcheng.kernel.registry import Chart, Figure

from .models import Case, Obligation, ObligationState, Source, Stage
from .spec import VIEW


def panel_figures(user: Any) -> list[Figure]:
    cases = restrict(Case.objects.all(), user, VIEW)
    obligations = restrict(Obligation.objects.all(), user, VIEW)
    states = dict(obligations.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    totals = obligations.aggregate(hours=Sum("hours_credited"), offset=Sum("amount_offset_fen"),
                                   reverted=Sum("reverted_fen"))
    url = reverse("ecorestore:cases")
    return [
        Figure(pgettext("ecorestore", "Damage cases"), cases.count(), url=url),
        Figure(pgettext("ecorestore", "Obligations completed"), states.get(ObligationState.COMPLETE, 0)),
        Figure(pgettext("ecorestore", "Obligations breached"), states.get(ObligationState.BREACHED, 0)),
        Figure(pgettext("ecorestore", "Labour hours credited"), totals["hours"] or 0, pgettext("ecorestore", "hours")),
        Figure(pgettext("ecorestore", "Amount converted to labour"), format_fen(totals["offset"] or 0)),
        Figure(pgettext("ecorestore", "Reverted to money on breach"), format_fen(totals["reverted"] or 0)),
    ]


def panel_charts(user: Any) -> list[Chart]:
    cases = restrict(Case.objects.all(), user, VIEW)
    by_stage = dict(cases.values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    by_source = dict(cases.values_list("source").annotate(n=Count("pk")).values_list("source", "n"))
    return [
        Chart(pgettext("ecorestore", "Cases by stage"), "bar", [str(s.label) for s in Stage],
              {pgettext("ecorestore", "Cases"): [float(by_stage.get(s.value, 0)) for s in Stage]}),
        Chart(pgettext("ecorestore", "Cases by source"), "bar", [str(s.label) for s in Source],
              {pgettext("ecorestore", "Cases"): [float(by_source.get(s.value, 0)) for s in Source]}),
    ]
