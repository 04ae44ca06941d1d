"""remediation's share of the demo city: a synthetic Wujin 危污乱散低 campaign of 2024 whose records add up to
the news' figures (3,273 firms remediated, 25,000 mu vacated or revived, 2,104 t of pollutants cut), some
open, overdue and rebound cases of 2026, and a 厂中厂 and a fire-door campaign in the development zone.

Built with bulk_create in batches (a few seconds); idempotent: a second run adds nothing (the demo's
firms carry the short code prefix `rem-demo-`). The figures are never stored as figures: the dashboard
computes them from the plans of the closed cases."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from longcheng.kernel.access.models import User
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.places.models import Place
from longcheng.kernel.workdays.api import SHANGHAI

from . import tally
from .campaigns import REMEDIES
from .models import (
    Case,
    Evidence,
    Inspection,
    Island,
    IslandMember,
    Manifest,
    Milestone,
    Plan,
    PollutantFigure,
    ReboundCheck,
    Site,
    StatusChange,
)

PREFIX = "rem-demo-"
REMEDIATED = 3273
MU = Decimal(25000)
# 2,104 t of main pollutants cut, by pollutant (kg): the split is invented, the sum is the news'.
CUT_KG = {"cod": 1_000_000, "ammonia": 104_000, "so2": 400_000, "nox": 300_000, "voc": 300_000}
# The news' four green islands of 2024 (names and capacities invented): name, kind, capacity, unit, opened.
ISLANDS = (
    ("武进区表面处理中心", "surface", 3000, "t_per_day", dt.date(2024, 3, 28)),
    ("武进区涂装集中区", "coating", 24, "lines", dt.date(2024, 6, 18)),
    ("武进区电镀废水集中处理站", "wastewater", 1500, "t_per_day", dt.date(2024, 9, 10)),
    ("武进区有机废气集中回收中心", "solvent", 800, "t_per_year", dt.date(2024, 11, 26)),
)
MEMBERS_PER_ISLAND = 12
REMEDY_MIX = ("close",) * 8 + ("relocate",) * 3 + ("upgrade",) * 7 + ("merge", "transform")
EVIDENCE_OF = {code: tuple(group[0] for group in remedy.needs) for code, remedy in REMEDIES.items()}
BATCH = 500
OPEN, OVERDUE, REBOUND = 40, 12, 6
WUJIN_CENTRE = (31.7072, 119.9395)  # WGS 84, roughly the district's centre
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _uscc(n: int) -> str:
    from stdnum.cn import uscc

    body, rest = "91320412RM", n
    for _ in range(7):
        body, rest = body + _USCC_CHARS[rest % 31], rest // 31
    return body + uscc.calc_check_digit(body)


def _shares(total: int, parts: int) -> list[int]:
    """`total` split into `parts` whole shares that add up exactly."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def _firms(streets: list[Place], count: int, start: int, label: str) -> list[tuple[Organisation, Place]]:
    firms = [Organisation(kind="enterprise", name=f"武进{streets[i % len(streets)].name[:2]}{label}{start + i:04d}厂",
                          uscc=_uscc(start + i), code=f"{PREFIX}{start + i}", place=streets[i % len(streets)])
             for i in range(count)]
    made = Organisation.objects.bulk_create(firms, batch_size=BATCH)
    return [(firm, firm.place) for firm in made if firm.place is not None]


def _outline_centre(place: Place) -> tuple[float, float] | None:
    """The mean corner of a loaded outline's first ring, as (lat, lon); None without an outline."""
    outline = place.outline if isinstance(place.outline, dict) else {}
    rings = outline.get("coordinates") or []
    if outline.get("type") == "MultiPolygon" and rings:
        rings = rings[0]
    ring = rings[0] if rings else []
    if not ring:
        return None
    return sum(c[1] for c in ring) / len(ring), sum(c[0] for c in ring) / len(ring)


