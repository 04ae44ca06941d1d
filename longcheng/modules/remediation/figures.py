"""Totals computed from the records, never typed in: a case's stage on any date is the last StatusChange
before it, so "how many were closed on 2024-06-30" and the land and pollutants behind them are sums of
rows. Everything is scoped to the viewer (restrict)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel import exports
from longcheng.kernel.access.scope import restrict
from longcheng.kernel.places.models import PATH_SEPARATOR, Level, Place
from longcheng.kernel.registry import Chart, Figure

from . import tally
from .access import cases_for
from .campaigns import CLOSED, DISMISSED, FINISHED, POLLUTANTS, REMEDIES, STAGES
from .conf import warning
from .history import valid_at
from .models import Case, Island, Manifest, Milestone, PollutantFigure, StatusChange
from .spec import VIEW


@dataclass
class StreetRow:
    """One street or town's cases at the moment of the totals, and whether it is flagged (通报预警)."""

    place: Place
    closed: int = 0
    open: int = 0
    overdue: int = 0
    warned: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def targets(self) -> int:
        return self.closed + self.open

    @property
    def rate(self) -> float:
        return self.closed / self.targets if self.targets else 0.0

    @property
    def percent(self) -> int:
        return round(self.rate * 100)


@dataclass
class Totals:
    as_of: dt.datetime
    by_stage: dict[str, int] = field(default_factory=dict)
    closed_by_remedy: dict[str, int] = field(default_factory=dict)
    mu: Decimal = Decimal(0)
    cut_kg: dict[str, int] = field(default_factory=dict)
    islands: int = 0
    streets: list[StreetRow] = field(default_factory=list)
    overdue: int = 0  # milestones overdue then, of the cases open then, wherever they lie

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
    """The cases that had a stage at `moment`, annotated with it as `stage_then` (typed Any: django-stubs
    cannot follow the annotation): joined to their one change valid then (history.valid_at), one indexed
    range condition per row."""
    return cases.filter(valid_at(moment, "changes__")).annotate(stage_then=F("changes__dst"))


def stage_at_by_subquery(cases: QuerySet[Case], moment: dt.datetime) -> Any:
    """The same by the last change up to `moment` per case, a correlated subquery that ignores `until`: the
    plain ORM way, kept as the benchmark's same-run baseline and the tests' reference."""
    last = (StatusChange.objects.filter(case=OuterRef("pk"), at__lte=moment).order_by("-at", "-pk")
            .values("dst")[:1])
    return cases.annotate(stage_then=Subquery(last)).exclude(stage_then=None)


def totals(user: Any, moment: dt.datetime | None = None, *, campaign: str | None = None,
           staging: Any = None) -> Totals:
    """The viewer's totals as they stood at `moment` (now by default), computed from the history; `staging`
    is how each case's stage then is found (_stage_at; stage_at_by_subquery for the baseline)."""
    moment = moment or timezone.now()
    staged = (staging or _stage_at)(_cases(user, campaign), moment)
    # One grouped query gives the stages, the closed by remedy, the land and the streets' counts.
    groups = list(staged.values("place__path", "stage_then", "plan__remedy")
                  .annotate(n=Count("pk"), mu=Sum("plan__area_mu")).order_by())
    closed = staged.filter(stage_then=CLOSED)
    cuts = (PollutantFigure.objects.filter(plan__case__in=closed.values("pk")).values("pollutant")
            .annotate(cut=Sum(F("before_kg") - F("after_kg"))).order_by())
    cut_kg = {row["pollutant"]: int(row["cut"] or 0) for row in cuts}
    still_open = staged.exclude(stage_then__in=FINISHED).values("pk")
    return _assemble(user, moment, groups, cut_kg, Milestone.objects.filter(plan__case__in=still_open))


def snapshot_totals(user: Any, *, campaign: str | None = None) -> Totals:
    """The viewer's totals now, read from the snapshot (tally.py: a few rows per place and campaign) instead
    of every case and its history; computed live (totals) until the snapshot is first built."""
    if not tally.built():
        return totals(user, campaign=campaign)
    # The open cases' milestones, found from the milestones (partial index on the ones not done), not
    # from a list of every open case in scope.
    milestones = restrict(Milestone.objects.all(), user, VIEW).exclude(plan__case__status__in=FINISHED)
    if campaign:
        milestones = milestones.filter(plan__case__campaign=campaign)
    return _assemble(user, timezone.now(), tally.groups(user, campaign), tally.cuts(user, campaign), milestones)


