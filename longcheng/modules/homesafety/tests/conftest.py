"""A small home-safety world: 王秀英 (80, lives alone in 上书房社区) with a wristband and a smoke
alarm, her daughter as family contact with a family account; an operator for 遥观镇, a community
head of 上书房社区 and a duty operator of 剑湖社区 who must see nothing of hers."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def _fresh_device_cache() -> Any:
    """Each test starts with the ingester's device and gateway caches empty: a rolled-back test's
    devices and gateway accounts must not be served to the next one."""
    from longcheng.kernel.telemetry.registry import DEVICES as _DEVICES
    from longcheng.kernel.telemetry.registry import GATEWAYS as _GATEWAYS

    from ..rulebook import BOOK

    _DEVICES.clear()
    _GATEWAYS.clear()
    BOOK.forget()
    yield
    _DEVICES.clear()
    _GATEWAYS.clear()
    BOOK.forget()


@pytest.fixture
def world(city: Any, make_user: Any, rid: Any) -> dict[str, Any]:
    from longcheng.kernel.people.models import Relationship, Resident

    from ..models import Device, DeviceState, Enrollee

    elder = Resident.objects.create(resident_id=rid(birth="19460101", seq=2), name="王秀英", gender="F",
                                    birth_date="1946-01-01", place=city["a"], address="上书房路1号")
    daughter = Resident.objects.create(resident_id=rid(birth="19750101", seq=4), name="李梅", gender="F",
                                       birth_date="1975-01-01", phone="13900139000", place=city["b"])
    Relationship.objects.create(person=elder, relative=daughter, kind="child", is_family_contact=True)
    enrollee = Enrollee.objects.create(person=elder, lives_alone=True, home_lat=31.7246, home_lon=120.0683,
                                       safe_zone={"kind": "circle", "radius_m": 500},
                                       quiet_start=dt.time(22), quiet_end=dt.time(6))
    band = Device.objects.create(serial="WB-1", kind="wristband", enrollee=enrollee)
    smoke = Device.objects.create(serial="SM-1", kind="smoke", enrollee=enrollee)
    for d in (band, smoke):
        DeviceState.objects.create(device=d)
    return {
        "city": city, "elder": elder, "daughter": daughter, "enrollee": enrollee, "band": band, "smoke": smoke,
        "operator": make_user("op", {"homesafety_operator": [city["yaoguan"]]}, phone="13800000001"),
        "head": make_user("head", {"homesafety_community_head": [city["a"]]}, phone="13800000002"),
        "street": make_user("street", {"homesafety_street_officer": [city["yaoguan"]]}),
        "worker": make_user("worker", {"community_worker": [city["a"]]}, phone="13800000003"),
        "other_op": make_user("other_op", {"homesafety_operator": [city["b"]]}),
        "gateway": make_user("gw", {"homesafety_gateway": [city["root"]]}),
        "family": make_user("family", {"family_member": [city["root"]]}, resident=daughter),
    }


_seq = [1000]


def msg(device: str = "WB-1", *, seq: int | None = None, ts: dt.datetime | None = None, event: str | None = None,
        **metrics: Any) -> dict[str, Any]:
    if seq is None:
        _seq[0] += 1
        seq = _seq[0]
    body: dict[str, Any] = {"device": device, "seq": seq, "ts": (ts or timezone.now()).isoformat(), "metrics": metrics}
    if event:
        body["event"] = event
    return body


def raw(**kwargs: Any) -> bytes:
    return json.dumps(msg(**kwargs)).encode()
