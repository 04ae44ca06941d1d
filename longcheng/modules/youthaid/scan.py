"""Set-based work over the whole resident registry: the scan that puts every youth who lost a parent
on the outreach list, and the year's entitlements of every youth under monitoring.

Both run in a few queries whatever the city's size (a million residents in a few seconds on SQLite),
and apply the same pure rules (`rules.criteria`, `rules.entitlement`) as one case's screening, so a
figure from the scan and the case page never disagree.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel import bulk
from longcheng.kernel.access.models import User
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import ErrorCode, KernelError
from longcheng.kernel.people.models import RelationKind, Relationship, Resident
from longcheng.kernel.people.validators import age_on, mask_name
from longcheng.kernel.places.models import Place

from . import rules
from .actions import youth_fund
from .conf import conf
from .models import (
    COUNTING,
    AidType,
    Application,
    AppStatus,
    CaseStatus,
    Channel,
    ParentStatus,
    Report,
    Screening,
    Trigger,
    Youth,
)

PARENT_KINDS = ("father", "mother")
CHUNK = 900  # ids per IN (...) list

Log = Callable[[str], None]


def _chunks(values: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _cutoff(today: dt.date, limit: int) -> dt.date:
    """Born after this day: at most `limit` years old today (29 February counts as 28 February)."""
    year = today.year - limit - 1
    try:
        return today.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


# --- the registry scan ---------------------------------------------------------------------------------


@dataclass
class ScanResult:
    scanned: int = 0  # residents in the registry
    found: int = 0  # youths put on the outreach list by this scan
    by_outcome: dict[str, int] = field(default_factory=dict)  # pre-screening: eligible / needs_info / not_eligible
    seconds: float = 0.0
    youth_ids: list[int] = field(default_factory=list)


@dataclass
class _Candidate:
    child: int
    birth: dt.date
    deceased: int
    kind: str
    died_on: dt.date
    name: str
    other: int | None = None
    other_dead: bool = False
    other_status: str = ParentStatus.UNKNOWN
    guardian: int | None = None


def _candidates(today: dt.date, limit: int) -> dict[int, _Candidate]:
    """Alive youths up to the age limit with a parent whose death is recorded, and no case yet. Where
    both parents died, the first death is the case's deceased parent (the other is recorded as also
    deceased). Driven from the dead (a small share of the registry, read in one pass), their links
    found through the index on the links' relative, CHUNK dead at a time: written as one join,
    PostgreSQL misjudged how few of the children's parents died and probed the links of every
    youth instead (6.4 s of a 7.9 s scan at 1,000,000 residents; plans in docs/youthaid.md)."""
    dead = {pk: (died_on, name) for pk, died_on, name in
            Resident.objects.filter(died_on__isnull=False).values_list("pk", "died_on", "name") if died_on}
    found: dict[int, _Candidate] = {}
    for chunk in _chunks(sorted(dead)):
        for child, birth, parent, kind in (
                Relationship.objects.filter(relative_id__in=chunk, kind__in=PARENT_KINDS, person__died_on__isnull=True,
                                            person__birth_date__gt=_cutoff(today, limit),
                                            person__youthaid__isnull=True)
                .values_list("person_id", "person__birth_date", "relative_id", "kind")):
            died_on, name = dead[parent]
            if age_on(birth, today) > limit:
                continue
            current = found.get(child)
            if current is None or (died_on, kind) < (current.died_on, current.kind):
                found[child] = _Candidate(child, birth, parent, kind, died_on, name)
    return found


def _families(found: dict[int, _Candidate]) -> None:
    """The other parent, whether they died too or remarried, and the recorded guardian: two queries
    over the children's and the surviving parents' links (not one per child)."""
    children = list(found)
    for chunk in _chunks(children):
        for child, relative, kind, guardian, died_on in (
                Relationship.objects.filter(person_id__in=chunk)
                .filter(Q(kind__in=PARENT_KINDS) | Q(is_guardian=True))
                .values_list("person_id", "relative_id", "kind", "is_guardian", "relative__died_on")):
            c = found[child]
            if relative == c.deceased:
                continue
            if kind in PARENT_KINDS and (c.other is None or relative < c.other):
                c.other, c.other_dead = relative, died_on is not None
            if guardian and died_on is None:
                c.guardian = relative
    others = sorted({c.other for c in found.values() if c.other is not None and not c.other_dead})
    spouses: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(others):
        for person, relative in Relationship.objects.filter(person_id__in=chunk, kind=RelationKind.SPOUSE) \
                .values_list("person_id", "relative_id"):
            spouses[person].add(relative)
    for c in found.values():
        if c.other is None:
            c.other_status = ParentStatus.UNKNOWN
        elif c.other_dead:
            c.other_status = ParentStatus.DECEASED
        elif spouses.get(c.other, set()) - {c.deceased}:
            c.other_status = ParentStatus.REMARRIED  # a spouse other than the deceased
        else:
            c.other_status = ParentStatus.NOT_REMARRIED


def _actor(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _record_scan(acting_user: User | None, result: ScanResult, day: dt.date) -> None:
    """The scan's one audit row, on the fund (the module's one city-wide object)."""
    record(acting_user, "youthaid.scan", youth_fund(),
           after={"scanned": result.scanned, "found": result.found, "by_outcome": result.by_outcome,
                  "on": day.isoformat(), "seconds": round(result.seconds, 2)},
           reason=_("Registry scan for youths who lost a parent"))


def _write_cases(found: dict[int, _Candidate], day: dt.date, *, by: Any) -> tuple[list[int], Counter[str]]:
    """The cases, their registry reports and pre-screenings, written in bulk as rows (kernel.bulk:
    COPY on PostgreSQL), not model instances: (the new cases' ids, the outcomes counted)."""
    order = sorted(found)
    youth = bulk.defaults(Youth)
    ids = bulk.insert(Youth, list(youth), [list({
        **youth, "person_id": c.child, "status": CaseStatus.OUTREACH.value, "deceased_parent_id": c.deceased,
        "parent_died_on": c.died_on, "surviving_parent_id": c.other, "surviving_parent_status": c.other_status,
        "guardian_id": c.guardian}.values()) for c in (found[pk] for pk in order)])
    report, screening = bulk.defaults(Report), bulk.defaults(Screening)
    labels = {k: str(RelationKind(k).label) for k in PARENT_KINDS}
    said, why = _("%(kind)s %(name)s died on %(date)s (resident registry)."), _("Registry scan")[:300]
    reports, screenings = [], []
    outcomes: Counter[str] = Counter()
    for pk, c in zip(ids, (found[child] for child in order), strict=True):
        reports.append(list({**report, "youth_id": pk, "channel": Channel.REGISTRY.value, "note": said % {
            "kind": labels[c.kind], "name": mask_name(c.name), "date": c.died_on}}.values()))
        reasons = rules.criteria(rules.registry_facts(birth_date=c.birth, parent_died_on=c.died_on,
                                                      surviving_parent_status=c.other_status), day)
        outcome = rules.outcome_of(reasons)
        outcomes[str(outcome)] += 1
        screenings.append(list({**screening, "youth_id": pk, "outcome": str(outcome), "trigger": Trigger.INTAKE.value,
                                "reasons": [r.as_dict() for r in reasons], "note": why,
                                "by_id": by.pk if by is not None else None}.values()))
    bulk.load(Report, list(report), reports)
    bulk.load(Screening, list(screening), screenings)
    return ids, outcomes


def scan_registry(*, acting_user: User | None = None, today: dt.date | None = None, log: Log | None = None) -> ScanResult:
    """Put every alive youth up to YOUTHAID_STUDENT_MAX_AGE whose father or mother has died in the
    registry, and who has no case yet, on the outreach list: the case (family inferred from the
    registry), a report on the registry channel with the reason, and a pre-screening against the
    criteria, so the list shows who is likely eligible. The status stays "outreach": a case worker
    confirms. Idempotent: a second run finds nothing new. One transaction, one audit row."""
    began = time.perf_counter()
    day = today or timezone.localdate()
    limit = conf("YOUTHAID_STUDENT_MAX_AGE")
    say = log or (lambda _m: None)
    result = ScanResult(scanned=Resident.objects.count())
    say(f"scanning {result.scanned} residents for youths up to {limit} whose parent died")
    try:
        with transaction.atomic():
            found = _candidates(day, limit)
            _families(found)
            say(f"found {len(found)} youths without a case")
            result.youth_ids, outcomes = _write_cases(found, day, by=_actor(acting_user))
            result.found, result.by_outcome = len(result.youth_ids), dict(outcomes)
            result.seconds = time.perf_counter() - began
            _record_scan(acting_user, result, day)
    except IntegrityError as exc:
        # A case created meanwhile (a report, a death recorded, a second scan): nothing was written.
        raise KernelError(_("The registry changed during the scan; run it again."), code=ErrorCode.CONFLICT) from exc
    result.seconds = time.perf_counter() - began
    say(f"done in {result.seconds:.2f} s: {result.found} found {result.by_outcome}")
    return result


# --- entitlements ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entitlement:
    youth_id: int
    aid_type: str  # code
    used_fen: int  # asked for or granted this year (what counts against the cap)
    left_fen: int  # what the youth may still receive this year (0: nothing)
    town: str  # name of the street or town the youth lives in ("" if not known)


@dataclass(frozen=True)
class EntitlementTotal:
    aid_type: str
    town: str
    youths: int  # youths who may still receive something of this type
    left_fen: int


def used_amounts(year: int, youth_ids: list[int] | None = None) -> dict[tuple[int, int], int]:
    """{(youth, aid type): fen counted against the yearly cap}, in one grouped query (per chunk of
    ids), counted as `actions.used_fen` does: approved or paid count the approved amount, recommended
    the recommended amount (or what was asked), applied what was asked."""
    counted = Case(
        When(status__in=[AppStatus.APPROVED, AppStatus.PAID], then=Coalesce(F("approved_fen"), Value(0))),
        When(status=AppStatus.RECOMMENDED, then=Coalesce(F("recommended_fen"), F("requested_fen"))),
        default=F("requested_fen"), output_field=IntegerField())
    base = Application.objects.filter(year=year, status__in=COUNTING)
    groups = [base] if youth_ids is None else [base.filter(youth_id__in=chunk) for chunk in _chunks(youth_ids)]
    out: dict[tuple[int, int], int] = {}
    for qs in groups:
        for youth, kind, total in (qs.order_by().values("youth_id", "aid_type_id").annotate(total=Sum(counted))
                                   .values_list("youth_id", "aid_type_id", "total")):
            out[(youth, kind)] = int(total or 0)
    return out


def _towns(paths: Iterable[str]) -> dict[str, str]:
    """{place path: name of its street or town}: the third segment of a path is the town's code."""
    codes = {p.split(".")[2] for p in paths if p and len(p.split(".")) > 3}
    names = dict(Place.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    return {p: names.get(p.split(".")[2], "") if p and len(p.split(".")) > 3 else "" for p in paths}


def entitlements(year: int, *, youths: QuerySet[Youth] | Iterable[int] | None = None) -> list[Entitlement]:
    """For each youth under monitoring (of `youths`, if given: a queryset, e.g. a user's scope, or
    ids) and each active aid type: what the youth may still receive in `year`. Three queries (plus
    one per few hundred ids given as a list), whatever the number of youths."""
    kinds = list(AidType.objects.filter(active=True))
    qs = Youth.objects.filter(status=CaseStatus.ACTIVE)
    ids: list[int] | None = None
    if isinstance(youths, QuerySet):
        qs = qs.filter(pk__in=youths.values("pk"))
    elif youths is not None:
        ids = sorted(set(youths))
    columns = ("pk", "stage", "university_admitted_year", "serious_illness", "hardship_grade", "person__place__path")
    if ids is None:
        rows = list(qs.values_list(*columns))
    else:
        rows = [r for chunk in _chunks(ids) for r in qs.filter(pk__in=chunk).values_list(*columns)]
    used = used_amounts(year, [r[0] for r in rows] if ids is not None else None)
    towns = _towns({r[5] or "" for r in rows})
    out = []
    for pk, stage, admitted, ill, grade, path in rows:
        town = towns.get(path or "", "")
        for kind in kinds:
            spent = used.get((pk, kind.pk), 0)
            left = rules.entitlement(kind, stage=stage or "", university_admitted_year=admitted, serious_illness=ill,
                                     hardship_grade=grade, used_fen=spent)
            out.append(Entitlement(pk, kind.code, spent, left, town))
    return out


def entitlement_totals(year: int, *, youths: QuerySet[Youth] | Iterable[int] | None = None) -> list[EntitlementTotal]:
    """What may still be paid this year, by aid type and town (youths with something left, and the sum)."""
    count: Counter[tuple[str, str]] = Counter()
    left: Counter[tuple[str, str]] = Counter()
    for e in entitlements(year, youths=youths):
        if e.left_fen > 0:
            count[(e.aid_type, e.town)] += 1
            left[(e.aid_type, e.town)] += e.left_fen
    order = {code: n for n, code in enumerate(AidType.objects.values_list("code", flat=True))}
    return [EntitlementTotal(kind, town, count[(kind, town)], left[(kind, town)])
            for kind, town in sorted(count, key=lambda key: (order.get(key[0], 99), key[1]))]
