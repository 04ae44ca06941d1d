"""The demo's share of 倾溧助: a synthetic case load of 溧阳 (403 youths who lost a parent) with their
families in the registry, screenings, visits, consents, a fund of 5,000,000 yuan and a first payment
batch of 791,000 yuan, a returned and re-issued payment, applications awaiting review, hope parents
and dream rooms; and a few deaths fed through the registry, so the outreach list shows automatic
discovery. Every person is fictitious (valid-checksum ID numbers from the demo numbering, in a range
far from the city's residents). Idempotent: the fund's demo donation marks a built demo, and a
second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from longcheng.kernel.ledger.models import JournalEntry

from .models import CaseStatus, Youth

TOTAL = 403  # the case load (with the youths found through the registry)
DONATION_KEY = "demo:youthaid:donation"
DONATION_FEN = 500_000_000  # 5,000,000 yuan
REGISTRY_DEATHS = 3  # deaths recorded through the registry among the city's residents
SCAN_FAMILIES = 6  # families whose loss is in the registry but not yet a case: the scan finds them
# Demo numbering (kernel.demo.resident_number) far beyond the city's residents: youths, parents, elders.
K_YOUTH, K_PARENT, K_ELDER = 90_000_000, 91_000_000, 92_000_000
SEED = 403_791
TOWNS = ["溧城街道", "埭头镇", "上黄镇", "戴埠镇", "天目湖镇", "别桥镇", "上兴镇", "竹箦镇", "南渡镇", "社渚镇"]
ROADS = ["燕山路", "平陵路", "昆仑路", "天目湖大道", "育才路", "罗湾路", "南环路", "东大街", "西门大街"]
BANKS = ["中国农业银行溧阳支行", "江苏溧阳农村商业银行", "中国工商银行溧阳支行", "江苏银行溧阳支行"]
PRIMARY = ["溧阳市实验小学（演示）", "溧阳市南渡中心小学（演示）", "溧阳市东升小学（演示）"]
JUNIOR = ["溧阳市城区初级中学（演示）", "溧阳市埭头中学（演示）", "溧阳市戴埠初级中学（演示）"]
SENIOR = ["溧阳市第一高级中学（演示）", "江苏省溧阳中学（演示）", "溧阳市光华高级中学（演示）"]
VOCATIONAL = ["溧阳中等专业学校（演示）"]
UNIVERSITY = ["常州大学", "常州工学院", "江苏理工学院（演示）", "南京师范大学（演示）", "常州信息职业技术学院（演示）"]
CAUSES = ["因病", "因交通事故", "因工伤事故", "因突发疾病", "因癌症"]
REPORT_NOTES = {
    "school": "班主任反映：该生{parent}{cause}去世，家庭收入骤减，近来情绪低落，学习成绩下滑。",
    "community": "社区网格员走访发现：{parent}{cause}去世，家中仅靠{survivor}打零工维持生活。",
    "village": "村委会报告：{parent}{cause}去世，家里还有年迈的老人需要照顾，经济困难。",
    "league": "团委志愿者反映：孩子{parent}{cause}去世后很少与人交流，希望有人长期关心。",
}
CONTACT_NOTES = ["一起吃饭，聊了学校里的事，孩子比上次开朗。", "电话询问期中考试情况，鼓励孩子坚持。",
                 "陪孩子去图书馆，买了两本课外书。", "微信聊天，提醒按时吃饭、注意休息。", "周末一起去天目湖散步。"]
Log = Callable[[str], None]


@dataclass
class Family:
    """One synthetic case: the youth, the parents and the plan for the case."""

    youth: Any
    father: Any
    mother: Any
    deceased: Any
    survivor: Any
    status: str
    town: str
    grid: Any
    both_dead: bool = False
    remarried: bool = False
    spouse: Any = None
    elder: Any = None
    channel: str = "school"
    cause: str = ""
    profile: dict[str, Any] = field(default_factory=dict)


def _people_pools(rng: random.Random) -> dict[str, list[tuple[str, dt.date, bool]]]:
    """Valid, fictitious ID numbers from the demo numbering, by birth window and gender: youths born
    2002-2020, parents 1965-1990, elders 1940-1962. Deterministic (k in order; none already registered)."""
    from longcheng.kernel.demo import _slot, resident_number
    from longcheng.kernel.people.models import Resident

    def scan(k0: int, low: int, high: int, count: int) -> list[tuple[str, dt.date, bool]]:
        out: list[tuple[str, dt.date, bool]] = []
        k = k0
        while len(out) < count:
            birth, seq = _slot(k)
            if low <= birth.year <= high:
                out.append((resident_number(k, "320481"), birth, seq % 2 == 1))
            k += 1
        taken = set(Resident.objects.filter(resident_id__in=[n for n, _b, _m in out]).values_list("resident_id", flat=True))
        return [row for row in out if row[0] not in taken]

    return {"youth": scan(K_YOUTH, 2002, 2020, TOTAL + 40), "parent": scan(K_PARENT, 1965, 1990, 2 * TOTAL + 300),
            "elder": scan(K_ELDER, 1940, 1962, 80)}


def _stage(age: int, rng: random.Random) -> tuple[str, str, str]:
    if age < 6:
        return "preschool", "溧阳市机关幼儿园（演示）", "大班"
    if age < 12:
        return "primary", rng.choice(PRIMARY), f"{'一二三四五六'[age - 6]}年级"
    if age < 15:
        return "junior", rng.choice(JUNIOR), f"初{'一二三'[age - 12]}"
    if age < 18:
        if rng.random() < 0.2:
            return "vocational", VOCATIONAL[0], f"{age - 14}年级"
        return "senior", rng.choice(SENIOR), f"高{'一二三'[age - 15]}"
    if age > 22:
        return "university", rng.choice(UNIVERSITY), "研一" if age == 23 else "研二"
    return "university", rng.choice(UNIVERSITY), f"大{'一二三四五'[age - 18]}"


def build(*, log: Log = print, progress: Callable[[int], None] | None = None, **options: Any) -> None:
    from longcheng.kernel.places.models import Place

    if JournalEntry.objects.filter(idempotency_key=DONATION_KEY).exists():
        log(f"  youth aid: {Youth.objects.count()} youths already")
        if progress:
            progress(1)
        return
    liyang = Place.objects.filter(code="320481").first()
    if liyang is None or not Place.objects.filter(path__startswith=liyang.path, level="grid").exists():
        log("  youth aid: no 溧阳市 grids in the demo places; skipped")
        return
    _Builder(liyang, log).run()
    if progress:
        progress(1)


class _Builder:
    def __init__(self, liyang: Any, log: Log) -> None:
        from longcheng.kernel.access.models import User
        from longcheng.kernel.places.models import Place

        self.log = log
        self.liyang = liyang
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.rng = random.Random(SEED)
        admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()

        def user(name: str) -> Any:
            found = User.objects.filter(username=name).first() or admin
            if found is None:
                raise RuntimeError("build the staff accounts first")
            return found

        self.worker, self.reviewer, self.reporter = (user("youthaid_caseworker"), user("youthaid_reviewer"),
                                                     user("youthaid_reporter"))
        self.registrar = admin or self.worker  # records deaths (people.manage): the superuser
        grids = list(Place.objects.filter(path__startswith=liyang.path, level="grid").select_related("parent__parent")
                     .order_by("code"))
        self.grids = grids
        self.communities = list(Place.objects.filter(path__startswith=liyang.path, level="community").order_by("code"))

    def say(self, text: str) -> None:
        self.log(f"  youth aid: {text}")

    def run(self) -> None:
        import time

        began = time.perf_counter()
        from . import actions

        with transaction.atomic():
            from longcheng.kernel.orgs.models import Organisation

            # The demo installation opens the fund, owned by the charity federation, at 溧阳.
            self.fund = actions.do_open_fund(acting_user=None, place=self.liyang,
                                             owner=Organisation.objects.filter(code="charity-liyang").first())
            from longcheng.kernel.ledger import actions as ledger

            ledger.do_donate(self.fund, DONATION_FEN, donor_name="溧阳市慈善总会 倾溧助专项募捐",
                             acting_user=self.reviewer, idempotency_key=DONATION_KEY,
                             at=self.now - dt.timedelta(days=300))
            found = self.registry_deaths()
            self.say(f"{found} youths put on the outreach list by deaths recorded in the registry")
            families = self.families(TOTAL - found)
            self.say(f"{len(families)} families in the registry ({time.perf_counter() - began:.1f} s)")
            self.cases([f for f in families if f.status != CaseStatus.OUTREACH])
            from .scan import scan_registry

            # The families left without a case are found by the registry scan, as a nightly run would.
            result = scan_registry(acting_user=self.worker, today=self.today)
            self.say(f"registry scan: {result.found} more youths on the outreach list {result.by_outcome}")
            self.say(f"{Youth.objects.count()} youths, screened and visited ({time.perf_counter() - began:.1f} s)")
            self.first_batch()
            self.second_batch()
            self.awaiting_review()
            self.hope_parents()
            self.rooms()
        self.say(f"built in {time.perf_counter() - began:.1f} s")

    # --- the registry -------------------------------------------------------------------------------------

    def registry_deaths(self) -> int:
        """Deaths recorded through the registry action among the city's own residents of 溧阳: the
        event puts their children on the outreach list at once."""
        from longcheng.kernel.people.actions import do_record_death
        from longcheng.kernel.people.models import Relationship, Resident

        before = Youth.objects.count()
        links = (Relationship.objects.filter(kind__in=["father", "mother"], person__place__path__startswith=self.liyang.path,
                                             person__died_on__isnull=True, relative__died_on__isnull=True,
                                             person__youthaid__isnull=True)
                 .order_by("relative_id").values_list("relative_id", flat=True))
        parents: list[int] = []
        for pk in links:
            if pk not in parents:
                parents.append(pk)
            if len(parents) == REGISTRY_DEATHS:
                break
        for n, pk in enumerate(parents):
            person = Resident.objects.get(pk=pk)
            died = self.today - dt.timedelta(days=4 + 9 * n)
            if died <= person.birth_date:
                continue
            do_record_death(person, died_on=died, acting_user=self.registrar, reason="医院死亡证明，户籍注销（演示）")
        return Youth.objects.count() - before

    def families(self, cases: int) -> list[Family]:
        """The youths, their parents (one died 2015-2026; some remarried survivors, some both dead,
        grandparents as guardians), in 溧阳's grids with households and the registry's links."""
        from longcheng.kernel.demo import SEED_PAGE_NAMES, NamePool
        from longcheng.kernel.people.models import Household, Relationship, Resident
        from longcheng.kernel.people.validators import age_on

        rng = self.rng
        pools = _people_pools(rng)
        names = self.names = NamePool()
        youths = pools["youth"]
        fathers = [p for p in pools["parent"] if p[2]]
        mothers = [p for p in pools["parent"] if not p[2]]
        elders = list(pools["elder"])

        def pick(pool: list[tuple[str, dt.date, bool]], born: dt.date) -> tuple[str, dt.date, bool]:
            for i, row in enumerate(pool):
                if 22 <= born.year - row[1].year <= 40:
                    return pool.pop(i)
            return pool.pop(0)

        def name(surname: str, male: bool) -> str:
            while True:
                text = surname + rng.choice(names.male if male else names.female)
                if text not in SEED_PAGE_NAMES:
                    return text

        def phone() -> str:
            return f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}"

        # Plan: the last SCAN_FAMILIES stay outside the fund (the scan finds them); of the rest, a few
        # reported, needing information, not eligible or appealed, and the others under monitoring.
        plan = ([CaseStatus.REPORTED] * 14 + [CaseStatus.NEEDS_INFO] * 12 + [CaseStatus.NOT_ELIGIBLE] * 9
                + [CaseStatus.APPEALED] * 4)
        n_cases = cases - SCAN_FAMILIES
        statuses = [CaseStatus.ACTIVE] * (n_cases - len(plan)) + plan
        rng.shuffle(statuses)
        statuses += [CaseStatus.OUTREACH] * SCAN_FAMILIES
        households, people, out = [], [], []
        for i, (number, born, male) in enumerate(youths[:cases]):
            grid = self.grids[(i * 7) % len(self.grids)]
            town = grid.parent.parent.name if grid.parent and grid.parent.parent else "溧阳市"
            surname = rng.choice(names.surnames)
            f_row, m_row = pick(fathers, born), pick(mothers, born)
            address = f"{town}{rng.choice(ROADS)}{rng.randint(1, 299)}号"
            household = Household(place=grid, address=address)
            households.append(household)

            def person(row: tuple[str, dt.date, bool], text: str, *, adult: bool = True, where: Any = grid,
                       home: Any = household, address: str = address) -> Any:
                made = Resident(resident_id=row[0], name=text, gender="M" if row[2] else "F", birth_date=row[1],
                                phone=phone() if adult else "", place=where, household=home, address=address)
                people.append(made)
                return made

            youth = person((number, born, male), name(surname, male), adult=age_on(born, self.today) >= 16)
            father = person(f_row, name(surname, True))
            mother = person(m_row, name(rng.choice(names.surnames), False))
            status = statuses[i]
            father_died = rng.random() < 0.62  # fathers die younger, as in the fund's own figures
            deceased, survivor = (father, mother) if father_died else (mother, father)
            earliest = max(dt.date(2015, 1, 1), born + dt.timedelta(days=30))
            span = max((self.today - dt.timedelta(days=20) - earliest).days, 1)
            deceased.died_on = earliest + dt.timedelta(days=rng.randint(0, span))
            fam = Family(youth=youth, father=father, mother=mother, deceased=deceased, survivor=survivor,
                         status=status, town=town, grid=grid, cause=rng.choice(CAUSES),
                         channel=rng.choice(list(REPORT_NOTES)))
            if status == CaseStatus.ACTIVE and i % 40 == 3:  # both parents died: a grandparent is guardian
                fam.both_dead = True
                span2 = max((self.today - deceased.died_on).days - 1, 1)
                survivor.died_on = deceased.died_on + dt.timedelta(days=rng.randint(1, span2))
                if age_on(born, self.today) < 18 and elders:
                    e_row = elders.pop(0)
                    fam.elder = person(e_row, name(surname if e_row[2] else rng.choice(names.surnames), e_row[2]))
            elif status in (CaseStatus.NOT_ELIGIBLE, CaseStatus.APPEALED) and i % 3 != 0:
                fam.remarried = True  # the survivor married again: the registry links the new spouse
                partner = pick(mothers if survivor.gender == "M" else fathers, born)
                fam.spouse = person(partner, name(rng.choice(names.surnames), partner[2]), home=None)
            out.append(fam)
        Household.objects.bulk_create(households, batch_size=1000)
        for p in people:
            p.household_id = p.household.pk if p.household else None
        Resident.objects.bulk_create(people, batch_size=1000)
        links = []
        for f in out:
            minor = age_on(f.youth.birth_date, self.today) < 18
            for parent, kind in ((f.father, "father"), (f.mother, "mother")):
                guardian = minor and parent is f.survivor and parent.died_on is None
                links += [Relationship(person=f.youth, relative=parent, kind=kind, is_guardian=guardian,
                                       is_family_contact=parent.died_on is None),
                          Relationship(person=parent, relative=f.youth, kind="child")]
            links += [Relationship(person=f.father, relative=f.mother, kind="spouse"),
                      Relationship(person=f.mother, relative=f.father, kind="spouse")]
            if f.spouse is not None:
                links += [Relationship(person=f.survivor, relative=f.spouse, kind="spouse"),
                          Relationship(person=f.spouse, relative=f.survivor, kind="spouse")]
            if f.elder is not None:
                links += [Relationship(person=f.youth, relative=f.elder, kind="grandparent", is_guardian=True,
                                       is_family_contact=True),
                          Relationship(person=f.elder, relative=f.youth, kind="grandchild")]
        Relationship.objects.bulk_create(links, batch_size=1000)
        return out

    # --- the cases --------------------------------------------------------------------------------------------

    def cases(self, families: list[Family]) -> None:
        """The cases reported by schools, communities, villages and the Youth League: profiles,
        consents, reports, screenings (the criteria's own reasons) and follow-up visits."""
        from longcheng.kernel.people.models import Consent
        from longcheng.kernel.people.validators import age_on

        from . import rules
        from .conf import conf, visit_days
        from .models import Outcome, Report, Screening, Trigger, Visit

        rng = self.rng
        line = conf("YOUTHAID_INCOME_LINE_FEN")
        rows = []
        for f in families:
            age = age_on(f.youth.birth_date, self.today)
            stage, school, grade = _stage(age, rng)
            size = rng.randint(2, 5) if not f.both_dead else rng.randint(1, 3)
            low = f.status not in (CaseStatus.NOT_ELIGIBLE, CaseStatus.APPEALED) or f.remarried
            per_head = int(line * rng.uniform(0.35, 0.9)) if low else int(line * rng.uniform(1.3, 2.0))
            known = f.status != CaseStatus.NEEDS_INFO
            hardship = rng.choice([0, 0, 1, 2, 3]) if known and low else 0
            f.profile = {"stage": stage, "hardship_grade": hardship}
            youth = Youth(
                person=f.youth, status=f.status, risk=rng.choice(["low", "medium", "medium", "high"]),
                case_worker=self.worker, deceased_parent=f.deceased, parent_died_on=f.deceased.died_on,
                surviving_parent=f.survivor,
                surviving_parent_status=("deceased" if f.both_dead else "remarried" if f.remarried else "not_remarried"),
                guardian=(f.elder if f.both_dead else f.survivor) if age < 18 else None,
                stage=stage if f.status != CaseStatus.REPORTED else "", school=school, grade=grade,
                university_admitted_year=(self.today.year - (age - 18) if stage == "university" and age <= 22 else
                                          (self.today.year - 4 if stage == "university" else None)),
                household_size=size if known else None,
                monthly_income_fen=(per_head * size // 10_000) * 10_000 if known else None,
                hardship_grade=hardship,
                needs=rng.choice(["学费和生活费", "心理疏导", "课业辅导", "冬衣和学习用品", "住房修缮"]),
                appeal_note=("母亲虽已再婚，但继父不承担孩子的生活费用，家庭实际仍很困难，申请复核。"
                             if f.status == CaseStatus.APPEALED and f.remarried else
                             "家庭收入中包含一次性赔偿款，不是经常性收入，申请复核。"
                             if f.status == CaseStatus.APPEALED else ""))
            rows.append((f, youth))
        created = Youth.objects.bulk_create([y for _f, y in rows], batch_size=1000)
        self.youths = created
        reports, screenings, consents, visits = [], [], [], []
        for (f, _y), youth in zip(rows, created, strict=True):
            note = REPORT_NOTES[f.channel].format(parent="父亲" if f.deceased is f.father else "母亲", cause=f.cause,
                                                  survivor="母亲" if f.survivor is f.mother else "父亲")
            reports.append(Report(youth=youth, reporter=self.reporter, channel=f.channel, note=note))
            if f.status == CaseStatus.REPORTED:
                continue
            reasons = rules.criteria(rules.facts_of(youth), self.today)
            outcome = rules.outcome_of(reasons)
            screenings.append(Screening(youth=youth, outcome=outcome, reasons=[r.as_dict() for r in reasons],
                                        trigger=Trigger.INTAKE, by=self.worker))
            expected = {CaseStatus.ACTIVE: Outcome.ELIGIBLE, CaseStatus.NEEDS_INFO: Outcome.NEEDS_INFO}.get(
                CaseStatus(f.status), Outcome.NOT_ELIGIBLE)
            if outcome != expected:  # the rules decide (a changed income line in the settings, say)
                youth.status = {Outcome.ELIGIBLE: CaseStatus.ACTIVE, Outcome.NEEDS_INFO: CaseStatus.NEEDS_INFO}.get(
                    Outcome(outcome), CaseStatus.NOT_ELIGIBLE)
                Youth.objects.filter(pk=youth.pk).update(status=youth.status)
            age = age_on(f.youth.birth_date, self.today)
            given_by = youth.guardian if age < 14 and youth.guardian else f.youth
            when = self.now - dt.timedelta(days=rng.randint(120, 300))
            consents.append(Consent(subject=f.youth, given_by=given_by, purpose="youthaid", given_at=when,
                                    scope="身份、家庭、学业和家庭经济情况，用于跟踪帮扶", recorded_by=self.worker))
            if youth.status == CaseStatus.ACTIVE:
                consents.append(Consent(subject=f.youth, given_by=given_by, purpose="youthaid", given_at=when,
                                        sensitive=True, scope="健康状况和银行账户，用于审核和发放救助",
                                        recorded_by=self.worker))
                last = self.today - dt.timedelta(days=rng.randint(5, 80))
                if rng.random() < 0.12:  # a few visits overdue: the case worker's list shows them first
                    last = self.today - dt.timedelta(days=rng.randint(100, 150))
                risk = youth.risk
                for back in (rng.randint(90, 150), 0)[rng.randint(0, 1):]:
                    day = last - dt.timedelta(days=back)
                    visits.append(Visit(youth=youth, visited_on=day, situation=rng.choice([
                        "孩子在校表现稳定，和同学相处融洽。", "家中老人身体不好，孩子放学后要做家务。",
                        "期中考试成绩有进步，情绪比上次开朗。", "幸存家长工作不稳定，家庭收入偏低。"]),
                        needs=youth.needs, risk=risk, next_due=day + dt.timedelta(days=visit_days(risk)),
                        by=self.worker))
                youth.last_visit_on = last
                youth.next_visit_due = last + dt.timedelta(days=visit_days(risk))
        Report.objects.bulk_create(reports, batch_size=1000)
        Screening.objects.bulk_create(screenings, batch_size=1000)
        Consent.objects.bulk_create(consents, batch_size=1000)
        Visit.objects.bulk_create(visits, batch_size=1000)
        Youth.objects.bulk_update([y for y in created if y.last_visit_on], ["last_visit_on", "next_visit_due"],
                                  batch_size=500)

    # --- money -------------------------------------------------------------------------------------------------

    def _active(self) -> list[Youth]:
        from longcheng.kernel.people.validators import age_on

        active = [y for y in self.youths if y.status == CaseStatus.ACTIVE]
        for y in active:
            y.age = age_on(y.person.birth_date, self.today)  # type: ignore[attr-defined]
        return active

    def _proof(self, label: str) -> SimpleUploadedFile:
        # A one-page PDF standing in for a scan: proofs are PDF, JPEG or PNG (kernel.uploads).
        note = f"{label} demo material, not a real document".encode("unicode_escape").decode("ascii")
        body = ("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
                "endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
                f"% {note}\ntrailer<</Root 1 0 R>>\n%%EOF\n")
        return SimpleUploadedFile(f"{label}.pdf", body.encode("ascii"), content_type="application/pdf")

    def first_batch(self) -> None:
        """50 education grants of 6,000, living assistance 60 × 1,000 + 60 × 2,000 + 30 × 3,000 and
        medical re-aid 11 × 20,000 + 1 × 1,000: 791,000 yuan. Applications, proofs and audit rows in
        bulk; each approval commits its amount on the fund (keys as the review action's); the batch
        is made and paid through the payment actions."""
        from django.contrib.contenttypes.models import ContentType

        from longcheng.kernel.audit.models import AuditEntry
        from longcheng.kernel.ledger import actions as ledger

        from . import actions
        from .models import AidType, Application, AppStatus, Attachment

        rng = self.rng
        types = {a.code: a for a in AidType.objects.all()}
        active = self._active()
        used: set[int] = set()

        def take(count: int, test: Callable[[Youth], bool]) -> list[Youth]:
            chosen = [y for y in active if y.pk not in used and test(y)][:count]
            if len(chosen) < count:
                raise RuntimeError(f"the demo case load has too few youths for its first batch ({len(chosen)})")
            used.update(y.pk for y in chosen)
            return chosen

        education = take(50, lambda y: y.stage == "university")
        plan: list[tuple[Youth, str, int]] = [(y, "education", 600_000) for y in education]
        for grade, count in ((1, 60), (2, 60), (3, 30)):
            for y in take(count, lambda y: True):
                y.hardship_grade = grade
                plan.append((y, "living", grade * 100_000))
        for n, y in enumerate(take(12, lambda y: True)):
            y.serious_illness = True
            y.health_note = rng.choice(["白血病，化疗中", "先天性心脏病术后", "重度烧伤康复期", "肾病综合征"])
            plan.append((y, "medical", 2_000_000 if n < 11 else 100_000))
        self.medical_small = plan[-1][0]
        self.education = education
        self.spare = [y for y in active if y.pk not in used]
        aided = {y.pk: y for y, _c, _a in plan}
        for y in aided.values():
            y.bank_name = rng.choice(BANKS)
            y.bank_account = (f"622848{rng.randint(0, 10**13 - 1):013d}" if rng.random() < 0.7
                              else f"6217{rng.randint(0, 10**12 - 1):012d}")
        Youth.objects.bulk_update(list(aided.values()), ["hardship_grade", "serious_illness", "health_note",
                                                         "bank_name", "bank_account"], batch_size=500)
        applied = self.now - dt.timedelta(days=75)
        reasons = {"education": "已被大学录取，家庭无力承担学费，申请助学金。",
                   "living": "家庭生活困难，申请生活救助。", "medical": "住院治疗费用经医保报销后自付部分仍较高，申请医疗再救助。"}
        apps = [Application(youth=y, aid_type=types[code], year=self.today.year, requested_fen=amount,
                            reason=reasons[code], status=AppStatus.APPROVED, recommended_fen=amount,
                            recommendation="经走访核实，情况属实，建议资助。", recommended_by=self.worker,
                            recommended_at=applied + dt.timedelta(days=5), approved_fen=amount,
                            decision_reason="符合条件，同意资助。", decided_by=self.reviewer,
                            decided_at=applied + dt.timedelta(days=12), created_by=self.worker)
                for y, code, amount in plan]
        Application.objects.bulk_create(apps, batch_size=500)
        proofs = [(a, self._proof(a.aid_type.proof_label or "证明材料")) for a in apps if a.aid_type.proof_required]
        Attachment.objects.bulk_create([Attachment(application=a, file=proof, name=str(proof.name), size=proof.size or 0,
                                                   uploaded_by=self.worker) for a, proof in proofs], batch_size=200)
        fund_account = ledger.fund_account(self.fund)
        commitment = ledger.fund_account(self.fund, ledger.AccountKind.COMMITMENT)
        ledger.do_post_entries([ledger.EntrySpec(
            lines=[(fund_account, -(a.approved_fen or 0)), (commitment, a.approved_fen or 0)],
            memo=f"{a.aid_type.name} {a.year}", idempotency_key=f"youthaid:commit:{a.pk}") for a in apps],
            kind="commitment", acting_user=self.reviewer, audit_obj=self.fund, at=applied + dt.timedelta(days=12))
        youth_type = ContentType.objects.get_for_model(Youth)
        AuditEntry.objects.bulk_create([
            AuditEntry(actor=actor, action=action, object_type=youth_type, object_id=str(a.youth.pk),
                       object_repr=str(a.youth.person)[:200], reason=why,
                       after={"application": a.pk, "aid_type": a.aid_type.code, "amount_fen": a.approved_fen})
            for a in apps for actor, action, why in ((self.worker, "youthaid.apply", a.reason),
                                                     (self.worker, "youthaid.recommend", a.recommendation),
                                                     (self.reviewer, "youthaid.decide", a.decision_reason))],
            batch_size=1000)
        batch = actions.do_create_batch(title=f"{self.today.year}年倾溧助第一批资助发放", acting_user=self.reviewer,
                                        applications=[a.pk for a in apps])
        actions.do_pay_batch(batch, acting_user=self.reviewer)
        self.say(f"first batch {batch.code}: {batch.count} payments, {ledger.format_fen(batch.total_fen)}")

    def second_batch(self) -> None:
        """Re-aid: two youths who had the education grant in the first batch fall into hardship and
        get living assistance through the real actions, paid in a second batch; the bank returns one
        (a closed account), which is re-issued into an open batch."""
        from . import actions

        pair = self.education[3:5]
        apps = []
        for n, y in enumerate(pair):
            actions.do_update_profile(y.pk, acting_user=self.worker, reason="家访核实困难等级和银行账户",
                                      hardship_grade=1, bank_name=BANKS[n], bank_account=f"62284800{y.pk:011d}")
            app = actions.do_apply(y.pk, aid_type="living", amount_fen=100_000, acting_user=self.worker,
                                   reason="在世家长失业，入学后生活费无着落，申请生活救助。")
            actions.do_recommend(app, recommend=True, note="情况属实，建议按一级困难标准资助。", acting_user=self.worker)
            apps.append(actions.do_decide(app, approve=True, reason="", acting_user=self.reviewer))
        batch = actions.do_create_batch(title=f"{self.today.year}年倾溧助第二批资助发放", acting_user=self.reviewer,
                                        applications=[a.pk for a in apps])
        actions.do_pay_batch(batch, acting_user=self.reviewer)
        from .models import Payment

        for payment, why in zip(Payment.objects.filter(batch=batch).order_by("pk")[:1], ["账户已销户"], strict=True):
            actions.do_return_payment(payment, reason=why, acting_user=self.reviewer)
            actions.do_update_profile(payment.youth_id, acting_user=self.worker, reason="家长提供新的银行卡",
                                      bank_account=f"62170000{payment.youth_id:011d}")
            actions.do_reissue(payment, acting_user=self.reviewer)
        self.say(f"second batch {batch.code}: 2 re-aid payments, 1 returned by the bank and re-issued")

    def awaiting_review(self) -> None:
        """Re-aid applications recommended by the case worker (the review page has work), and two
        fresh ones awaiting the case worker."""
        from . import actions

        small = self.medical_small
        app = actions.do_apply(small.pk, aid_type="medical", amount_fen=800_000, acting_user=self.worker,
                               reason="病情复发再次住院，自付费用约八千元，申请医疗再救助。",
                               attachments=[self._proof("医疗费用票据")])
        actions.do_recommend(app, recommend=True, note="已核对住院票据，建议资助。", acting_user=self.worker)
        for y in self.education[:3]:
            actions.do_update_profile(y.pk, acting_user=self.worker, reason="入学后家庭经济状况复核", hardship_grade=2)
            app = actions.do_apply(y.pk, aid_type="living", amount_fen=200_000, acting_user=self.worker,
                                   reason="入学后生活费无着落，申请生活救助。")
            actions.do_recommend(app, recommend=True, note="二级困难，建议资助两千元。", acting_user=self.worker)
        for y in self.spare[:2]:
            actions.do_update_profile(y.pk, acting_user=self.worker, reason="家访核实困难等级", hardship_grade=1)
            actions.do_apply(y.pk, aid_type="living", amount_fen=100_000, acting_user=self.worker,
                             reason="家庭收入低于困难线，申请生活救助。")
        self.spare = self.spare[2:]
        self.say("4 re-aid applications awaiting review, 2 awaiting the case worker")

    # --- hope parents and dream rooms ----------------------------------------------------------------------

    def hope_parents(self) -> None:
        from .models import Contact, Pairing, Volunteer

        rng = self.rng
        names = self.names
        jobs = ["教师", "医生", "退休干部", "企业职工", "社区工作者", "律师", "个体经营者", "公务员"]
        statuses = ["vetted"] * 34 + ["applied"] * 3 + ["rejected"] * 2 + ["suspended"]
        volunteers = []
        for n, status in enumerate(statuses):
            volunteers.append(Volunteer(
                name=names.name(rng, rng.random() < 0.4), phone=f"139{SEED % 1000:03d}{n:05d}",
                place=self.communities[n % len(self.communities)] if self.communities else self.grids[0],
                occupation=rng.choice(jobs), status=status,
                vetting_note={"vetted": "背景审查通过，无违法犯罪记录。", "rejected": "无法保证长期陪伴时间。",
                              "suspended": "工作调动离开溧阳，暂停结对。"}.get(status, ""),
                vetted_by=self.worker if status != "applied" else None,
                vetted_at=self.now - dt.timedelta(days=200) if status != "applied" else None))
        Volunteer.objects.bulk_create(volunteers)
        minors = [y for y in self._active() if y.age < 18 and y.pk not in {r.pk for r in self.education}]  # type: ignore[attr-defined]
        pairings = []
        for n, (vol, youth) in enumerate(zip([v for v in volunteers if v.status == "vetted"][:30], minors, strict=False)):
            start = self.today - dt.timedelta(days=rng.randint(40, 400))
            pairings.append(Pairing(volunteer=vol, youth=youth, started_on=start, created_by=self.worker,
                                    ended_on=self.today - dt.timedelta(days=10) if n >= 28 else None))
        Pairing.objects.bulk_create(pairings)
        contacts = []
        for p in pairings:
            end = p.ended_on or self.today
            for _ in range(rng.randint(2, 4)):
                on = p.started_on + dt.timedelta(days=rng.randint(0, max((end - p.started_on).days, 0)))
                contacts.append(Contact(pairing=p, on=on, kind=rng.choice(["visit", "call", "message", "outing"]),
                                        note=rng.choice(CONTACT_NOTES), by=self.worker))
        Contact.objects.bulk_create(contacts)
        self.say(f"{len(volunteers)} hope parents, {len(pairings)} pairings, {len(contacts)} contacts")

    def rooms(self) -> None:
        """Eight dream rooms through the actions: approval commits the budget, completion pays the
        contractor what was spent and returns the rest."""
        from . import actions

        plan = ["proposed", "proposed", "approved", "approved", "in_progress", "done", "done", "cancelled"]
        contractors = ["溧阳市安居装饰工程有限公司（演示）", "溧阳天目湖家装服务部（演示）"]
        youths = self.spare[:len(plan)]
        for n, (y, goal) in enumerate(zip(youths, plan, strict=False)):
            budget = (15 + 3 * n) * 100_000
            room = actions.do_propose_room(y.pk, budget_fen=budget, contractor=contractors[n % 2], acting_user=self.worker,
                                           before_note="房间墙面发霉，没有书桌，孩子只能在饭桌上写作业。")
            if goal == "cancelled":
                actions.do_advance_room(room, to="cancelled", acting_user=self.worker)
                continue
            if goal == "proposed":
                continue
            actions.do_advance_room(room, to="approved", acting_user=self.reviewer)
            if goal in ("in_progress", "done"):
                actions.do_advance_room(room, to="in_progress", acting_user=self.worker)
            if goal == "done":
                actions.do_advance_room(room, to="done", acting_user=self.reviewer, spent_fen=budget - 120_000,
                                        after_note="墙面重新粉刷，添置了书桌、书架和台灯，孩子有了自己的学习角。")
        self.say(f"{len(youths)} dream rooms")
