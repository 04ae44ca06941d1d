"""The rules alone: thresholds, hysteresis, faults, zones and quiet hours (no database)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from ..devices import WRISTBAND
from ..models import AlarmKind, Severity
from ..rules import Ctx, distance_m, evaluate, in_quiet_hours, zone_excess_m

NOW = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)


def run(readings: list[dict], state: dict | None = None, **kw) -> list[list[tuple[str, bool]]]:
    state = {} if state is None else state
    out = []
    for metrics in readings:
        ctx = Ctx(device_time=NOW, metrics=metrics, event=metrics.pop("event", ""), params=dict(WRISTBAND.defaults),
                  state=state, in_order=kw.get("in_order", True), quiet_hours=kw.get("quiet", False),
                  home=(31.0, 120.0), safe_zone={"kind": "circle", "radius_m": 500})
        out.append([(v.kind, v.raise_) for v in evaluate(("sensor_fault", "heart_rate"), ctx)])
    return out


def test_heart_rate_needs_three_bad_readings_in_a_row() -> None:
    result = run([{"hr": 130}, {"hr": 131}, {"hr": 132}])
    assert (AlarmKind.HEART_RATE, True) not in result[0] + result[1]
    assert (AlarmKind.HEART_RATE, True) in result[2]


def test_a_value_hovering_at_the_threshold_does_not_flap() -> None:
    # 121 is out, 118 is inside but within the 5-beat margin: neither raises nor clears.
    result = run([{"hr": 121}, {"hr": 118}, {"hr": 121}, {"hr": 118}, {"hr": 121}, {"hr": 118}])
    assert all((AlarmKind.HEART_RATE, True) not in r and (AlarmKind.HEART_RATE, False) not in r for r in result)


def test_clears_only_after_three_good_readings_past_the_margin() -> None:
    state: dict = {}
    run([{"hr": 130}] * 3, state)
    result = run([{"hr": 90}, {"hr": 90}, {"hr": 90}], state)
    assert (AlarmKind.HEART_RATE, False) not in result[0] + result[1]
    assert (AlarmKind.HEART_RATE, False) in result[2]


def test_impossible_heart_rate_is_a_sensor_fault_not_a_medical_alarm() -> None:
    for hr in (0, 400):
        result = run([{"hr": hr}] * 4)
        assert all((AlarmKind.SENSOR_FAULT, True) in r for r in result)
        assert all(kind != AlarmKind.HEART_RATE for r in result for kind, _ in r)


def test_out_of_order_readings_change_nothing() -> None:
    state: dict = {}
    result = run([{"hr": 150}] * 5, state, in_order=False)
    assert result == [[]] * 5 and state == {}


def test_leaving_the_zone_is_more_severe_in_quiet_hours() -> None:
    def severity(quiet: bool) -> int:
        ctx = Ctx(device_time=NOW, metrics={"lat": 31.02, "lon": 120.0}, event="", params=dict(WRISTBAND.defaults),
                  state={}, in_order=True, quiet_hours=quiet, home=(31.0, 120.0),
                  safe_zone={"kind": "circle", "radius_m": 500})
        (verdict,) = evaluate(("safe_zone",), ctx)
        return verdict.severity

    assert severity(True) == Severity.HIGH and severity(False) == Severity.WARNING


def test_quiet_hours_cross_midnight() -> None:
    start, end = dt.time(22), dt.time(6)
    assert in_quiet_hours(dt.datetime(2026, 1, 1, 23, 30), start, end)
    assert in_quiet_hours(dt.datetime(2026, 1, 1, 5, 59), start, end)
    assert not in_quiet_hours(dt.datetime(2026, 1, 1, 6, 0), start, end)
    assert not in_quiet_hours(dt.datetime(2026, 1, 1, 12, 0), None, None)


def test_polygon_zone() -> None:
    square = {"kind": "polygon", "points": [[31.0, 120.0], [31.0, 120.01], [31.01, 120.01], [31.01, 120.0]]}
    inside = zone_excess_m((31.005, 120.005), None, square)
    outside = zone_excess_m((31.02, 120.005), None, square)
    assert inside is not None and inside < 0
    assert outside is not None and 1000 < outside < 1200


@given(st.floats(30, 32), st.floats(119, 121), st.floats(30, 32), st.floats(119, 121))
def test_distance_is_symmetric_and_non_negative(a: float, b: float, c: float, d: float) -> None:
    assert distance_m((a, b), (c, d)) >= 0
    assert abs(distance_m((a, b), (c, d)) - distance_m((c, d), (a, b))) < 1e-6


def test_no_movement_for_hours_in_the_daytime_raises_and_moving_clears() -> None:
    state: dict = {}

    def at(hours: float, moving: bool, quiet: bool = False) -> list[tuple[str, bool]]:
        ctx = Ctx(device_time=NOW + dt.timedelta(hours=hours), metrics={"moving": moving}, event="",
                  params=dict(WRISTBAND.defaults), state=state, in_order=True, quiet_hours=quiet)
        return [(v.kind, v.raise_) for v in evaluate(("no_movement",), ctx)]

    assert at(0, True) == []
    assert at(3, False) == []
    assert at(5, False, quiet=True) == []  # asleep at night is not an alarm
    assert at(5, False) == [(AlarmKind.NO_MOVEMENT, True)]
    assert at(5.5, True) == [(AlarmKind.NO_MOVEMENT, False)]
