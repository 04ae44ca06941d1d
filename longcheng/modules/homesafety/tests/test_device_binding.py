"""A person's devices bound, taken off and replaced on the person page by the programme manager:
each audited; a refusal names its field and changes nothing; a device with an open alarm stays; a
device taken off sends nothing more that counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from longcheng.kernel.audit.models import AuditEntry

from ..ingest import Incoming, ingest
from ..models import Alarm, DeadLetter, Device, Reading
from .conftest import raw


@pytest.fixture
def manager(world: Any, make_user: Any) -> Any:
    return make_user("mgr", {"homesafety_manager": [world["city"]["yaoguan"]]})


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _devices(world: Any) -> list[tuple[str, str, int | None, bool]]:
    return sorted(Device.objects.values_list("serial", "kind", "enrollee_id", "active"))


def _post(user: Any, world: Any, step: str, data: dict[str, Any]) -> Any:
    return _client(user).post(f"/homesafety/persons/{world['enrollee'].pk}/{step}/", data)


def test_a_new_smoke_alarm_is_bound_on_the_person_page(world: Any, manager: Any) -> None:
    response = _post(manager, world, "bind", {"bind-kind": "smoke", "bind-serial": " SM-2 "})
    assert response.status_code == 302
    device = Device.objects.get(serial="SM-2")
    assert device.enrollee == world["enrollee"] and device.kind == "smoke" and device.active
    entry = AuditEntry.objects.get(action="homesafety.device.bind")
    assert entry.after == {"serial": "SM-2", "kind": "smoke", "enrollee": world["enrollee"].pk}
    page = _client(manager).get(f"/homesafety/persons/{world['enrollee'].pk}/").content.decode()
    assert "SM-2" in page and "绑定新设备" in page


def test_a_serial_already_registered_is_refused_by_its_field_and_nothing_changes(world: Any, manager: Any) -> None:
    before = _devices(world)
    response = _post(manager, world, "bind", {"bind-kind": "smoke", "bind-serial": "WB-1"})
    assert response.status_code == 400 and 'value="WB-1"' in response.content.decode()  # the typing is kept
    assert _devices(world) == before and not AuditEntry.objects.filter(action__startswith="homesafety.device").exists()


def test_a_device_taken_off_is_unbound_switched_off_and_sends_nothing_that_counts(world: Any, manager: Any) -> None:
    band = world["band"]
    refused = _post(manager, world, "unbind", {"unbind-device": band.pk, "unbind-reason": "  "})
    assert refused.status_code == 400 and "原因" in refused.content.decode()
    band.refresh_from_db()
    assert band.enrollee_id == world["enrollee"].pk and band.active
    assert _post(manager, world, "unbind", {"unbind-device": band.pk, "unbind-reason": "老人退回"}).status_code == 302
    band.refresh_from_db()
    assert band.enrollee_id is None and not band.active
    entry = AuditEntry.objects.get(action="homesafety.device.unbind")
    assert entry.reason == "老人退回" and entry.before["enrollee"] == world["enrollee"].pk  # type: ignore[index]
    letters = DeadLetter.objects.count()
    ingest([Incoming(raw(device="WB-1", event="sos"))], source="mqtt")
    assert Reading.objects.filter(device_id=band.pk).count() == 0 and DeadLetter.objects.count() == letters + 1
    assert not Alarm.objects.exists()


def test_a_device_with_an_open_alarm_is_neither_taken_off_nor_replaced(world: Any, manager: Any) -> None:
    ingest([Incoming(raw(event="sos"))], source="mqtt")
    assert Alarm.objects.filter(is_open=True).count() == 1
    before = _devices(world)
    assert _post(manager, world, "unbind", {"unbind-device": world["band"].pk, "unbind-reason": "x"}).status_code == 409
    swap = {"swap-device": world["band"].pk, "swap-serial": "WB-9", "swap-reason": "坏了"}
    assert _post(manager, world, "swap", swap).status_code == 409
    assert _devices(world) == before


def test_a_replacement_takes_the_old_ones_place_with_its_features_off(world: Any, manager: Any) -> None:
    band = world["band"]
    Device.objects.filter(pk=band.pk).update(calling_enabled=True)
    response = _post(manager, world, "swap", {"swap-device": band.pk, "swap-serial": "WB-9", "swap-reason": "屏幕坏了"})
    assert response.status_code == 302
    old, new = Device.objects.get(pk=band.pk), Device.objects.get(serial="WB-9")
    assert (old.enrollee_id, old.active, old.calling_enabled) == (None, False, False)
    assert (new.enrollee_id, new.kind, new.active, new.calling_enabled) == (world["enrollee"].pk, "wristband", True, False)
    entry = AuditEntry.objects.get(action="homesafety.device.swap")
    assert entry.before["serial"] == "WB-1" and entry.after["serial"] == "WB-9"  # type: ignore[index]


def test_a_replacement_with_a_taken_serial_changes_nothing(world: Any, manager: Any) -> None:
    before = _devices(world)
    response = _post(manager, world, "swap", {"swap-device": world["band"].pk, "swap-serial": "SM-1",
                                              "swap-reason": "坏了"})
    assert response.status_code == 400 and _devices(world) == before


def test_an_operator_cannot_bind_or_take_off(world: Any) -> None:
    before = _devices(world)
    operator = world["operator"]
    assert _post(operator, world, "bind", {"bind-kind": "smoke", "bind-serial": "SM-3"}).status_code == 403
    assert _post(operator, world, "unbind", {"unbind-device": world["band"].pk, "unbind-reason": "x"}).status_code == 403
    assert _devices(world) == before