def _cases(user: Any, campaign: str | None) -> QuerySet[Case]:
    cases = cases_for(user, VIEW).order_by()
    return cases.filter(campaign=campaign) if campaign else cases


def _assemble(user: Any, moment: dt.datetime, groups: list[dict[str, Any]], cut_kg: dict[str, int],
              milestones: QuerySet[Milestone]) -> Totals:
    """Totals from the grouped rows (place path, stage, remedy, cases, land), the pollutants cut and the
    milestones of the cases still open then (for the streets' overdue milestones)."""
    result = Totals(as_of=moment, cut_kg=cut_kg)
    mu = Decimal(0)
    for row in groups:
        result.by_stage[row["stage_then"]] = result.by_stage.get(row["stage_then"], 0) + row["n"]
        if row["stage_then"] == CLOSED:
            remedy = row["plan__remedy"]
            result.closed_by_remedy[remedy] = result.closed_by_remedy.get(remedy, 0) + row["n"]
            # SQLite sums decimals as floats: each group rounded back to the column's two places.
            mu += Decimal(str(round(float(row["mu"] or 0), 2)))
    result.mu = mu.quantize(Decimal("0.01"))
    result.islands = islands_for(user).filter(opened_on__lte=timezone.localdate(moment)).count()
    result.streets, result.overdue = _streets(groups, milestones, moment)
    return result


def _street_paths() -> dict[str, Place]:
    return {p.path: p for p in Place.objects.filter(level=Level.STREET)}


def _street_of(path: str, streets: dict[str, Place]) -> str | None:
    """The path of the street or town a place lies in (its own, for a street), or None above street level."""
    prefix = ""
    for code in path.split(PATH_SEPARATOR)[:-1]:
        prefix += code + PATH_SEPARATOR
        if prefix in streets:
            return prefix
    return None


def _streets(groups: list[dict[str, Any]], milestones: QuerySet[Milestone],
             moment: dt.datetime) -> tuple[list[StreetRow], int]:
    """Each street's closed and open cases (from the totals' grouped rows) and its overdue milestones then
    (among `milestones`: those of the cases still open then), rolled up from places to streets in Python: a city has about a hundred
    streets and thousands of places. A street is flagged when it has overdue milestones or its share closed
    lags the others' (conf.warning). Also returns the overdue milestones of all the places."""
    streets = _street_paths()
    rows: dict[str, StreetRow] = {}
    for row in groups:
        street = _street_of(row["place__path"], streets)
        if street is None or row["stage_then"] == DISMISSED:
            continue
        entry = rows.setdefault(street, StreetRow(streets[street]))
        if row["stage_then"] == CLOSED:
            entry.closed += row["n"]
        else:
            entry.open += row["n"]
    day = timezone.localdate(moment)
    late = (milestones.filter(due_on__lt=day)
            .filter(Q(done_at=None) | Q(done_at__gt=moment))
            .values("plan__case__place__path").annotate(n=Count("pk")).order_by())
    overdue = 0
    for row in late:
        overdue += row["n"]
        street = _street_of(row["plan__case__place__path"], streets)
        if street in rows:
            rows[street].overdue += row["n"]
    limits = warning()
    closed, targets = sum(r.closed for r in rows.values()), sum(r.targets for r in rows.values())
    overall = closed / targets if targets else 0.0
    for entry in rows.values():
        if entry.overdue >= limits["overdue"]:
            entry.reasons.append(pgettext("remediation", "%(n)d overdue milestones") % {"n": entry.overdue})
        if entry.targets and entry.rate < overall * limits["rate_share"]:
            entry.reasons.append(pgettext("remediation", "%(rate)d%% closed against %(all)d%% overall") % {
                "rate": entry.percent, "all": round(overall * 100)})
        entry.warned = bool(entry.reasons)
    return sorted(rows.values(), key=lambda r: (not r.warned, r.rate, r.place.path)), overdue


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


# The dashboard asks a panel for its figures and then its charts, two calls with the same request.user:
# the totals are computed once and kept on that user object (loaded anew for every request) for a few
# seconds, so the page runs the totals' queries once, and a later page never sees stale figures.
_MEMO_SECONDS = 5.0