def _near(place: Place, n: int) -> tuple[float, float]:
    """A synthetic position for a demo site: around its street's outline centre where one is loaded, else
    on a ring around Wujin's centre, the street's angle taken from its code (so each street has its patch)."""
    rng = random.Random(f"{place.code}:{n}")  # its own generator: the campaign's figures keep their draws
    centre = _outline_centre(place)
    if centre is None:
        angle = math.radians((int(place.code[-3:] or 0) * 137.5) % 360)
        centre = (WUJIN_CENTRE[0] + 0.07 * math.sin(angle), WUJIN_CENTRE[1] + 0.08 * math.cos(angle))
    return round(centre[0] + rng.uniform(-0.012, 0.012), 6), round(centre[1] + rng.uniform(-0.014, 0.014), 6)


def _sites(firms: list[tuple[Organisation, Place]], rng: random.Random, *, park: bool = False) -> list[Site]:
    sites = []
    for i, (firm, place) in enumerate(firms):
        lat, lon = _near(place, firm.pk)
        sites.append(Site(firm=firm, place=place, address=f"{place.name}工业路{i + 1}号", parcel=f"WJ{firm.pk:06d}",
                          area_mu=Decimal(rng.randint(300, 1800)) / 100, in_park=park, lat=lat, lon=lon))
    return Site.objects.bulk_create(sites, batch_size=BATCH)


def _history(case: Case, stages: list[tuple[str, dt.datetime]], by: User | None) -> Iterator[StatusChange]:
    src, previous = "", None
    for dst, at in stages:
        change = StatusChange(case=case, src=src, dst=dst, at=at, by=by)
        if previous is not None:
            previous.until = at  # the next change takes over (history.valid_at)
        yield change
        src, previous = dst, change


