"""platformdoor's device types in the kernel's telemetry (docs/telemetry.md): what each sends.

    detector     {"state": "clear" | "blocked" | "fault"}        10–50 Hz during a dwell, quiet between trains
    door_switch  {"locked": true | false}                         the door's closed-and-locked switch
    door_loop    {"closed": true | false}                         the platform side's safety loop
    train        event "arrive" | "close" | "depart", {"train": "0417"}
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

STRICT = ConfigDict(extra="forbid", strict=True)


class DetectorMetrics(BaseModel):
    model_config = STRICT
    state: str = Field(pattern="^(clear|blocked|fault)$")


class SwitchMetrics(BaseModel):
    model_config = STRICT
    locked: bool


class LoopMetrics(BaseModel):
    model_config = STRICT
    closed: bool


class TrainMetrics(BaseModel):
    model_config = STRICT
    train: str = Field("", max_length=20)


@dataclass(frozen=True)
class DeviceType:
    code: str
    metrics: type[BaseModel]
    events: frozenset[str] = frozenset()


DETECTOR, SWITCH, LOOP, TRAIN = "pd_detector", "pd_door_switch", "pd_door_loop", "pd_train"
ARRIVE, CLOSE, DEPART = "arrive", "close", "depart"

DEVICE_TYPES = {t.code: t for t in (
    DeviceType(DETECTOR, DetectorMetrics),
    DeviceType(SWITCH, SwitchMetrics),
    DeviceType(LOOP, LoopMetrics),
    DeviceType(TRAIN, TrainMetrics, frozenset({ARRIVE, CLOSE, DEPART})),
)}


def type_codes() -> list[str]:
    """The device types platformdoor declares to the kernel (ModuleSpec.telemetry)."""
    return list(DEVICE_TYPES)
