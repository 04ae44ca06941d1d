"""A small world for one-stop services: 常州龙城精密机械有限公司, registered in 遥观镇 (武进区), moving to
溧城街道 (溧阳市); its staff member who applies; clerks of each office in 武进区 and of market
regulation in 溧阳市; the heads of both districts' windows; and a clock the tests set."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# Monday 12 October 2026, after the National Day holiday (1-7 October; Saturday 10 October worked).
MONDAY = dt.datetime(2026, 10, 12, 9, 0, tzinfo=SHANGHAI)


def make_uscc(body: str) -> str:
    from stdnum.cn import uscc

    return body + uscc.calc_check_digit(body)


def at(day: dt.date | dt.datetime, hour: int = 9, minute: int = 0) -> dt.datetime:
    d = day.date() if isinstance(day, dt.datetime) else day
    return dt.datetime(d.year, d.month, d.day, hour, minute, tzinfo=SHANGHAI)


class Clock:
    def __init__(self) -> None:
        self.now = MONDAY

    def set(self, moment: dt.datetime) -> None:
        self.now = moment


@pytest.fixture
def clock(monkeypatch: Any) -> Clock:
    from .. import clock as module

    c = Clock()
    monkeypatch.setattr(module, "now", lambda: c.now)
    return c


RELOCATION_DATA = {"new_place": "320481100", "new_address": "溧阳市溧城街道燕山中路18号", "moving_date": "2026-10-20",
                   "reason": "扩大产能，靠近客户"}


@pytest.fixture
def world(city: dict[str, Any], make_user: Callable[..., Any], clock: Clock, settings: Any) -> dict[str, Any]:
    from longcheng.kernel.orgs.models import Organisation

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    wujin, liyang = city["wujin"], city["liyang"]
    firm = Organisation.objects.create(kind="enterprise", name="常州龙城精密机械有限公司",
                                       uscc=make_uscc("91320412MA1X2Y3KQ"), place=city["yaoguan"],
                                       address="武进区遥观镇人民东路6号")
    other = Organisation.objects.create(kind="enterprise", name="常州剑湖纺织有限公司",
                                        uscc=make_uscc("91320412MA2A3B4CD"), place=city["yaoguan"],
                                        address="武进区遥观镇剑湖路2号")
    clerk = {}
    for office in ("market_regulation", "tax", "social_security", "housing_fund", "public_security", "bank",
                   "power_supply", "customs", "commerce"):
        clerk[office] = make_user(f"{office}_wujin", {f"onestop_clerk_{office}": [wujin]})
    return {
        "city": city, "firm": firm, "other": other, "clerk": clerk,
        "applicant": make_user("applicant", {"enterprise_user": [wujin]}, organisation=firm),
        "other_applicant": make_user("other_applicant", {"enterprise_user": [wujin]}, organisation=other),
        "mr_liyang": make_user("mr_liyang", {"onestop_clerk_market_regulation": [liyang]}),
        "head_wujin": make_user("head_wujin", {"onestop_head": [wujin]}),
        "head_liyang": make_user("head_liyang", {"onestop_head": [liyang]}),
        "clock": clock,
    }


@pytest.fixture
def submitted(world: dict[str, Any]) -> Callable[..., Any]:
    """Start and submit an application of the firm (at the clock's time); returns the case."""
    from .. import actions

    def run(service: str = "relocation", data: dict[str, Any] | None = None) -> Any:
        case = actions.do_start(service, world["firm"].uscc, RELOCATION_DATA if data is None else data,
                                acting_user=world["applicant"])
        return actions.do_submit(case, acting_user=world["applicant"])

    return run


def tasks_of(case: Any) -> dict[str, Any]:
    from ..models import Task

    return {t.code: t for t in Task.objects.filter(case=case).select_related("place")}


@pytest.fixture
def counts() -> Callable[[], dict[str, int]]:
    """Row counts of every table an action may write: a refusal leaves them as they were."""

    def read() -> dict[str, int]:
        from longcheng.kernel.audit.models import AuditEntry
        from longcheng.kernel.notify.models import Message

        from .. import models as m

        tables: dict[str, Any] = {"AuditEntry": AuditEntry, "Message": Message}
        for name in ("Case", "Task", "Correction", "Pause", "EnterpriseStanding"):
            tables[name] = getattr(m, name)
        return {name: table.objects.count() for name, table in tables.items()}

    return read