def current_totals(user: Any) -> Totals:
    memo = getattr(user, "_remediation_totals", None)
    if memo is not None and time.monotonic() - memo[0] < _MEMO_SECONDS:
        return memo[1]
    result = snapshot_totals(user)
    try:
        user._remediation_totals = (time.monotonic(), result)
    except AttributeError:  # an object that takes no attributes (AnonymousUser is never here): no memo
        pass
    return result


def panel_figures(user: Any) -> list[Figure]:
    now = current_totals(user)
    return [
        Figure(pgettext("remediation", "Firms remediated (销号)"), now.closed),
        Figure(pgettext("remediation", "Open cases"), now.open),
        Figure(pgettext("remediation", "Land vacated or revived"), f"{now.mu:,.0f}", pgettext("remediation", "mu")),
        Figure(pgettext("remediation", "Pollutants cut"), f"{now.cut_t:,.0f}", pgettext("remediation", "t")),
        Figure(pgettext("remediation", "Green islands in service"), now.islands),
        Figure(pgettext("remediation", "Overdue milestones"), now.overdue),
        Figure(pgettext("remediation", "Streets flagged (通报预警)"), sum(r.warned for r in now.streets),
               url=reverse("remediation:totals") + "#streets"),
    ]


def panel_charts(user: Any) -> list[Chart]:
    return charts_for(current_totals(user))


def charts_for(now: Totals) -> list[Chart]:
    remedies = [code for code in REMEDIES if now.closed_by_remedy.get(code)]
    stages = [code for code in STAGES if now.by_stage.get(code)]
    return [
        Chart(pgettext("remediation", "Firms remediated by remedy"), "bar", [str(REMEDIES[c].label) for c in remedies],
              {pgettext("remediation", "Firms"): [float(now.closed_by_remedy[c]) for c in remedies]}),
        Chart(pgettext("remediation", "Cases by stage"), "pie", [str(STAGES[c]) for c in stages],
              {pgettext("remediation", "Cases"): [float(now.by_stage[c]) for c in stages]}),
        *street_charts(now),
    ]


def street_charts(now: Totals) -> list[Chart]:
    """Closed and open cases by street, the flagged streets first (at most 20 bars stay readable)."""
    rows = now.streets[:20]
    if not rows:
        return []
    return [Chart(pgettext("remediation", "By street or town (flagged first)"), "hbar",
                  [("⚠ " if r.warned else "") + r.place.name for r in rows],
                  {pgettext("remediation", "Closed (销号)"): [float(r.closed) for r in rows],
                   pgettext("remediation", "Open cases"): [float(r.open) for r in rows]})]


def pollutant_rows(result: Totals) -> list[tuple[str, Decimal]]:
    return [(str(POLLUTANTS[c]), Decimal(kg) / 1000) for c, kg in sorted(result.cut_kg.items())]


def totals_xlsx(result: Totals) -> bytes:
    """The totals as a workbook (figures; by street with 通报预警), written through kernel.exports so a
    firm or street name that looks like a formula stays text."""
    book = exports.workbook()
    sheet = book.active
    sheet.title = pgettext("remediation", "Totals")
    sheet.append([pgettext("remediation", "As of"), timezone.localtime(result.as_of).strftime("%Y-%m-%d %H:%M")])
    sheet.append([pgettext("remediation", "Firms remediated (销号)"), result.closed])
    sheet.append([pgettext("remediation", "Open cases"), result.open])
    sheet.append([pgettext("remediation", "Land vacated or revived") + " (" + pgettext("remediation", "mu") + ")",
                  float(result.mu)])
    sheet.append([pgettext("remediation", "Pollutants cut") + " (" + pgettext("remediation", "t") + ")",
                  float(result.cut_t)])
    sheet.append([pgettext("remediation", "Green islands in service"), result.islands])
    for code, n in sorted(result.closed_by_remedy.items()):
        sheet.append([str(REMEDIES[code].label) if code in REMEDIES else code, n])
    for label, t in pollutant_rows(result):
        sheet.append([label, float(t)])
    streets = book.create_sheet(pgettext("remediation", "By street or town"))
    streets.append([pgettext("remediation", "Street or town"), pgettext("remediation", "Closed (销号)"),
                    pgettext("remediation", "Open cases"), pgettext("remediation", "Share closed"),
                    pgettext("remediation", "Overdue milestones"), pgettext("remediation", "Warning")])
    for row in result.streets:
        streets.append([row.place.name, row.closed, row.open, f"{row.percent}%", row.overdue, "；".join(row.reasons)])
    return exports.xlsx_bytes(book)
