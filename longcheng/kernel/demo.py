"""The demo city: a synthetic Changzhou with real place names and fictitious people.

Every step is idempotent. Residents are numbered: resident k always gets the same place, name and
(valid-checksum, fictitious) ID number, so a second run adds nothing and `--residents N` adds only
residents the city does not have yet. No person named in the source news pages appears.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction
from stdnum.cn import ric, uscc

from longcheng.kernel import registry
from longcheng.kernel.access.models import RoleAssignment, User
from longcheng.kernel.orgs.models import Organisation, OrgKind
from longcheng.kernel.people.models import Household, Relationship, Resident
from longcheng.kernel.places.models import Level, Place

DEMO_PASSWORD = "longcheng-demo"
SEED = 20260101
Log = Callable[[str], None]

# People named in the source pages (reporters, officials, residents quoted): never demo residents.
SEED_PAGE_NAMES = frozenset(
    "刘懿 戴雪燕 汪泽涛 丁一 刘敏 王文一 钱航 冯晖 乔强 何美欣 谈莉雯 梅嘉慧 万佳乐 杨艳娜 曹嘉怡 蔡利刚 匡涵均 李慧 "
    "高伟农 高新元 吴美大 李焱 赵艳 邱萍 刘晓松 傅裕 宋靖 荆逸眉 秋冰 郝燕波 李金堂 朱雅萍 周永强 周恩来 耿铭 胡凤 夏国浩".split()
)

CITY = ("320400", "常州市")
DISTRICTS: list[tuple[str, str, str, list[str]]] = [
    ("320402", "天宁区", Level.DISTRICT, ["雕庄街道", "红梅街道", "青龙街道", "茶山街道", "兰陵街道", "天宁街道", "郑陆镇"]),
    ("320404", "钟楼区", Level.DISTRICT, ["南大街街道", "荷花池街道", "五星街道", "永红街道", "北港街道", "西林街道", "邹区镇"]),
    ("320411", "新北区", Level.DISTRICT, ["河海街道", "三井街道", "龙虎塘街道", "春江街道", "孟河镇", "薛家镇", "罗溪镇",
                                          "西夏墅镇", "奔牛镇"]),
    ("320412", "武进区", Level.DISTRICT, ["湖塘镇", "牛塘镇", "洛阳镇", "雪堰镇", "前黄镇", "礼嘉镇", "嘉泽镇", "湟里镇",
                                          "南夏墅街道"]),
    ("320413", "金坛区", Level.DISTRICT, ["金城镇", "儒林镇", "直溪镇", "朱林镇", "薛埠镇", "指前镇", "东城街道", "西城街道"]),
    ("320481", "溧阳市", Level.DISTRICT, ["溧城街道", "埭头镇", "上黄镇", "戴埠镇", "天目湖镇", "别桥镇", "上兴镇", "竹箦镇",
                                          "南渡镇", "社渚镇"]),
    # The economic development zone administers towns of its own and has no GB/T 2260 code.
    ("320400-JK", "常州经开区", Level.ZONE, ["遥观镇", "横林镇", "横山桥镇", "潞城街道", "丁堰街道", "戚墅堰街道"]),
]
# Real community names where the source pages give them; the rest are plausible inventions.
NAMED_COMMUNITIES = {"遥观镇": ["上书房社区", "剑湖社区", "洪庄村"], "横林镇": ["红石榴家园社区", "崔桥村"],
                     "潞城街道": ["路城花苑社区", "万象社区"]}
COMMUNITY_NAMES = ["新华社区", "东方社区", "长虹村", "建设村", "花园社区", "青年社区", "丰收村", "和平社区", "永安村",
                   "迎春社区", "锦绣社区", "运河村", "翠竹社区", "红星村"]
ROADS = ["人民路", "延陵路", "和平路", "青洋路", "长江路", "龙城大道", "武宜路", "常澄路", "通江路", "劳动路", "关河路"]


def _place(code: str, name: str, level: str, parent: Place | None, *, official: bool) -> Place:
    existing = Place.objects.filter(code=code).first()
    if existing is not None:
        return existing
    place = Place(code=code, name=name, level=level, parent=parent, official_code=official)
    place.path = place.compute_path()
    place.depth = parent.depth + 1 if parent else 0
    place.save()
    return place


@transaction.atomic
def build_places(*, log: Log = print, **options: Any) -> None:
    city = _place(*CITY, Level.CITY, None, official=True)
    count = 0
    for code, name, level, streets in DISTRICTS:
        district = _place(code, name, level, city, official=level == Level.DISTRICT)
        for s, street_name in enumerate(streets, start=1):
            street = _place(f"{code}-{s:02d}", street_name, Level.STREET, district, official=False)
            names = NAMED_COMMUNITIES.get(street_name) or [
                street_name[:2] + COMMUNITY_NAMES[(s * 3 + k) % len(COMMUNITY_NAMES)] for k in range(2 + s % 2)]
            for c, community_name in enumerate(names, start=1):
                community = _place(f"{street.code}-{c:02d}", community_name, Level.COMMUNITY, street, official=False)
                for g in (1, 2):
                    _place(f"{community.code}-{g}", f"第{'一二'[g - 1]}网格", Level.GRID, community, official=False)
                count += 1
    log(f"  places: {Place.objects.count()} ({count} communities and villages)")


def _uscc(region: str, n: int) -> str:
    # 9 (registered by market regulation) 1 (enterprise) + region + a 9-character organisation code.
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + region + "".join(alphabet[(n * 7 + i * 13) % len(alphabet)] for i in range(9))
    return body + uscc.calc_check_digit(body + "0")


ORGS: list[tuple[str, str, str, str]] = [
    # (code, kind, name, place code)
    ("league-city", OrgKind.SOCIAL, "共青团常州市委员会", "320400"),
    ("charity-city", OrgKind.SOCIAL, "常州市慈善总会", "320400"),
    ("charity-liyang", OrgKind.SOCIAL, "溧阳市慈善总会", "320481"),
    ("civil-affairs", OrgKind.GOVERNMENT, "常州市民政局", "320400"),
    ("education", OrgKind.GOVERNMENT, "常州市教育局", "320400"),
    ("education-liyang", OrgKind.GOVERNMENT, "溧阳市教育局", "320481"),
    ("market-regulation", OrgKind.GOVERNMENT, "常州市市场监督管理局", "320400"),
    ("market-regulation-wujin", OrgKind.GOVERNMENT, "常州市武进区市场监督管理局", "320412"),
    ("market-regulation-jk", OrgKind.GOVERNMENT, "常州经开区市场监督管理局", "320400-JK"),
    ("tax", OrgKind.GOVERNMENT, "国家税务总局常州市税务局", "320400"),
    ("tax-wujin", OrgKind.GOVERNMENT, "国家税务总局常州市武进区税务局", "320412"),
    ("social-security", OrgKind.GOVERNMENT, "常州市人力资源和社会保障局", "320400"),
    ("social-security-jk", OrgKind.GOVERNMENT, "常州经开区社会保障局", "320400-JK"),
    ("housing-fund", OrgKind.GOVERNMENT, "常州市住房公积金管理中心", "320400"),
    ("power-supply", OrgKind.UTILITY, "国网江苏省电力有限公司常州供电分公司", "320400"),
    ("ecology", OrgKind.GOVERNMENT, "常州市生态环境局", "320400"),
    ("procuratorate", OrgKind.JUDICIAL, "常州市人民检察院", "320400"),
    ("procuratorate-jk", OrgKind.JUDICIAL, "常州经济开发区人民检察院", "320400-JK"),
    ("court", OrgKind.JUDICIAL, "常州市中级人民法院", "320400"),
    ("traffic-police", OrgKind.GOVERNMENT, "常州市公安局交通警察支队", "320400"),
    ("insurer-a", OrgKind.INSURER, "龙城财产保险常州中心支公司（演示）", "320400"),
    ("insurer-b", OrgKind.INSURER, "江南人寿保险常州分公司（演示）", "320400"),
    ("telecom", OrgKind.UTILITY, "中国电信常州分公司", "320400"),
    ("school-yaoguan", OrgKind.SCHOOL, "常州经开区遥观中心小学", "320400-JK"),
    ("school-liyang-high", OrgKind.SCHOOL, "溧阳市第一高级中学（演示）", "320481"),
    ("school-liyang-middle", OrgKind.SCHOOL, "溧阳市城区初级中学（演示）", "320481"),
    ("university-cz", OrgKind.SCHOOL, "常州大学", "320400"),
    ("university-it", OrgKind.SCHOOL, "常州工学院", "320400"),
]
ENTERPRISE_WORDS = ["精工", "新材料", "焊材", "机械", "电子", "纺织", "智能装备", "环保科技", "光伏", "汽车零部件",
                    "生物医药", "物流", "食品", "塑业", "钢管"]
ENTERPRISE_PREFIX = ["龙城", "运河", "天宁", "青枫", "淹城", "滆湖", "长荡湖", "东坡", "延陵", "茅山"]


@transaction.atomic
def build_orgs(*, log: Log = print, **options: Any) -> None:
    places = {p.code: p for p in Place.objects.filter(level__in=[Level.CITY, Level.DISTRICT, Level.ZONE])}
    for code, kind, name, place_code in ORGS:
        Organisation.objects.get_or_create(code=code, defaults={"kind": kind, "name": name,
                                                                "place": places.get(place_code)})
    towns = list(Place.objects.filter(level=Level.STREET).order_by("code"))
    for n in range(30):
        region = ["320412", "320402", "320404", "320411", "320413", "320481"][n % 6]
        name = f"常州{ENTERPRISE_PREFIX[n % 10]}{ENTERPRISE_WORDS[(n * 7) % 15]}有限公司（演示）"
        Organisation.objects.get_or_create(
            code=f"enterprise-{n + 1:02d}",
            defaults={"kind": OrgKind.ENTERPRISE, "name": name, "uscc": _uscc(region, n + 1),
                      "place": towns[(n * 5) % len(towns)] if towns else None},
        )
    log(f"  organisations: {Organisation.objects.count()}")


def _scope_for(role: registry.Role) -> Place | None:
    """The place a role's demo account works in, as the role declares it (`Role.demo_scope`)."""
    if not role.demo_scope:
        return Place.objects.filter(parent__isnull=True).order_by("code").first()
    named = Place.objects.filter(name=role.demo_scope).order_by("depth", "code").first()
    if named is None:
        raise RuntimeError(f"role {role.code!r} declares demo_scope {role.demo_scope!r}, which is no place of the "
                           "demo city")
    return named


