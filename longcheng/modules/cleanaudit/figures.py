"""The park roll-up and the figures a round's page shows, computed from the records in the user's scope:
firms per stage, overdue rounds, options by cost class with their savings, and the park's intensities per
10,000 yuan of value added before and after (sums of the firms' own figures, then divided)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel import exports
from longcheng.kernel.ledger.money import format_fen, yuan
from longcheng.kernel.registry import Chart, Figure

from . import access, rules
from .models import AuditRound, Benchmark, Consultancy, Figures, Option, Review, StageRecord
from .stages import COST_CLASSES, CYCLE_YEARS, STATUSES

DISCOUNT_RATE = Decimal("0.08")  # the rate an option's NPV is shown at
FLOW_FIELDS = {"energy": "energy_tce", "water": "water_m3", "materials": "materials_t", "co2": "co2_t"}
ZERO = Decimal(0)


@dataclass
class Rollup:
    rounds: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    savings_fen: int = 0  # yearly savings of the options implemented, in fen
    energy_saved_tce: Decimal = ZERO
    water_saved_m3: Decimal = ZERO
    firms_compared: int = 0  # firms with figures before and after
    before: dict[str, Decimal | None] = field(default_factory=dict)  # per 10,000 yuan of value added
    after: dict[str, Decimal | None] = field(default_factory=dict)

    @property
    def accepted(self) -> int:
        return self.by_status.get("accepted", 0)


def overdue_q(today: dt.date) -> Q:
    """A round past a deadline: the registration (备案) not filed by its day, an open stage past its due
    day, or the bureau's review past its own. One condition, so it can filter or count in one query. The
    late stages are one uncorrelated subquery over the open stage rows (partial index
    cleanaudit_stage_open_due), looked up by hash, not an EXISTS probed for every open round."""
    late_stages = StageRecord.objects.filter(closed_at__isnull=True, due_on__lt=today).values("round_id")
    # A finished round (accepted or failed) has no open stage and no review due: the status test comes first.
    return ~Q(status__in=("accepted", "failed")) & (
        Q(registered_on__isnull=True, registration_due__lt=today)
        | Q(status__in=("assessment", "assessed"), review_due__lt=today) | Q(pk__in=late_stages))


def overdue_rounds(rounds: QuerySet[AuditRound], today: dt.date) -> QuerySet[AuditRound]:
    """Rounds past a deadline (overdue_q)."""
    return rounds.filter(overdue_q(today))


def _park_intensities(scope: QuerySet[AuditRound, Any]) -> tuple[int, dict[str, dict[str, Decimal | None]]]:
    """The park's intensities per 10,000 yuan before and after: the firms with both periods, their flows
    summed and divided by their summed value added; one query (the other period by an EXISTS on the
    (round, period) key)."""
    other = Figures.objects.filter(round=OuterRef("round"), period__in=("before", "after")).exclude(
        period=OuterRef("period"))
    sums = {row["period"]: row for row in Figures.objects.filter(round__in=scope).filter(Exists(other)).order_by()
            .values("period").annotate(firms=Count("round"), value_added=Sum("value_added_fen"),
                                       **{flow: Sum(name) for flow, name in FLOW_FIELDS.items()})}
    out: dict[str, dict[str, Decimal | None]] = {}
    for period in ("before", "after"):
        row = sums.get(period)
        if row is None:
            out[period] = {}
            continue
        computed = rules.intensities({f: row[f] or ZERO for f in FLOW_FIELDS}, output=ZERO,
                                     value_added_fen=int(row["value_added"] or 0))
        out[period] = {k: v for k, v in computed.items() if k.endswith("_per_wan")}
    return (sums["before"]["firms"] if "before" in sums else 0), out


def rollup(user: Any, *, year: int | None = None, today: dt.date | None = None) -> Rollup:
    """The park roll-up in three aggregate queries, each over the user's scope once: rounds per status
    with the overdue counted alongside (an EXISTS per round, no join and DISTINCT), the options per cost
    class with the implemented ones' savings alongside, and the park's intensities."""
    rounds = access.rounds_for(user).order_by()
    if year is not None:
        rounds = rounds.filter(year=year)
    day = today or timezone.localdate()
    result = Rollup()
    for row in rounds.values("status").annotate(n=Count("pk"), late=Count("pk", filter=overdue_q(day))):
        result.by_status[row["status"]] = row["n"]
        result.overdue += row["late"]
    result.rounds = sum(result.by_status.values())
    scope = rounds.values("pk")
    done = Q(status="implemented")
    for row in Option.objects.filter(round__in=scope).order_by().values("cost_class").annotate(
            n=Count("pk"), investment=Sum("investment_fen"), implemented=Count("pk", filter=done),
            saving=Sum("yearly_saving_fen", filter=done), energy=Sum("energy_saved_tce", filter=done),
            water=Sum("water_saved_m3", filter=done)):
        result.options[row["cost_class"]] = row
        result.savings_fen += int(row["saving"] or 0)
        result.energy_saved_tce += row["energy"] or ZERO
        result.water_saved_m3 += row["water"] or ZERO
    result.firms_compared, park = _park_intensities(scope)
    result.before, result.after = park.get("before", {}), park.get("after", {})
    return result


def stage_chart(result: Rollup) -> Chart:
    labels = [str(label) for code, label in STATUSES.items()]
    counts = [float(result.by_status.get(code, 0)) for code in STATUSES]
    return Chart(pgettext("cleanaudit", "Firms per stage"), "hbar", labels,
                 {pgettext("cleanaudit", "Firms"): counts})


def intensity_chart(result: Rollup) -> Chart:
    keys = [f"{flow}_per_wan" for flow in FLOW_FIELDS]
    labels = [str(rules.INDICATORS[k]) for k in keys]
    return Chart(pgettext("cleanaudit", "The park's intensities per 10,000 yuan of value added"), "bar", labels, {
        pgettext("cleanaudit", "Before"): [float(result.before.get(k) or 0) for k in keys],
        pgettext("cleanaudit", "After"): [float(result.after.get(k) or 0) for k in keys]})


def panel_figures(user: Any) -> list[Figure]:
    result = rollup(user)
    return [
        Figure(pgettext("cleanaudit", "Firms accepted (验收合格)"), result.accepted),
        Figure(pgettext("cleanaudit", "Rounds in progress"), result.rounds - result.accepted
               - result.by_status.get("failed", 0)),
        Figure(pgettext("cleanaudit", "Overdue"), result.overdue),
        Figure(pgettext("cleanaudit", "Yearly savings of options implemented"), format_fen(result.savings_fen)),
    ]


def panel_charts(user: Any) -> list[Chart]:
    return [intensity_chart(rollup(user))]


def cost_rows(result: Rollup) -> list[tuple[str, int, int, int]]:
    """Per cost class: options, implemented, investment in fen."""
    return [(str(label), result.options.get(code, {}).get("n", 0), result.options.get(code, {}).get("implemented", 0),
             int(result.options.get(code, {}).get("investment") or 0)) for code, label in COST_CLASSES.items()]


@dataclass(frozen=True)
class ConsultancyRecord:
    name: str
    qualified: bool
    rounds: int
    reviewed: int  # reviews of its rounds
    passed: int
    veto_hits: int

    @property
    def pass_rate(self) -> int | None:
        return round(100 * self.passed / self.reviewed) if self.reviewed else None


def consultancy_records(user: Any) -> list[ConsultancyRecord]:
    """The roster with each consultancy's record on the rounds in the user's scope: pass rate of its
    reviews and veto items hit."""
    rounds = access.rounds_for(user).filter(consultancy__isnull=False)
    engaged = dict(rounds.order_by().values("consultancy").annotate(n=Count("pk")).values_list("consultancy", "n"))
    reviews: dict[int, list[int]] = {}
    for consultancy, passed, vetoes in Review.objects.filter(round__in=rounds).values_list(
            "round__consultancy", "passed", "vetoes"):
        row = reviews.setdefault(consultancy, [0, 0, 0])
        row[0], row[1], row[2] = row[0] + 1, row[1] + int(passed), row[2] + len(vetoes or [])
    return [ConsultancyRecord(c.org.name, c.qualified, engaged.get(c.pk, 0), *reviews.get(c.pk, [0, 0, 0]))
            for c in Consultancy.objects.select_related("org").order_by("org__name")[:200]]


def rollup_xlsx(user: Any, result: Rollup, year: int | None) -> bytes:
    """The roll-up and the rounds in scope as a workbook, through kernel.exports (a firm name that looks
    like a formula stays text)."""
    book = exports.workbook()
    sheet = book.active
    sheet.title = pgettext("cleanaudit", "Park roll-up")
    for label, value in ((pgettext("cleanaudit", "Rounds"), result.rounds),
                         (pgettext("cleanaudit", "Firms accepted (验收合格)"), result.accepted),
                         (pgettext("cleanaudit", "Overdue"), result.overdue),
                         (pgettext("cleanaudit", "Yearly savings of options implemented (yuan)"), float(yuan(result.savings_fen))),
                         (pgettext("cleanaudit", "Energy saved"), float(result.energy_saved_tce)),
                         (pgettext("cleanaudit", "Water saved"), float(result.water_saved_m3))):
        sheet.append([label, value])
    for code, status_label in STATUSES.items():
        sheet.append([str(status_label), result.by_status.get(code, 0)])
    for key in (f"{flow}_per_wan" for flow in FLOW_FIELDS):
        before, after = result.before.get(key), result.after.get(key)
        sheet.append([str(rules.INDICATORS[key]), float(before) if before is not None else None,
                      float(after) if after is not None else None])
    rows = book.create_sheet(pgettext("cleanaudit", "Rounds"))
    rows.append([pgettext("cleanaudit", "Firm"), pgettext("cleanaudit", "Year"), pgettext("cleanaudit", "Industry"),
                 pgettext("cleanaudit", "Mode"), pgettext("cleanaudit", "Stage"), pgettext("cleanaudit", "Grade")])
    rounds = access.rounds_for(user)
    if year is not None:
        rounds = rounds.filter(year=year)
    for audit in rounds.order_by("-year", "firm__name", "pk")[:20_000]:
        rows.append([audit.firm.name, audit.year, audit.get_industry_display(), audit.get_mode_display(),
                     audit.status_label, audit.grade])
    return exports.xlsx_bytes(book)


def benchmarks(industry: str, on: dt.date | None = None) -> dict[str, tuple[tuple[Decimal, Decimal, Decimal], bool]]:
    """The industry's indicator levels in force on `on` (today if not given): of each indicator, the version
    with the latest `effective_from` not after that day."""
    day = on or timezone.localdate()
    rows: dict[str, list[Benchmark]] = {}
    for row in Benchmark.objects.filter(industry=industry, effective_from__lte=day).order_by("indicator", "version"):
        rows.setdefault(row.indicator, []).append(row)
    out: dict[str, tuple[tuple[Decimal, Decimal, Decimal], bool]] = {}
    for indicator, versions in rows.items():
        chosen = rules.in_force([(r.effective_from, r.version) for r in versions], day)
        row = next(r for r in versions if (r.effective_from, r.version) == chosen)
        out[indicator] = ((row.level_1, row.level_2, row.level_3), row.restrictive)
    return out


def grading_day(audit: AuditRound, today: dt.date | None = None) -> dt.date:
    """The day a round is graded on: its assessment (评估), or the review that failed it, or today while it
    is open. A version of the levels set later does not regrade a finished round."""
    if audit.assessed_on is not None:
        return audit.assessed_on
    last = audit.reviews.order_by("-at").values_list("at", flat=True).first()
    if last is not None:
        return timezone.localdate(last)
    return today or timezone.localdate()


LEVELS = {1: "I", 2: "II", 3: "III"}


def industry_levels(audit: AuditRound, computed: dict[str, dict[str, Decimal | None]],
                    today: dt.date | None = None) -> dict[str, str]:
    """The firm's level (I/II/III, or '—' below III or without benchmarks) before and after, against the
    levels in force on the round's grading day."""
    marks = benchmarks(audit.industry, grading_day(audit, today))
    out = {}
    for period in ("before", "after"):
        level = rules.industry_level(computed[period], marks) if marks and period in computed else None
        out[period] = LEVELS.get(level, "—") if level else "—"
    return out


