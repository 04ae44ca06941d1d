"""The kernel's telemetry with a module of the test's own (a platform-door detector): its device
type declared through `Telemetry`, its application asked about its devices only; a type nobody
declares is a dead letter; (device, seq) stores once; a conflict is refused."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from longcheng.kernel.registry import ModuleSpec, Telemetry
from longcheng.kernel.telemetry import plug, registry
from longcheng.kernel.telemetry.batch import ingest
from longcheng.kernel.telemetry.envelope import Envelope, Incoming, device_time
from longcheng.kernel.telemetry.models import DeadLetter, Device, DeviceState, Reading
from longcheng.kernel.telemetry.store import Accepted, IngestResult

SEEN: list[tuple[str, Any]] = []


class DoorApp:
    """Counts what the kernel hands it; a detector "blocked" raises (counted in result.raised)."""

    def accept(self, message: Incoming, envelope: Envelope, device: Device, now: dt.datetime,
               index: int) -> tuple[Accepted | None, str, str]:
        if set(envelope.metrics) - {"state"}:
            return None, "invalid_metrics", "only state"
        return Accepted(device, envelope.seq, device_time(envelope.ts), message.received_at or now,
                        envelope.metrics, envelope.event or "", index=index), "", ""

    def extra_devices(self) -> dict[int, Device]:
        return {}

    def on_row(self, device: Device, state: Any, row: Accepted, in_order: bool, result: IngestResult) -> None:
        SEEN.append(("row", device.serial))
        result.raised += int(row.metrics.get("state") == "blocked")

    def on_device(self, device: Device, state: Any, rows: list[Accepted], now: dt.datetime,
                  result: IngestResult) -> None:
        SEEN.append(("device", device.serial))

    def back_online(self, device: Device, state: Any, result: IngestResult) -> None:
        SEEN.append(("online", device.serial))

    def first_heard(self, device_ids: list[int]) -> None:
        SEEN.append(("first", sorted(device_ids)))


def _spec(code: str, types: list[str]) -> ModuleSpec:
    return ModuleSpec(code=code, label=code, telemetry=Telemetry(
        device_types=lambda: types, application=DoorApp, ingest_permission=f"{code}.ingest"))


@pytest.fixture
def doors(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[ModuleSpec]]:
    specs = [_spec("doors", ["detector"])]
    monkeypatch.setattr(plug, "modules", lambda: specs)
    registry.DEVICES.clear()
    SEEN.clear()
    yield specs
    registry.DEVICES.clear()


def _msg(serial: str, seq: int, state: str = "clear") -> Incoming:
    body = {"device": serial, "seq": seq, "ts": 1763856000000 + seq, "metrics": {"state": state}}
    return Incoming(payload=json.dumps(body).encode())


@pytest.mark.django_db
def test_a_module_s_device_goes_to_its_application_and_an_undeclared_type_is_a_dead_letter(doors: Any) -> None:
    door = Device.objects.create(serial="PD-1", kind="detector")
    Device.objects.create(serial="TO-1", kind="toaster")
    result = ingest([_msg("PD-1", 1), _msg("PD-1", 2, "blocked"), _msg("TO-1", 1)], source="test")
    assert (result.stored, result.rejected, result.raised) == (2, 1, 1)
    letter = DeadLetter.objects.get()
    assert (letter.reason, letter.device_serial) == ("unknown_device_type", "TO-1")
    assert SEEN == [("row", "PD-1"), ("row", "PD-1"), ("device", "PD-1"), ("online", "PD-1"), ("first", [door.pk])]
    assert DeviceState.objects.get(device=door).last_seq == 2


@pytest.mark.django_db
def test_device_and_seq_store_once_and_other_content_under_a_used_number_is_a_conflict(doors: Any) -> None:
    door = Device.objects.create(serial="PD-1", kind="detector")
    ingest([_msg("PD-1", 1)], source="test")
    again = ingest([_msg("PD-1", 1), _msg("PD-1", 1, "blocked")], source="test")
    assert (again.stored, again.duplicates, again.reasons["seq_conflict"]) == (0, 1, 1)
    assert Reading.objects.filter(device=door).count() == 1


@pytest.mark.django_db
def test_a_gap_waits_in_the_state_row(doors: Any) -> None:
    door = Device.objects.create(serial="PD-1", kind="detector")
    ingest([_msg("PD-1", 1), _msg("PD-1", 5)], source="test")
    state = DeviceState.objects.get(device=door)
    assert state.max_seq == 5 and [g[:2] for g in state.pending_gaps] == [[2, 4]]
    ingest([_msg("PD-1", 3)], source="test")
    assert [g[:2] for g in DeviceState.objects.get(device=door).pending_gaps] == [[2, 2], [4, 4]]


def test_a_type_two_modules_declare_is_an_error(doors: list[ModuleSpec]) -> None:
    assert plug.declared_types() == {"detector": "doors"}
    doors.append(_spec("other", ["detector"]))
    with pytest.raises(RuntimeError, match="declared by 'doors' and 'other'"):
        plug.declared_types()
