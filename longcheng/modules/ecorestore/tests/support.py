"""Builders the module's tests share: the base with two zones in 上书房社区, a rate, and cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from longcheng.kernel.places.models import Level, Place
from longcheng.modules.ecorestore import actions
from longcheng.modules.ecorestore.models import Base, Case, Rate, Zone, ZoneKind

# A square of about 450 × 470 m in the 宋剑湖 wetland; INSIDE is in it, OUTSIDE 1 km north-east.
OUTLINE = [[31.760, 120.070], [31.760, 120.075], [31.764, 120.075], [31.764, 120.070]]
INSIDE, OUTSIDE = (31.762, 120.072), (31.770, 120.080)
DECIDED = dt.date(2024, 7, 1)


def grid(parent: Place, code: str, name: str) -> Place:
    place = Place(code=code, name=name, level=Level.GRID, parent=parent, official_code=False)
    place.path, place.depth = place.compute_path(), parent.depth + 1
    place.save()
    return place


def make_base(city: dict[str, Any]) -> dict[str, Zone]:
    base = Base.objects.create(name="宋剑湖三法衔接生态保护区", place=city["a"])
    labour = Zone.objects.create(base=base, place=grid(city["a"], "JK-SJH-LB", "劳务代偿区"), kind=ZoneKind.LABOUR,
                                 name="劳务代偿区", outline=OUTLINE)
    planting = Zone.objects.create(base=base, place=grid(city["a"], "JK-SJH-BZ", "补植复绿区"),
                                   kind=ZoneKind.REPLANTING, name="补植复绿区",
                                   outline=[[lat + 0.01, lon] for lat, lon in OUTLINE])
    return {"labour": labour, "planting": planting}


def make_rates() -> None:
    Rate.objects.create(valid_from=dt.date(2022, 4, 1), fen_per_hour=2200, basis="江苏一类地区小时最低工资 22 元")
    Rate.objects.create(valid_from=dt.date(2025, 10, 1), fen_per_hour=2450, basis="演示：更新后的小时最低工资")


def new_case(place: Place, *, number: str = "JK-2024-001", source: str = "court", party_kind: str = "person",
             damage: int = 300_000, party_user: Any = None, decided_on: dt.date | None = DECIDED) -> actions.NewCase:
    return actions.NewCase(
        number=number, title="非法捕捞水产品", source=source, source_organ="常州经开区人民法院",
        legal_basis="《生态环境损害赔偿管理规定》", place=place, party_name="张某", party_kind=party_kind,
        opened_on=dt.date(2024, 6, 10), heads={"service_loss": damage - 50_000, "assessment_cost": 50_000},
        decided_on=decided_on, party_user=party_user)


def case_in_restoration(city: dict[str, Any], prosecutor: Any, **kwargs: Any) -> Case:
    case = actions.do_open_case(new_case(city["a"], **kwargs), acting_user=prosecutor)
    return actions.do_advance_case(case, to_stage="restoration", on=DECIDED, acting_user=prosecutor)


def restoration_scene(city: dict[str, Any]) -> tuple[dict[str, Zone], Any, Case]:
    """The base's zones and rates, a prosecutor of 遥观 and one of their cases in restoration: where
    the tests of money, shifts and missed shifts start."""
    make_rates()
    zones = make_base(city)
    prosecutor = staff("prosecutor", {"ecorestore_prosecutor": [city["yaoguan"]]})
    return zones, prosecutor, case_in_restoration(city, prosecutor)


def staff(username: str, roles: dict[str, list[Place]]) -> Any:
    """A signed-in-able account without a password: hashing one costs a second on a busy machine,
    and these tests sign in with force_login."""
    from longcheng.kernel.access.models import RoleAssignment, User

    user = User(username=username, two_factor_exempt=True)
    user.set_unusable_password()
    user.save()
    for role, places in roles.items():
        RoleAssignment.objects.create(user=user, role=role).places.set(places)
    return user
