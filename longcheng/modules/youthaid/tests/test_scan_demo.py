"""The registry scan, the year's entitlements, and the demo's case load.

A small Liyang registry: 林小雨 (16) whose father died, her mother remarried (a spouse link to
someone else); 林小川 (12), her brother; 周大伟 (27), over the age limit, whose father died too; a
child who died; a child already on the registry; a child whose parents are alive."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.people.models import Relationship, Resident

from ..models import AidType, Application, CaseStatus, Channel, ParentStatus, Report, Screening, Youth
from ..scan import entitlement_totals, entitlements, scan_registry

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def registry(city: dict[str, Any], rid: Any) -> dict[str, Resident]:
    town = city["liyang_town"]
    seq = iter(range(10, 999))

    def person(name: str, birth: str, gender: str = "M", died: dt.date | None = None) -> Resident:
        return Resident.objects.create(resident_id=rid(region="320481", birth=birth.replace("-", ""), seq=next(seq) * 2
                                                       + (gender == "M")),
                                       name=name, gender=gender, birth_date=birth, place=town, died_on=died)

    people = {
        "father": person("林建国", "1980-01-01", died=dt.date(2026, 3, 2)),
        "mother": person("王芳", "1982-02-02", "F"),
        "stepfather": person("赵强", "1979-05-05"),
        "teen": person("林小雨", "2010-03-01", "F"),
        "child": person("林小川", "2014-06-01"),
        "old_father": person("周国富", "1960-01-01", died=dt.date(2020, 1, 1)),
        "old": person("周大伟", "1999-01-01"),
        "dead_father": person("钱明", "1975-01-01", died=dt.date(2024, 1, 1)),
        "dead_child": person("钱小明", "2012-01-01", died=dt.date(2025, 1, 1)),
        "known_father": person("孙海", "1978-01-01", died=dt.date(2023, 1, 1)),
        "known": person("孙小海", "2011-01-01"),
        "alive_father": person("李强", "1978-01-01"),
        "alive_child": person("李小强", "2011-01-01"),
    }
    links = [("teen", "father", "father"), ("teen", "mother", "mother"), ("child", "father", "father"),
             ("child", "mother", "mother"), ("old", "old_father", "father"), ("dead_child", "dead_father", "father"),
             ("known", "known_father", "father"), ("alive_child", "alive_father", "father"),
             ("mother", "stepfather", "spouse"), ("stepfather", "mother", "spouse"), ("mother", "father", "spouse")]
    for a, b, kind in links:
        Relationship.objects.create(person=people[a], relative=people[b], kind=kind, is_guardian=kind == "mother")
    Youth.objects.create(person=people["known"], status=CaseStatus.ACTIVE)
    return people


def test_scan_finds_youths_whose_parent_died_once(registry: dict[str, Resident], english: Any) -> None:
    result = scan_registry(today=TODAY)
    assert result.found == 2
    assert result.scanned == Resident.objects.count()
    found = {y.person.name: y for y in Youth.objects.filter(status=CaseStatus.OUTREACH).select_related("person")}
    assert set(found) == {"林小雨", "林小川"}  # not the 27-year-old, the dead child or the known case
    teen = found["林小雨"]
    assert teen.deceased_parent == registry["father"] and teen.parent_died_on == dt.date(2026, 3, 2)
    assert teen.surviving_parent == registry["mother"]
    assert teen.surviving_parent_status == ParentStatus.REMARRIED  # a spouse other than the deceased
    assert teen.guardian == registry["mother"]
    report = Report.objects.get(youth=teen)
    assert report.channel == Channel.REGISTRY and report.reporter is None
    assert "林*国" in report.note and "2026-03-02" in report.note
    screening = Screening.objects.get(youth=teen)
    assert screening.outcome == "not_eligible"  # remarried: the criteria say why
    assert {r["criterion"] for r in screening.reasons} >= {"parent_died", "not_remarried", "age", "hardship"}
    assert result.by_outcome == {"not_eligible": 2}
    assert AuditEntry.objects.filter(action="youthaid.scan").count() == 1

    again = scan_registry(today=TODAY)
    assert again.found == 0 and Youth.objects.count() == 3 and Report.objects.count() == 2


def test_scan_not_remarried_and_both_dead(registry: dict[str, Resident]) -> None:
    Relationship.objects.filter(person=registry["mother"], relative=registry["stepfather"]).delete()
    result = scan_registry(today=TODAY)
    teen = Youth.objects.get(person=registry["teen"])
    assert teen.surviving_parent_status == ParentStatus.NOT_REMARRIED
    assert result.by_outcome == {"needs_info": 2}  # the household's economy is not in the registry

    Resident.objects.filter(pk=registry["alive_father"].pk).update(died_on=dt.date(2026, 1, 5))
    assert scan_registry(today=TODAY).found == 1
    assert Youth.objects.get(person=registry["alive_child"]).surviving_parent_status == ParentStatus.UNKNOWN


def test_scan_both_parents_dead(registry: dict[str, Resident]) -> None:
    Resident.objects.filter(pk=registry["mother"].pk).update(died_on=dt.date(2025, 1, 5))
    scan_registry(today=TODAY)
    teen = Youth.objects.get(person=registry["teen"])
    assert teen.deceased_parent == registry["mother"]  # the first death
    assert teen.surviving_parent == registry["father"] and teen.surviving_parent_status == ParentStatus.DECEASED
    assert teen.guardian is None  # the recorded guardian died


def test_management_command_scan(registry: dict[str, Resident], capsys: Any) -> None:
    call_command("youthaid", "scan")
    out = capsys.readouterr().out
    assert "youths put on the outreach list: 2" in out
    call_command("youthaid", "entitlements", "2026")
    assert "total may still receive in 2026" in capsys.readouterr().out


def test_entitlements_respect_used_amounts_and_caps(registry: dict[str, Resident]) -> None:
    known = Youth.objects.get(person=registry["known"])
    Youth.objects.filter(pk=known.pk).update(hardship_grade=2, serious_illness=True, stage="junior")
    types = {a.code: a for a in AidType.objects.all()}
    medical, living = types["medical"], types["living"]
    Application.objects.create(youth=known, aid_type=medical, year=2026, requested_fen=500_000, reason="x",
                               status="paid", approved_fen=400_000)
    Application.objects.create(youth=known, aid_type=medical, year=2026, requested_fen=300_000, reason="x",
                               status="recommended", recommended_fen=200_000)
    Application.objects.create(youth=known, aid_type=medical, year=2026, requested_fen=100_000, reason="x",
                               status="applied")
    Application.objects.create(youth=known, aid_type=medical, year=2026, requested_fen=900_000, reason="x",
                               status="rejected")
    Application.objects.create(youth=known, aid_type=medical, year=2025, requested_fen=900_000, reason="x",
                               status="paid", approved_fen=900_000)
    Application.objects.create(youth=known, aid_type=living, year=2026, requested_fen=100_000, reason="x",
                               status="approved", approved_fen=100_000)
    rows = {e.aid_type: e for e in entitlements(2026)}
    assert rows["medical"].used_fen == 400_000 + 200_000 + 100_000  # the rejected and last year's do not count
    assert rows["medical"].left_fen == 2_000_000 - 700_000
    assert rows["living"].used_fen == 100_000 and rows["living"].left_fen == 100_000  # grade 2: 2,000 at most
    assert rows["education"].left_fen == 0  # not a university student
    assert rows["medical"].town == "溧城街道"
    from ..actions import used_fen

    assert rows["medical"].used_fen == used_fen(known.pk, medical.pk, 2026)

    Application.objects.create(youth=known, aid_type=living, year=2026, requested_fen=100_000, reason="x",
                               status="applied")
    assert {e.aid_type: e.left_fen for e in entitlements(2026, youths=[known.pk])}["living"] == 0  # cap reached
    totals = {(t.aid_type, t.town): t for t in entitlement_totals(2026)}
    assert totals[("medical", "溧城街道")].left_fen == 1_300_000 and totals[("medical", "溧城街道")].youths == 1
    assert ("living", "溧城街道") not in totals
    # Outside monitoring: nothing is reckoned.
    Youth.objects.filter(pk=known.pk).update(status=CaseStatus.CLOSED)
    assert entitlements(2026) == []


def test_entitlements_are_a_few_queries(registry: dict[str, Resident], django_assert_max_num_queries: Any) -> None:
    scan_registry(today=TODAY)
    Youth.objects.update(status=CaseStatus.ACTIVE, hardship_grade=1)
    with django_assert_max_num_queries(4):
        rows = entitlements(2026)
    assert len(rows) == 3 * AidType.objects.filter(active=True).count()


@pytest.mark.django_db
def test_demo_builds_the_case_load_once() -> None:
    from longcheng.kernel import demo
    from longcheng.kernel.ledger import actions as ledger
    from longcheng.kernel.ledger.demo import build as build_funds
    from longcheng.kernel.ledger.models import JournalEntry

    from .. import actions
    from ..demo import build
    from ..models import Payment, PaymentBatch, PayStatus, RoomProject, Volunteer

    quiet = lambda *a, **k: None  # noqa: E731
    demo.build_places(log=quiet)
    demo.build_orgs(log=quiet)
    demo.build_staff(log=quiet)
    demo.build_residents(residents=1500, log=quiet)
    build_funds()
    build(log=quiet)

    assert Youth.objects.count() == 403
    registry_found = Youth.objects.filter(status=CaseStatus.OUTREACH, reports__channel=Channel.REGISTRY).distinct()
    assert registry_found.count() >= 6  # the scan's families (and the children of deaths recorded in the registry)
    assert Youth.objects.filter(status=CaseStatus.ACTIVE).count() > 300
    for status in (CaseStatus.REPORTED, CaseStatus.NEEDS_INFO, CaseStatus.NOT_ELIGIBLE, CaseStatus.APPEALED):
        assert Youth.objects.filter(status=status).exists(), status
    fund = actions.youth_fund()
    donation = JournalEntry.objects.get(idempotency_key="demo:youthaid:donation")
    assert donation.postings.get(account__fund=fund, account__kind="fund").amount_fen == 500_000_000
    first = PaymentBatch.objects.order_by("pk").first()
    assert first is not None and first.status == "paid"
    assert actions.paid_total(Payment.objects.filter(batch=first)) == 79_100_000  # 791,000 yuan
    assert Payment.objects.filter(batch=first).count() == 212
    assert Payment.objects.filter(status=PayStatus.REISSUED).count() == 1  # returned by the bank, re-issued
    reissued = Payment.objects.filter(reissue_of__isnull=False)
    assert reissued.count() == 1 and all(p.batch.status == "open" for p in reissued)
    assert actions.reaided_count(Youth.objects.all()) == 2  # the second batch's living assistance
    assert Application.objects.filter(status="recommended", is_reaid=True).count() == 4
    assert Volunteer.objects.count() == 40 and RoomProject.objects.count() == 8
    # The fund's statement reconciles with its accounts, and every payment has its posting.
    today = dt.date.today()
    statement = ledger.statement(fund, dt.date(2000, 1, 1), today + dt.timedelta(days=1))
    for line in statement.lines:
        account = ledger.fund_account(fund, line.kind)
        assert line.closing_fen == account.balance_fen
    assert Payment.objects.filter(status__in=["paid", "returned", "reissued"], entry__isnull=True).count() == 0
    committed = ledger.fund_account(fund, "commitment").balance_fen
    open_apps = sum(a.approved_fen or 0 for a in Application.objects.filter(status="approved"))
    rooms = sum(r.budget_fen for r in RoomProject.objects.filter(status__in=["approved", "in_progress"]))
    assert committed == open_apps + rooms  # re-issued payments and approved rooms wait in the commitment

    counts = (Youth.objects.count(), Report.objects.count(), Payment.objects.count(), JournalEntry.objects.count(),
              Resident.objects.count())
    build(log=quiet)
    assert (Youth.objects.count(), Report.objects.count(), Payment.objects.count(), JournalEntry.objects.count(),
            Resident.objects.count()) == counts