@dataclass(frozen=True)
class DueAgain:
    """A firm whose last accepted round makes it due on `year`'s list again (repeat cycles)."""

    firm_id: int
    firm: str
    industry: str
    last_year: int
    due_year: int
    trigger: str = ""  # the last round's codes, to list the firm again the same way
    industry_code: str = ""
    mode: str = ""
    consultancy_id: int | None = None


def due_again(user: Any, year: int) -> list[DueAgain]:
    """Firms in scope accepted before, due again by `year` by their industry's cycle (2/3/5 years), and not
    on a list since their last acceptance. Their earlier rounds stay as they were: a new round is a new row."""
    rounds = access.rounds_for(user).order_by()
    latest = dict(rounds.values("firm").annotate(y=Max("year")).values_list("firm", "y"))
    out = []
    shortest = min(CYCLE_YEARS.values())
    for audit in rounds.filter(status="accepted", year__lte=year - shortest).select_related("firm").order_by("-year"):
        if latest.get(audit.firm_id) != audit.year:
            continue  # listed again since
        due = rules.next_audit_year(industry=audit.industry, trigger=audit.trigger, accepted_year=audit.year)
        if due is not None and due <= year:
            out.append(DueAgain(audit.firm_id, audit.firm.name, audit.get_industry_display(), audit.year, due,
                                audit.trigger, audit.industry, audit.mode, audit.consultancy_id))
    return sorted(out, key=lambda d: (d.due_year, d.firm))[:500]


def history(user: Any, audit: AuditRound) -> list[AuditRound]:
    """The firm's other rounds the user may see, latest first: a firm audited again keeps its earlier ones."""
    mine = access.party_rounds(user) if access.side_of(user, audit) == "firm" else access.rounds_for(user)
    return list(mine.filter(firm_id=audit.firm_id).exclude(pk=audit.pk).order_by("-year")[:20])
