"""倾溧助 at city scale.

(a) The registry scan and the year's entitlements (set-based: a few queries, bulk inserts) against
    the same work row by row through the ORM (per resident: fetch, check the age, query the parent
    links, check each parent's death, create the case, report and screening one by one). The
    row-by-row baseline runs on a sample of residents (rolled back) and is extrapolated to the
    whole registry; the metric names say so. Target: < 10 s for 1,000,000 residents.
(b) A payment batch of 100,000 payments with their ledger postings (do_create_batch + do_pay_batch)
    against per payment Payment.objects.create + ledger.do_pay_from_commitment + save, on a sample
    (rolled back) extrapolated to 100,000. Target: < 30 s.

BENCH_RESIDENTS sets the registry size (default 200,000; the lead runs 1,000,000).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from typing import Any

from bench.common import progress, report

RESIDENTS = int(os.environ.get("BENCH_RESIDENTS", "200000"))
SCAN_SAMPLE = 20_000
PAYMENTS = int(os.environ.get("BENCH_YOUTHAID_PAYMENTS", "100000"))
PAY_SAMPLE = 2_000
ENTITLEMENT_SAMPLE = 2_000
LINK_AGE = 30  # residents under this age have father and mother links (older than the aid's age limit)
DEATH_SHARE = 0.005  # of children with links: one parent died
TODAY = dt.date(2026, 11, 22)


class _Rollback(Exception):
    """Raised to undo a baseline's writes, so the measured code starts from the same registry."""


def _insert(table: str, columns: list[str], rows: list[tuple[Any, ...]], chunk: int = 50_000) -> None:
    """Plain multi-row INSERTs through the DB-API (executemany): the registry is set-up, not measured."""
    from django.db import connection

    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            cursor.executemany(sql, rows[start:start + chunk])