def _closed_campaign(streets: list[Place], staff: User | None, rng: random.Random,
                     progress: Callable[[int], None]) -> None:
    """The 2024 campaign's 3,273 closed cases with their plans, figures, evidence, history and 回头看."""
    sites = _sites(_firms(streets, REMEDIATED, 0, "五金"), rng)
    progress(REMEDIATED // 4)
    proof = default_storage.save("remediation/demo/proof.jpg", ContentFile(b"\xff\xd8\xff\xe0" + bytes(64)))
    mu = _shares(int(MU * 100), REMEDIATED)
    pollutant_of = [list(CUT_KG)[i % len(CUT_KG)] for i in range(REMEDIATED)]
    cut = {code: iter(_shares(kg, pollutant_of.count(code))) for code, kg in CUT_KG.items()}
    for start in range(0, REMEDIATED, BATCH):
        chunk = sites[start:start + BATCH]
        opened = [dt.date(2024, 1, 8) + dt.timedelta(days=rng.randint(0, 150)) for _ in chunk]
        closed = [day + dt.timedelta(days=rng.randint(60, 180)) for day in opened]
        cases = Case.objects.bulk_create([
            Case(campaign="wuluan", site=s, firm_id=s.firm_id, place_id=s.place_id, status="closed",
                 opened_at=_at(o), closed_at=_at(c, 16), accepted_by=staff) for s, o, c in zip(chunk, opened, closed,
                                                                                             strict=True)])
        plans = Plan.objects.bulk_create([
            Plan(case=case, remedy=REMEDY_MIX[(start + i) % len(REMEDY_MIX)], lead_agency="ecology",
                 responsible="武进区整治办", area_mu=Decimal(mu[start + i]) / 100, created_at=case.opened_at)
            for i, case in enumerate(cases)])
        figures = []
        for i, plan in enumerate(plans):
            kg = next(cut[pollutant_of[start + i]])
            figures.append(PollutantFigure(plan=plan, pollutant=pollutant_of[start + i], before_kg=kg + 200,
                                           after_kg=200))
        PollutantFigure.objects.bulk_create(figures)
        _records(cases, plans, opened, closed, staff, proof)
        progress(len(chunk))


def _records(cases: list[Case], plans: list[Plan], opened: list[dt.date], closed: list[dt.date], staff: User | None,
             proof: str) -> None:
    """A closed case's trail: its screening, history and evidence. The 2024 closures' 回头看 are not simulated
    (all would be past): the rebound checks of the demo are those of the open cases' own closures."""
    if staff is None:
        return
    changes: list[StatusChange] = []
    evidence: list[Evidence] = []
    inspections: list[Inspection] = []
    for case, plan, o, c in zip(cases, plans, opened, closed, strict=True):
        changes.extend(_history(case, [("screened", _at(o)), ("determined", _at(o + dt.timedelta(days=7))),
                                       ("planned", _at(o + dt.timedelta(days=14))), ("accepted", _at(c, 10)),
                                       ("closed", _at(c, 16))], staff))
        inspections.append(Inspection(case=case, inspector=staff, at=_at(o, 9), scores={
            "danger": 2, "pollution": 2, "disorder": 1, "scattered": 2, "low": 3}, reasons={
            "danger": "隐患", "pollution": "超标", "disorder": "无证", "scattered": "园区外", "low": "亩均税收低"}))
        evidence.extend(Evidence(case=case, kind=kind, file=proof, name="proof.jpg", size=68, uploaded_by=staff,
                                 uploaded_at=_at(c, 9)) for kind in EVIDENCE_OF[plan.remedy])
    StatusChange.objects.bulk_create(changes, batch_size=BATCH)
    Inspection.objects.bulk_create(inspections, batch_size=BATCH)
    Evidence.objects.bulk_create(evidence, batch_size=BATCH)


def _open_cases(streets: list[Place], staff: User | None, rng: random.Random, now: dt.datetime) -> list[Case]:
    """2026's open cases: screened, determined, planned (some overdue) and rebounds reopened."""
    sites = _sites(_firms(streets, OPEN, REMEDIATED, "化工"), rng)
    today = now.astimezone(SHANGHAI).date()
    stages = ["screened", "determined", "planned", "planned"]
    cases = []
    for i, site in enumerate(sites):
        status = "reopened" if i < REBOUND else stages[i % len(stages)]
        cases.append(Case(campaign="wuluan", site=site, firm_id=site.firm_id, place_id=site.place_id, status=status,
                          rebound=status == "reopened", opened_at=now - dt.timedelta(days=60 + i)))
    cases = Case.objects.bulk_create(cases)
    trail = {"screened": ["screened"], "determined": ["screened", "determined"],
             "planned": ["screened", "determined", "planned"],
             "reopened": ["screened", "determined", "planned", "accepted", "closed", "reopened"]}
    StatusChange.objects.bulk_create([ch for case in cases for ch in _history(case, [
        (dst, case.opened_at + dt.timedelta(days=5 * n)) for n, dst in enumerate(trail[case.status])], staff)])
    if staff is not None:  # the rebounds: the +30-day 回头看 found the site running again
        found = Inspection.objects.bulk_create([Inspection(case=c, inspector=staff, at=now - dt.timedelta(days=30),
                                                           found_running=True, note="回头看：复产")
                                                for c in cases if c.rebound])
        ReboundCheck.objects.bulk_create([ReboundCheck(case=i.case, place_id=i.case.place_id, days=30,
                                                       due_on=today - dt.timedelta(days=30), inspection=i)
                                          for i in found])
    planned = [c for c in cases if c.status in ("planned", "reopened")]
    plans = Plan.objects.bulk_create([Plan(case=c, remedy="upgrade", lead_agency="ecology", responsible="整治专班",
                                           area_mu=c.site.area_mu, created_at=c.opened_at) for c in planned])
    Milestone.objects.bulk_create([
        Milestone(plan=p, title="完成废气收集改造",
                  due_on=today - dt.timedelta(days=10) if n < OVERDUE else today + dt.timedelta(days=30))
        for n, p in enumerate(plans)])
    return cases


def _zone(zone_streets: list[Place], staff: User | None, rng: random.Random, now: dt.datetime) -> None:
    """The development zone: a host premises with three hidden tenants (厂中厂) and a fire-door campaign."""
    hosts = _sites(_firms(zone_streets[:1], 1, REMEDIATED + OPEN, "园区业主"), rng)
    tenants = _sites(_firms(zone_streets[:1], 3, REMEDIATED + OPEN + 1, "租户"), rng)
    for tenant in tenants:
        tenant.host = hosts[0]
    Site.objects.bulk_update(tenants, ["host"])
    doors = _sites(_firms(zone_streets, 10, REMEDIATED + OPEN + 4, "门业"), rng)
    cases = Case.objects.bulk_create(
        [Case(campaign="hidden_factory", site=s, firm_id=s.firm_id, place_id=s.place_id, opened_at=now)
         for s in tenants]
        + [Case(campaign="fire_door", site=s, firm_id=s.firm_id, place_id=s.place_id, opened_at=now,
                status="planned" if n % 2 else "screened") for n, s in enumerate(doors)])
    StatusChange.objects.bulk_create([ch for case in cases for ch in _history(
        case, [("screened", now)] + ([("planned", now)] if case.status == "planned" else []), staff)])
    Plan.objects.bulk_create([Plan(case=c, remedy="fire_door", lead_agency="emergency", responsible="经开区应急局",
                                   created_at=now) for c in cases if c.status == "planned"])


def _link_firm_account(case: Case) -> None:
    user = User.objects.filter(username="remediation_firm").first()
    if user is not None and user.organisation_id is None:
        user.organisation_id = case.firm_id
        user.save(update_fields=["organisation"])


def build(*, log: Any = print, progress: Callable[[int], None] | None = None, now: dt.datetime | None = None,
          **options: Any) -> None:
    tick = progress or (lambda n: None)
    wujin = Place.objects.filter(name="武进区", level="district").first()
    zone = Place.objects.filter(name="常州经开区").first()
    staff = User.objects.filter(username="remediation_bureau").first()
    if wujin is None or zone is None:
        log("  remediation: skipped (the demo places are built first)")
        return
    if Organisation.objects.filter(code__startswith=PREFIX).exists():
        log("  remediation: already built")
        return
    rng, now = random.Random(2024), now or timezone.now()
    streets = list(Place.objects.filter(parent=wujin, level="street").order_by("code"))
    zone_streets = list(Place.objects.filter(parent=zone, level="street").order_by("code"))
    with transaction.atomic():
        _closed_campaign(streets, staff, rng, tick)
        open_cases = _open_cases(streets, staff, rng, now)
        _zone(zone_streets, staff, rng, now)
        _islands(streets, rng, now)
        _link_firm_account(open_cases[-1])
        tally.rebuild()  # the cases above were bulk-inserted, around the actions that keep the snapshot
    log(f"  remediation: {REMEDIATED} firms remediated in Wujin's 2024 campaign, {len(open_cases)} open, "
        f"{len(ISLANDS)} green islands, a 厂中厂 and a fire-door campaign in the development zone")


def _islands(streets: list[Place], rng: random.Random, now: dt.datetime) -> None:
    """The four green islands, each receiving firms the campaign moved or upgraded (their cases named),
    with a transfer manifest per member and month since the member joined."""
    movers = list(Case.objects.filter(firm__code__startswith=PREFIX, status="closed",
                                      plan__remedy__in=("relocate", "upgrade")).order_by("pk")
                  .values_list("pk", "firm_id", "closed_at"))
    rng.shuffle(movers)
    manifests = []
    for n, (name, kind, capacity, unit, opened) in enumerate(ISLANDS):
        island = Island.objects.create(name=name, kind=kind, place=streets[n % len(streets)], capacity=capacity,
                                       capacity_unit=unit, opened_on=opened)
        chosen = movers[n * MEMBERS_PER_ISLAND:(n + 1) * MEMBERS_PER_ISLAND]
        for case_id, firm_id, closed_at in chosen:
            joined = max(opened, timezone.localtime(closed_at).date())
            member = IslandMember.objects.create(island=island, firm_id=firm_id, case_id=case_id, joined_on=joined)
            month = joined.replace(day=1)
            while month <= now.date():
                manifests.append(Manifest(member=member, number=f"ZY{member.pk:06d}{month:%Y%m}", month=month,
                                          material=kind, volume_t=Decimal(rng.randint(500, 9000)) / 100))
                month = (month + dt.timedelta(days=32)).replace(day=1)
    Manifest.objects.bulk_create(manifests, batch_size=1000)