def build_staff(*, log: Log = print, **options: Any) -> None:
    with transaction.atomic():
        # Demo accounts sign in with a password only (two_factor_exempt, shown as a notice on every
        # page), so that `make run` stays usable without an authenticator app; real accounts of the
        # same roles must enrol one.
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", password=DEMO_PASSWORD, display_name="平台超级管理员",
                                          two_factor_exempt=True)
        for code, role in registry.roles().items():
            user = User.objects.filter(username=code).first()
            scope = _scope_for(role)
            if user is None:
                user = User.objects.create_user(username=code, password=DEMO_PASSWORD,
                                                display_name=f"{role.label}（演示）", two_factor_exempt=True,
                                                place=scope)
            if not RoleAssignment.objects.filter(user=user, role=code).exists():
                assignment = RoleAssignment.objects.create(user=user, role=code, reason="演示账号")
                if scope is not None:
                    assignment.places.set([scope])
        # A demo built before two-factor sign-in existed: its accounts get the same exemption.
        User.objects.filter(username__in=["admin", *registry.roles()]).update(two_factor_exempt=True)
    log(f"  staff accounts: {User.objects.count()} (password {DEMO_PASSWORD})")


def _pad(text: str, width: int) -> str:
    """Left-justify for a terminal, where a Chinese character takes two columns."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - columns, 1)


def print_accounts(write: Log = print) -> None:
    roles = registry.roles()
    write(f"Demo accounts (password: {DEMO_PASSWORD}; exempt from two-factor sign-in, see docs/operations.md):")
    write(f"  {'username':<28} {'role':<32} scope")
    write(f"  {'admin':<28} {_pad('superuser', 32)} 全市")
    for assignment in RoleAssignment.objects.select_related("user").prefetch_related("places").order_by("role"):
        if assignment.user.username != assignment.role:
            continue
        label = str(roles[assignment.role].label) if assignment.role in roles else assignment.role
        scope = "、".join(p.name for p in assignment.places.all())
        write(f"  {assignment.user.username:<28} {_pad(label, 32)} {scope}")


# --- residents --------------------------------------------------------------------------------------

FIRST_BIRTH = dt.date(1931, 1, 1)
LAST_BIRTH = dt.date(2025, 12, 31)
DAYS = (LAST_BIRTH - FIRST_BIRTH).days + 1
SLOTS = DAYS * 1000  # (birth date, 3-digit sequence) pairs: each yields one distinct ID per region
STRIDE = 2_654_435_761  # odd and coprime with SLOTS: k -> k*STRIDE mod SLOTS is a bijection


class NamePool:
    def __init__(self) -> None:
        from faker import Faker  # not at the top: Faker is the optional demo extra

        fake = Faker("zh_CN")
        fake.seed_instance(SEED)
        self.surnames = sorted({fake.last_name() for _ in range(3000)})
        self.male = sorted({fake.first_name_male() for _ in range(3000)})
        self.female = sorted({fake.first_name_female() for _ in range(3000)})

    def name(self, rng: random.Random, male: bool) -> str:
        while True:
            name = rng.choice(self.surnames) + rng.choice(self.male if male else self.female)
            if name not in SEED_PAGE_NAMES:
                return name


def _slot(k: int) -> tuple[dt.date, int]:
    slot = (k * STRIDE + 12_345) % SLOTS
    return FIRST_BIRTH + dt.timedelta(days=slot // 1000), slot % 1000


def resident_number(k: int, region: str) -> str:
    birth, seq = _slot(k)
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def _region_of(grid: Place) -> str:
    district = grid.path.split(".")[1]
    return district if district.isdigit() else "320412"  # the zone was carved out of Wujin


def _existing_count(grids: list[Place]) -> int:
    """Residents are created in order k = 0, 1, 2…, so the first missing k is found by bisection."""
    lo, hi = 0, 1
    while Resident.objects.filter(resident_id=resident_number(hi - 1, _region_of(grids[(hi - 1) % len(grids)]))).exists():
        lo, hi = hi, hi * 2
    while lo < hi:
        mid = (lo + hi) // 2
        if Resident.objects.filter(resident_id=resident_number(mid, _region_of(grids[mid % len(grids)]))).exists():
            lo = mid + 1
        else:
            hi = mid
    return lo


def _residents(start: int, stop: int, grids: list[Place], pool: NamePool) -> Iterator[tuple[Resident, Household | None]]:
    for k in range(start, stop):
        rng = random.Random(SEED * 1_000_003 + k)
        grid = grids[k % len(grids)]
        number = resident_number(k, _region_of(grid))
        birth, seq = _slot(k)
        male = seq % 2 == 1
        address = f"{grid.parent.name if grid.parent else ''}{rng.choice(ROADS)}{rng.randint(1, 399)}号{rng.randint(1, 30)}幢{rng.randint(101, 2604)}室"
        phone = "" if birth.year > 2012 else f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"
        household = Household(place=grid, address=address) if k % 3 == 0 else None
        yield Resident(resident_id=number, name=pool.name(rng, male), gender="M" if male else "F", birth_date=birth,
                       phone=phone, place=grid, address=address), household


BATCH = 10_000


def build_residents(*, residents: int = 3000, progress: Callable[[int], None] | None = None, log: Log = print,
                    **options: Any) -> None:
    grids = list(Place.objects.filter(level=Level.GRID).select_related("parent").order_by("code"))
    if not grids:
        raise RuntimeError("build the places first")
    start = _existing_count(grids)
    if start >= residents:
        log(f"  residents: {start} already (asked for {residents}); nothing to add")
        if progress:
            progress(residents)
        return
    if progress and start:
        progress(start)
    pool = NamePool()
    for batch_start in range(start, residents, BATCH):
        batch_stop = min(batch_start + BATCH, residents)
        rows = list(_residents(batch_start, batch_stop, grids, pool))
        with transaction.atomic():
            households = [h for _r, h in rows if h is not None]
            Household.objects.bulk_create(households, batch_size=2000)
            current: Household | None = None
            for person, household in rows:
                current = household or current
                person.household = current
            Resident.objects.bulk_create([r for r, _h in rows], batch_size=2000)
        if progress:
            progress(batch_stop - batch_start)
    _link_families(min(residents, 6000))
    log(f"  residents: {Resident.objects.count()}")


def _link_families(limit: int) -> None:
    """Family contacts for elders and guardians for children among the first residents, so the
    services have families to notify. Idempotent through the one-relationship-per-pair constraint."""
    people = list(Resident.objects.filter(place__isnull=False).order_by("pk").values_list("pk", "birth_date",
                                                                                          "place_id")[:limit])
    today = dt.date(2026, 11, 22)
    adults: dict[int, list[int]] = {}
    for pk, birth, place in people:
        if 28 <= (today - birth).days // 365 <= 55:
            adults.setdefault(place, []).append(pk)
    links = []
    for pk, birth, place in people:
        age = (today - birth).days // 365
        candidates = [a for a in adults.get(place, []) if a != pk]
        if not candidates:
            continue
        relative = candidates[pk % len(candidates)]
        if age >= 65:
            links.append(Relationship(person_id=pk, relative_id=relative, kind="child", is_family_contact=True))
        elif age < 14:
            links.append(Relationship(person_id=pk, relative_id=relative, kind="mother" if relative % 2 else "father",
                                      is_guardian=True, is_family_contact=True))
    Relationship.objects.bulk_create(links, ignore_conflicts=True, batch_size=2000)
