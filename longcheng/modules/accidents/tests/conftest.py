"""accidents test helpers: two drivers, an officer, two insurers, and a report built to any step
through the actions themselves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from longcheng.modules.accidents import actions
from longcheng.modules.accidents.models import Insurer, Report

T0 = datetime(2026, 11, 2, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
SCENE = (31.7052, 119.9741)


def jpeg(seed: str = "x") -> SimpleUploadedFile:
    return SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0" + seed.encode() * 64, content_type="image/jpeg")


def no_to_all() -> dict[str, bool]:
    from longcheng.modules.accidents.seed import EXCLUSIONS

    return {code: False for code, *_ in EXCLUSIONS}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _rules(request: Any) -> None:
    """The rules' first version, which migration 0002 loads: a test that commits (live_server,
    transaction=True) flushes the tables when it ends, so a later one in the same worker would find
    no rules at all. (Serialized rollback from the root conftest was tried at stop 30 and clashed
    with content types recreated by a flush; see the stop note.)"""
    names = request.fixturenames
    if "live_server" in names or "transactional_db" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    else:
        return
    from longcheng.modules.accidents.models import Exclusion, LiabilityRule
    from longcheng.modules.accidents.seed import load_first_version

    load_first_version(Exclusion, LiabilityRule)


def _user(username: str, roles: dict[str, list[Any]]) -> Any:
    """An account without a password: hashing one costs about a second per user on a busy machine,
    and these tests sign in with force_login or a token."""
    from longcheng.kernel.access.models import RoleAssignment, User

    user = User.objects.create(username=username, two_factor_exempt=True)
    for role, places in roles.items():
        RoleAssignment.objects.create(user=user, role=role).places.set(places)
    return user


@pytest.fixture
def people(city: dict[str, Any], rid: Any) -> dict[str, Any]:
    make_user, root = _user, [city["root"]]
    users = {
        "a": make_user("driver_a", {"accidents_driver": root}),
        "b": make_user("driver_b", {"accidents_driver": root}),
        "c": make_user("driver_c", {"accidents_driver": root}),
        "officer": make_user("officer", {"accidents_officer": [city["wujin"]]}),
        "officer_ly": make_user("officer_ly", {"accidents_officer": [city["liyang"]]}),
        "chief": make_user("chief", {"accidents_chief": root}),
        "pingan": make_user("pingan", {"accidents_insurer": root}),
        "renbao": make_user("renbao", {"accidents_insurer": root}),
    }
    ins = {"pingan": Insurer.objects.create(code="pingan", name="平安财险"),
           "renbao": Insurer.objects.create(code="renbao", name="人保财险")}
    ins["pingan"].members.add(users["pingan"])
    ins["renbao"].members.add(users["renbao"])
    return {**users, "insurers": ins, "rid": rid}


def details(people: dict[str, Any], side: str, **over: Any) -> dict[str, Any]:
    values = {"name": "张伟" if side == "A" else "李娜", "phone": "13812345678" if side == "A" else "13987654321",
              "licence_no": people["rid"](seq=11 if side == "A" else 12), "licence_class": "C1",
              "plate": "苏D12345" if side == "A" else "苏DA7788",
              "insurer": people["insurers"]["pingan" if side == "A" else "renbao"], "policy_no": f"P-{side}-001",
              "loss_fen": 150_000}
    values.update(over)
    return values


@pytest.fixture
def build(city: dict[str, Any], people: dict[str, Any]) -> Callable[..., Report]:
    """A report taken through the drivers' steps up to `until` ("paired", "submitted")."""

    def make(ticks_a: list[str], ticks_b: list[str], *, until: str = "submitted", loss_a: int = 150_000,
             loss_b: int = 150_000, third_party_property: bool = False) -> Report:
        a, b = people["a"], people["b"]
        report = actions.do_start_report(place=city["a"], lat=SCENE[0], lon=SCENE[1], answers=no_to_all(),
                                          third_party_property=third_party_property, acting_user=a, now=T0)
        actions.do_join_report(code=report.pairing_code, answers=no_to_all(), acting_user=b)
        if until == "paired":
            return report
        actions.do_confirm_party(report, details(people, "A", loss_fen=loss_a), acting_user=a, now=T0)
        actions.do_confirm_party(report, details(people, "B", loss_fen=loss_b), acting_user=b, now=T0)
        actions.do_tick_circumstances(report, ticks_a, acting_user=a, now=T0)
        actions.do_tick_circumstances(report, ticks_b, acting_user=b, now=T0)
        return actions.do_submit_report(report, acting_user=a, now=T0 + timedelta(minutes=4))

    return make
