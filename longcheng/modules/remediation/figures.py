"""Totals computed from the records, never typed in: a case's stage on any date is the last StatusChange
before it, so "how many were closed on 2024-06-30" and the land and pollutants behind them are sums of
rows. Everything is scoped to the viewer (restrict)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.scope import restrict
from longcheng.kernel.registry import Chart, Figure

from .access import cases_for
from .campaigns import CLOSED, FINISHED, POLLUTANTS, REMEDIES, STAGES
from .models import Case, Island, Manifest, Milestone, PollutantFigure, StatusChange
from .spec import VIEW


@dataclass
class Totals:
    as_of: dt.datetime
    by_stage: dict[str, int] = field(default_factory=dict)
    closed_by_remedy: dict[str, int] = field(default_factory=dict)
    mu: Decimal = Decimal(0)
    cut_kg: dict[str, int] = field(default_factory=dict)
    islands: int = 0

    @property
    def closed(self) -> int:
        return self.by_stage.get(CLOSED, 0)

    @property
    def open(self) -> int:
        return sum(n for stage, n in self.by_stage.items() if stage not in FINISHED)

    @property
    def cut_t(self) -> Decimal:
        return Decimal(sum(self.cut_kg.values())) / 1000


def _stage_at(cases: QuerySet[Case], moment: dt.datetime) -> Any:
    """The cases annotated with `stage_then` (typed Any: django-stubs cannot follow the annotation)."""
    last = (StatusChange.objects.filter(case=OuterRef("pk"), at__lte=moment).order_by("-at", "-pk")
            .values("dst")[:1])
    return cases.annotate(stage_then=Subquery(last))


def totals(user: Any, moment: dt.datetime | None = None, *, campaign: str | None = None) -> Totals:
    """The viewer's totals as they stood at `moment` (now by default)."""
    moment = moment or timezone.now()
    cases = cases_for(user, VIEW)
    if campaign:
        cases = cases.filter(campaign=campaign)
    staged = _stage_at(cases.order_by(), moment).exclude(stage_then=None)
    result = Totals(as_of=moment)
    result.by_stage = {row["stage_then"]: row["n"] for row in
                       staged.values("stage_then").annotate(n=Count("pk")).order_by()}
    closed = staged.filter(stage_then=CLOSED)
    result.closed_by_remedy = {row["plan__remedy"]: row["n"] for row in
                               closed.values("plan__remedy").annotate(n=Count("pk")).order_by()}
    # SQLite sums decimals as floats: round back to the column's two places.
    result.mu = Decimal(closed.aggregate(mu=Sum("plan__area_mu"))["mu"] or 0).quantize(Decimal("0.01"))
    cuts = (PollutantFigure.objects.filter(plan__case__in=closed.values("pk")).values("pollutant")
            .annotate(cut=Sum(F("before_kg") - F("after_kg"))).order_by())
    result.cut_kg = {row["pollutant"]: int(row["cut"] or 0) for row in cuts}
    result.islands = islands_for(user).filter(opened_on__lte=timezone.localdate(moment)).count()
    return result


def islands_for(user: Any) -> QuerySet[Island]:
    return restrict(Island.objects.select_related("place", "operator"), user, VIEW)


def island_rows(user: Any, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Each island in scope with its current members and the volume sent in the last twelve months."""
    today = today or timezone.localdate()
    since = (today.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    islands = islands_for(user).annotate(
        current=Count("members", filter=Q(members__left_on=None), distinct=True),
        sent=Sum("members__manifests__volume_t", filter=Q(members__manifests__month__gte=since)),
    ).order_by("opened_on", "pk")
    return [{"island": i, "members": i.current, "sent_t": Decimal(i.sent or 0).quantize(Decimal("0.01"))}
            for i in islands]


def monthly_volumes(island: Island) -> list[tuple[dt.date, Decimal]]:
    rows = (Manifest.objects.filter(member__island=island).values("month").annotate(t=Sum("volume_t"))
            .order_by("month"))
    return [(row["month"], Decimal(row["t"] or 0).quantize(Decimal("0.01"))) for row in rows]


def overdue_milestones(user: Any) -> QuerySet[Milestone]:
    today = timezone.localdate()
    case_ids = cases_for(user, VIEW).exclude(status__in=FINISHED).values("pk")
    return (Milestone.objects.filter(plan__case__in=case_ids, done_at=None, due_on__lt=today)
            .select_related("plan__case__firm").order_by("due_on", "pk"))


def panel_figures(user: Any) -> list[Figure]:
    now = totals(user)
    return [
        Figure(pgettext("remediation", "Firms remediated (销号)"), now.closed),
        Figure(pgettext("remediation", "Open cases"), now.open),
        Figure(pgettext("remediation", "Land vacated or revived"), f"{now.mu:,.0f}", pgettext("remediation", "mu")),
        Figure(pgettext("remediation", "Pollutants cut"), f"{now.cut_t:,.0f}", pgettext("remediation", "t")),
        Figure(pgettext("remediation", "Green islands in service"), now.islands),
        Figure(pgettext("remediation", "Overdue milestones"), overdue_milestones(user).count()),
    ]


def panel_charts(user: Any) -> list[Chart]:
    now = totals(user)
    remedies = [code for code in REMEDIES if now.closed_by_remedy.get(code)]
    stages = [code for code in STAGES if now.by_stage.get(code)]
    return [
        Chart(pgettext("remediation", "Firms remediated by remedy"), "bar", [str(REMEDIES[c].label) for c in remedies],
              {pgettext("remediation", "Firms"): [float(now.closed_by_remedy[c]) for c in remedies]}),
        Chart(pgettext("remediation", "Cases by stage"), "pie", [str(STAGES[c]) for c in stages],
              {pgettext("remediation", "Cases"): [float(now.by_stage[c]) for c in stages]}),
    ]


def pollutant_rows(result: Totals) -> list[tuple[str, Decimal]]:
    return [(str(POLLUTANTS[c]), Decimal(kg) / 1000) for c, kg in sorted(result.cut_kg.items())]
