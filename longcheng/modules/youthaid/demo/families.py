"""The youth aid demo's families: the synthetic youths and parents of 溧阳 in the registry (see
__init__.py), and the builder's base that knows the staff, the places and the random source."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from longcheng.kernel.access.models import User
from longcheng.kernel.demo import SEED_PAGE_NAMES, NamePool, _slot, resident_number
from longcheng.kernel.people.actions import do_record_death
from longcheng.kernel.people.models import Household, Relationship, Resident
from longcheng.kernel.people.validators import age_on
from longcheng.kernel.places.models import Place

from ..models import (
    CaseStatus,
    Youth,
)

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


class FamilyBuilder:
    # Set as the build goes (run, families, cases, first_batch), read by the later steps.
    fund: Any
    names: Any
    youths: list[Youth]
    education: Any
    medical_small: Any
    spare: list[Youth]

    def __init__(self, liyang: Any, log: Log) -> None:
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


    def registry_deaths(self) -> int:
        """Deaths recorded through the registry action among the city's own residents of 溧阳: the
        event puts their children on the outreach list at once."""

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