def build_registry(n: int, *, k0: int = 0) -> list[int]:
    """n residents (demo numbering k0…k0+n-1: valid, fictitious ID numbers), placed round-robin in the
    demo grids; everyone under LINK_AGE linked to a father and a mother 22-40 years older (with the
    inverse child links, guardians for minors); DEATH_SHARE of them lost a parent (2015-2026), a
    fifth of those surviving parents remarried; and noise the scan must pass over: deaths among
    the old, a few dead children. Returns the new residents' pks."""
    from django.db import connection, transaction
    from django.utils import timezone

    from longcheng.kernel import demo
    from longcheng.kernel.people.models import Relationship, Resident
    from longcheng.kernel.places.models import Level, Place

    grids = list(Place.objects.filter(level=Level.GRID).select_related("parent").order_by("code"))
    regions = [demo._region_of(g) for g in grids]
    pool = demo.NamePool()
    rng = random.Random(7)
    surnames, male, female = pool.surnames, pool.male, pool.female
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = []
    for k in range(k0, k0 + n):
        birth, seq = demo._slot(k)
        g = k % len(grids)
        is_male = seq % 2 == 1
        name = surnames[k % len(surnames)] + (male[k % len(male)] if is_male else female[(k // 7) % len(female)])
        rows.append((demo.resident_number(k, regions[g]), name, "M" if is_male else "F", birth.isoformat(), "",
                     grids[g].pk, "", now, now))
    before = Resident.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with transaction.atomic():
        _insert(Resident._meta.db_table, ["resident_id", "name", "gender", "birth_date", "phone", "place_id",
                                          "address", "created_at", "updated_at"], rows)
    people = list(Resident.objects.filter(pk__gt=before).order_by("pk").values_list("pk", "birth_date", "gender"))
    by_year: dict[tuple[int, str], list[int]] = {}
    for pk, birth, gender in people:
        by_year.setdefault((birth.year, gender), []).append(pk)
    links: list[tuple[Any, ...]] = []
    deaths: dict[int, str] = {}
    remarried: list[tuple[int, int]] = []
    dead_children: list[int] = []
    adults = [pk for pk, birth, _g in people if 30 <= TODAY.year - birth.year <= 60]
    for pk, birth, _gender in people:
        age = TODAY.year - birth.year
        if age >= 70 and rng.random() < 0.03:
            deaths[pk] = dt.date(rng.randint(2000, 2026), rng.randint(1, 10), rng.randint(1, 28)).isoformat()
        if age >= LINK_AGE:
            continue
        parents = []
        for gender, kind in (("M", "father"), ("F", "mother")):
            for _try in range(4):
                pool_ = by_year.get((birth.year - rng.randint(22, 40), gender))
                if pool_:
                    parents.append((rng.choice(pool_), kind))
                    break
        for parent, kind in parents:
            links.append((pk, parent, kind, age < 18, now))
            links.append((parent, pk, "child", False, now))
        if parents and rng.random() < DEATH_SHARE:
            parent, _kind = rng.choice(parents)
            deaths[parent] = dt.date(rng.randint(2015, 2026), rng.randint(1, 10), rng.randint(1, 28)).isoformat()
            others = [p for p, _k in parents if p != parent]
            if others and rng.random() < 0.2:
                remarried.append((others[0], rng.choice(adults)))
        elif rng.random() < 0.001:
            dead_children.append(pk)
    seen: set[tuple[int, int]] = set()
    unique = []
    for row in links:
        if (row[0], row[1]) not in seen:  # a parent drawn twice for the same pair (one link per pair)
            seen.add((row[0], row[1]))
            unique.append(row)
    for survivor, spouse in remarried:
        for a, b in ((survivor, spouse), (spouse, survivor)):
            if a != b and (a, b) not in seen:
                seen.add((a, b))
                unique.append((a, b, "spouse", False, now))
    with transaction.atomic():
        _insert(Relationship._meta.db_table, ["person_id", "relative_id", "kind", "is_guardian", "is_family_contact",
                                              "contact_order", "created_at"],
                [(a, b, kind, guardian, False, 1, at) for a, b, kind, guardian, at in unique])
        by_day: dict[str, list[int]] = {}
        for pk, day in deaths.items():
            by_day.setdefault(day, []).append(pk)
        for pk in dead_children:
            by_day.setdefault("2025-06-01", []).append(pk)
        for day, pks in by_day.items():
            for start in range(0, len(pks), 900):
                Resident.objects.filter(pk__in=pks[start:start + 900]).update(died_on=day)
    progress(f"registry: {len(people)} residents, {len(unique)} links, {len(deaths)} deaths")
    return [pk for pk, _b, _g in people]


def scan_row_by_row(resident_ids: list[int], today: dt.date) -> int:
    """The scan as a loop over residents through the ORM: what the set-based scan replaces."""
    from longcheng.kernel.people.models import Relationship, Resident
    from longcheng.kernel.people.validators import age_on, mask_name
    from longcheng.modules.youthaid import rules
    from longcheng.modules.youthaid.conf import conf
    from longcheng.modules.youthaid.models import Channel, ParentStatus, Report, Screening, Youth

    limit = conf("YOUTHAID_STUDENT_MAX_AGE")
    found = 0
    for pk in resident_ids:
        person = Resident.objects.get(pk=pk)
        if person.died_on is not None or age_on(person.birth_date, today) > limit:
            continue
        links = list(Relationship.objects.filter(person=person, kind__in=["father", "mother"]).select_related("relative"))
        dead = [link for link in links if link.relative.died_on is not None]
        if not dead or Youth.objects.filter(person=person).exists():
            continue
        first = min(dead, key=lambda link: link.relative.died_on)
        other = next((link.relative for link in links if link.relative_id != first.relative_id), None)
        status = ParentStatus.UNKNOWN
        if other is not None:
            status = (ParentStatus.DECEASED if other.died_on else ParentStatus.REMARRIED
                      if Relationship.objects.filter(person=other, kind="spouse").exclude(relative=first.relative).exists()
                      else ParentStatus.NOT_REMARRIED)
        youth = Youth.objects.create(person=person, status="outreach", deceased_parent=first.relative,
                                     parent_died_on=first.relative.died_on, surviving_parent=other,
                                     surviving_parent_status=status)
        Report.objects.create(youth=youth, channel=Channel.REGISTRY,
                              note=f"{first.get_kind_display()} {mask_name(first.relative.name)} {first.relative.died_on}")
        reasons = rules.criteria(rules.facts_of(youth), today)
        Screening.objects.create(youth=youth, outcome=rules.outcome_of(reasons), reasons=[r.as_dict() for r in reasons])
        found += 1
    return found


def entitlements_row_by_row(youth_ids: list[int], year: int) -> int:
    """Per youth and aid type: fetch the case, sum its applications (actions.used_fen), apply the rule."""
    from longcheng.modules.youthaid import actions, rules
    from longcheng.modules.youthaid.models import AidType, Youth

    kinds = list(AidType.objects.filter(active=True))
    left = 0
    for pk in youth_ids:
        youth = Youth.objects.get(pk=pk)
        for kind in kinds:
            left += rules.entitlement(kind, stage=youth.stage, university_admitted_year=youth.university_admitted_year,
                                      serious_illness=youth.serious_illness, hardship_grade=youth.hardship_grade,
                                      used_fen=actions.used_fen(pk, kind.pk, year))
    return left


def setup_applications(count: int, reviewer: Any, *, k0: int) -> list[int]:
    """`count` approved applications (education, medical, living for each of count/3 youths of 溧阳),
    inserted in bulk, their total committed on the fund with one ledger.do_commit."""
    from django.db import transaction

    from longcheng.kernel.ledger import actions as ledger
    from longcheng.kernel.people.models import Resident
    from longcheng.kernel.places.models import Place
    from longcheng.modules.youthaid import actions
    from longcheng.modules.youthaid.models import AidType, Application, Youth

    kinds = list(AidType.objects.filter(code__in=["education", "medical", "living"]).order_by("order"))
    amounts = {"education": 600_000, "medical": 1_500_000, "living": 300_000}
    n_youths = -(-count // len(kinds))
    liyang = Place.objects.get(code="320481")
    grids = list(Place.objects.filter(path__startswith=liyang.path, level="grid").order_by("code"))
    from longcheng.kernel import demo

    rows, k = [], k0
    while len(rows) < n_youths:
        birth, seq = demo._slot(k)
        if 2003 <= birth.year <= 2008:
            rows.append(Resident(resident_id=demo.resident_number(k, "320481"), name=f"受助{len(rows)}",
                                 gender="M" if seq % 2 else "F", birth_date=birth, place=grids[k % len(grids)]))
        k += 1
    with transaction.atomic():
        people = Resident.objects.bulk_create(rows, batch_size=2000)
        youths = Youth.objects.bulk_create(
            [Youth(person=p, status="active", stage="university", university_admitted_year=2026, serious_illness=True,
                   hardship_grade=3, bank_name="中国农业银行溧阳支行", bank_account=f"62284800{i:011d}")
             for i, p in enumerate(people)], batch_size=2000)
        apps = [Application(youth=y, aid_type=kind, year=2026, requested_fen=amounts[kind.code], reason="bench",
                            status="approved", recommended_fen=amounts[kind.code], approved_fen=amounts[kind.code])
                for y in youths for kind in kinds][:count]
        Application.objects.bulk_create(apps, batch_size=2000)
        total = sum(a.approved_fen or 0 for a in apps)
        fund = actions.youth_fund()
        ledger.do_donate(fund, total + 100_000_00, donor_name="bench", acting_user=reviewer,
                         idempotency_key="bench:youthaid:donation")
        ledger.do_commit(fund, total, memo="bench: approved applications", acting_user=reviewer,
                         idempotency_key="bench:youthaid:commit")
    return [y.pk for y in youths]


def run() -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from longcheng.kernel import demo
    from longcheng.kernel.ledger import actions as ledger
    from longcheng.kernel.people.models import Resident
    from longcheng.modules.youthaid import actions
    from longcheng.modules.youthaid.models import Application, Payment, PaymentBatch, PayStatus, Youth
    from longcheng.modules.youthaid.scan import entitlements, scan_registry

    quiet = lambda *a, **k: None  # noqa: E731
    demo.build_places(log=quiet)
    demo.build_orgs(log=quiet)
    user, _created = get_user_model().objects.get_or_create(username="bench-youthaid",
                                                            defaults={"is_superuser": True, "is_staff": True})
    progress(f"building a registry of {RESIDENTS} residents with parent links (bulk)")
    began = time.perf_counter()
    ids = build_registry(RESIDENTS)
    progress(f"  built in {time.perf_counter() - began:.1f} s")
    from django.db import connection

    if connection.vendor == "sqlite" and os.environ.get("BENCH_ANALYZE", "0") == "1":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as a deployment would have: the planner knows the tables' sizes

    # (a) the registry scan --------------------------------------------------------------------------------
    sample = ids[:: max(1, len(ids) // SCAN_SAMPLE)][:SCAN_SAMPLE]
    progress(f"baseline: row-by-row scan of {len(sample)} residents (rolled back)")
    try:
        with transaction.atomic():
            began = time.perf_counter()
            base_found = scan_row_by_row(sample, TODAY)
            base_per = (time.perf_counter() - began) / len(sample)
            raise _Rollback
    except _Rollback:
        pass
    progress(f"ours: scan_registry over {Resident.objects.count()} residents")
    result = scan_registry(acting_user=user, today=TODAY)
    print(f"  scan: {result.found} found {result.by_outcome} (baseline sample found {base_found} of {len(sample)})")
    scanned = result.scanned
    report("youthaid", "registry scan, per resident", result.seconds / scanned * 1e6, base_per * 1e6, "µs",
           f"row by row, {len(sample)}-resident sample")
    report("youthaid", f"registry scan, {scanned} residents (baseline extrapolated)", result.seconds,
           base_per * scanned, "s", "row by row, extrapolated")
    again = scan_registry(acting_user=user, today=TODAY)
    assert again.found == 0, "the second scan must find nothing new"

    # entitlements: the scanned youths under monitoring, with grades and some applications
    found_ids = result.youth_ids
    Youth.objects.filter(pk__in=found_ids).update(status="active", hardship_grade=2, stage="senior")
    progress(f"ours: entitlements(2026) over {len(found_ids)} youths under monitoring")
    began = time.perf_counter()
    rows = entitlements(2026)
    ent_seconds = time.perf_counter() - began
    began = time.perf_counter()
    entitlements_row_by_row(found_ids[:ENTITLEMENT_SAMPLE], 2026)
    ent_base = (time.perf_counter() - began) / max(1, min(len(found_ids), ENTITLEMENT_SAMPLE)) * len(found_ids)
    report("youthaid", f"entitlements, {len(found_ids)} youths × {len(rows) // max(1, len(found_ids))} aid types",
           ent_seconds, ent_base, "s", "per youth and type, extrapolated")
    print("  target: scan + entitlements < 10 s for 1,000,000 residents")
    report("youthaid", f"scan + entitlements, {scanned} residents (baseline extrapolated)", result.seconds + ent_seconds,
           base_per * scanned + ent_base, "s", "row by row, extrapolated")

    # (b) a payment batch of 100,000 ------------------------------------------------------------------------
    progress(f"setting up {PAYMENTS} approved applications (bulk) and committing their total")
    youth_ids = setup_applications(PAYMENTS, user, k0=95_000_000)
    app_ids = list(Application.objects.filter(status="approved", youth_id__in=youth_ids).order_by("pk")
                   .values_list("pk", flat=True))
    progress(f"ours: entitlements(2026) over {len(youth_ids) + len(found_ids)} youths")
    began = time.perf_counter()
    rows = entitlements(2026)
    ent_big = time.perf_counter() - began
    sample_youths = youth_ids[:ENTITLEMENT_SAMPLE]
    began = time.perf_counter()
    entitlements_row_by_row(sample_youths, 2026)
    ent_big_base = (time.perf_counter() - began) / len(sample_youths) * (len(youth_ids) + len(found_ids))
    report("youthaid", f"entitlements, {len(youth_ids) + len(found_ids)} youths (baseline extrapolated)", ent_big,
           ent_big_base, "s", f"per youth and type, {len(sample_youths)}-youth sample")

    progress(f"baseline: {PAY_SAMPLE} payments one by one with their postings (rolled back)")
    fund = actions.youth_fund()
    payee = actions.beneficiaries()
    try:
        with transaction.atomic():
            batch = PaymentBatch.objects.create(code="bench-baseline", title="baseline", created_by=user)
            picked = list(Application.objects.filter(pk__in=app_ids[:PAY_SAMPLE]).select_related("youth"))
            began = time.perf_counter()
            for app in picked:
                payment = Payment.objects.create(batch=batch, application=app, youth=app.youth, aid_type_id=app.aid_type_id,
                                                 amount_fen=app.approved_fen or 0, bank_account=app.youth.bank_account)
                entry = ledger.do_pay_from_commitment(fund, payment.amount_fen, payee=payee, acting_user=user,
                                                      memo=f"Aid payment #{payment.pk}",
                                                      idempotency_key=f"youthaid:pay:{payment.pk}")
                payment.status, payment.entry = PayStatus.PAID, entry
                payment.save(update_fields=["status", "entry"])
                app.status = "paid"
                app.save(update_fields=["status"])
            pay_base = (time.perf_counter() - began) / len(picked)
            raise _Rollback
    except _Rollback:
        pass
    progress(f"ours: do_create_batch + do_pay_batch of {len(app_ids)} payments")
    began = time.perf_counter()
    batch = actions.do_create_batch(title="bench batch", acting_user=user, applications=app_ids)
    created = time.perf_counter() - began
    actions.do_pay_batch(batch, acting_user=user)
    paid = time.perf_counter() - began
    assert Payment.objects.filter(batch=batch, status=PayStatus.PAID).count() == len(app_ids)
    assert ledger.fund_account(fund, "commitment").balance_fen == 0
    print(f"  batch: created in {created:.2f} s, paid in {paid - created:.2f} s; target < 30 s for 100,000")
    report("youthaid", f"payment batch of {len(app_ids)} with postings (baseline extrapolated)", paid,
           pay_base * len(app_ids), "s", f"one by one, {len(picked)}-payment sample")
    report("youthaid", "payment with its posting, per payment", paid / len(app_ids) * 1e3, pay_base * 1e3, "ms",
           "one by one")
