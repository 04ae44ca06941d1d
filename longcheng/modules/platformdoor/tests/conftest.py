"""A small line for platformdoor's tests: two stations (the first in 上书房社区, the second in 剑湖社区),
one platform side of 4 sliding doors and 1 emergency door per platform, a detector per door; station
staff of each community, a line controller and maintenance for the city."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from longcheng.kernel.telemetry.batch import ingest
from longcheng.kernel.telemetry.envelope import Incoming
from longcheng.kernel.telemetry.registry import DEVICES, GATEWAYS

T0 = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fresh_device_cache() -> Iterator[None]:
    DEVICES.clear()
    GATEWAYS.clear()
    yield
    DEVICES.clear()
    GATEWAYS.clear()


@pytest.fixture
def line(city: dict[str, Any], make_user: Any) -> dict[str, Any]:
    from ..line import Layout, build_line
    from ..models import Platform

    built = build_line("L1", "1号线", [city["a"], city["b"]], Layout(stations=2, platforms=2, sliding=4, emergency=1))
    platforms = list(Platform.objects.filter(station__line=built).order_by("station__order", "name"))
    return {
        "city": city, "line": built, "p": platforms[0], "other_p": platforms[2],
        "staff": make_user("staff", {"platformdoor_station_staff": [city["a"]]}),
        "staff2": make_user("staff2", {"platformdoor_station_staff": [city["a"]]}),
        "staff_b": make_user("staff_b", {"platformdoor_station_staff": [city["b"]]}),
        "controller": make_user("controller", {"platformdoor_controller": [city["root"]]}),
        "maintenance": make_user("maint", {"platformdoor_maintenance": [city["root"]]}),
    }


class Feed:
    """Messages for a platform's devices, each with the next sequence number of its device."""

    def __init__(self) -> None:
        self.seqs: dict[str, int] = {}

    def msg(self, serial: str, at: dt.datetime, metrics: dict[str, Any] | None = None, event: str = "") -> Incoming:
        self.seqs[serial] = self.seqs.get(serial, 0) + 1
        body: dict[str, Any] = {"device": serial, "seq": self.seqs[serial], "ts": int(at.timestamp() * 1000),
                                "metrics": metrics or {}}
        if event:
            body["event"] = event
        return Incoming(payload=json.dumps(body).encode())


@pytest.fixture
def send() -> Callable[..., Any]:
    """send(platform, [(seconds after T0, what, value)]): what is "train" (value: arrive/close/depart),
    a door "A01" (detector state), "A01S" (switch locked bool) or "LOOP" (closed bool)."""
    from ..line import serial

    feed = Feed()

    def _send(platform: Any, steps: list[tuple[float, str, Any]], t0: dt.datetime = T0) -> Any:
        messages = []
        for seconds, what, value in steps:
            at = t0 + dt.timedelta(seconds=seconds)
            if what == "train":
                messages.append(feed.msg(serial(platform, "TRN"), at, {"train": "0101"}, value))
            elif what == "LOOP":
                messages.append(feed.msg(serial(platform, "LOOP"), at, {"closed": value}))
            elif what.endswith("S"):
                messages.append(feed.msg(serial(platform, what), at, {"locked": value}))
            else:
                messages.append(feed.msg(serial(platform, f"{what}D"), at, {"state": value}))
        return ingest(messages, source="test")

    return _send
