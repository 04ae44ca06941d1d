"""wastecycle's actions and the rules to hold (issue 21): each change with its audit row; refusals
name the field and change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, PermissionDenied
from longcheng.modules.wastecycle import actions, balance, reports
from longcheng.modules.wastecycle.models import Batch, Handout, Lot, SchoolClass, SchoolDay, Ticket, Weighing

from .support import DAY, PASSING, at, make_school, make_station


@pytest.fixture
def school(city: dict[str, Any]) -> dict[str, Any]:
    return make_school(city["a"])


@pytest.fixture
def teacher(city: dict[str, Any], make_user: Any) -> Any:
    return make_user("teacher", {"wastecycle_teacher": [city["a"]]})


@pytest.fixture
def operator(city: dict[str, Any], make_user: Any) -> Any:
    return make_user("operator", {"wastecycle_operator": [city["yaoguan"]]})


def _weigh(klass: SchoolClass, user: Any, grams: int, diners: int | None, day: dt.date = DAY) -> None:
    if diners is not None:
        actions.do_record_attendance(klass, day=day, meal="lunch", diners=diners, acting_user=user)
    actions.do_record_weighing(klass, day=day, meal="lunch", grams=grams, acting_user=user)


def test_grams_per_diner_exact_and_a_class_without_attendance_not_ranked(school: dict[str, Any], teacher: Any) -> None:
    c1, c2, c3, c4 = school["classes"]
    _weigh(c1, teacher, 1000, 30)
    _weigh(c2, teacher, 900, 40)
    _weigh(c3, teacher, 5, None)  # weighed, but nobody counted the diners
    report = reports.school_report(SchoolClass.objects.all(), DAY, DAY)
    assert [(r.klass.name, r.per_diner) for r in report.ranked] == [("1年级2班", Fraction(45, 2)),
                                                                     ("1年级1班", Fraction(100, 3))]
    assert [r.shown for r in report.ranked] == ["22.5", "33.3"]
    assert {r.klass.name for r in report.unranked} == {c3.name, c4.name}
    assert [r.unattended_meals for r in report.unranked if r.klass == c3] == [1]
    district = reports.district_report(SchoolDay.objects.all(), DAY, DAY)
    assert [(m.school, m.grams, m.diners, m.shown) for m in district] == [("遥观中心小学", 1900, 70, "27.1")]
    assert AuditEntry.objects.filter(action="wastecycle.weighing.record").count() == 3


def test_a_meal_is_weighed_once_a_resend_is_the_same_weighing(school: dict[str, Any], teacher: Any) -> None:
    klass = school["classes"][0]
    first = actions.do_record_weighing(klass, day=DAY, meal="lunch", grams=800, acting_user=teacher, source="scale")
    again = actions.do_record_weighing(klass, day=DAY, meal="lunch", grams=800, acting_user=teacher, source="scale")
    assert again.pk == first.pk
    with pytest.raises(KernelError) as other:
        actions.do_record_weighing(klass, day=DAY, meal="lunch", grams=900, acting_user=teacher)
    assert (other.value.code, other.value.field) == ("already_weighed", "klass")
    with pytest.raises(KernelError) as bad:
        actions.do_record_weighing(klass, day=DAY, meal="supper", grams=900, acting_user=teacher)
    assert bad.value.field == "meal"
    assert list(Weighing.objects.values_list("grams", flat=True)) == [800]
    assert AuditEntry.objects.filter(action="wastecycle.weighing.record").count() == 1


def test_a_teacher_beside_the_school_changes_nothing(city: dict[str, Any], school: dict[str, Any],
                                                    make_user: Any) -> None:
    beside = make_user("beside", {"wastecycle_teacher": [city["b"]]})
    with pytest.raises(PermissionDenied):
        actions.do_record_weighing(school["classes"][0], day=DAY, meal="lunch", grams=800, acting_user=beside)
    with pytest.raises(PermissionDenied):
        actions.do_record_kitchen_waste(school["school"], day=DAY, reason="spoilage", grams=800, acting_user=beside)
    assert Weighing.objects.count() == 0 and AuditEntry.objects.count() == 0


def _ticket(station: Any, user: Any, key: str = "WB-1", stream: str = "kitchen", gross: int = 9_000,
            tare: int = 6_000, day: dt.date = DAY) -> tuple[Ticket, bool]:
    return actions.do_record_ticket(station, actions.NewTicket(
        key=key, vehicle="苏D12345", source_name="上书房社区", stream=stream, gross_kg=gross, tare_kg=tare,
        gross_at=at(day, 8), tare_at=at(day, 9)), acting_user=user)


def test_tickets_are_written_once_and_corrected_by_a_reversing_ticket(city: dict[str, Any], operator: Any) -> None:
    station = make_station(city["yaoguan"])
    ticket, created = _ticket(station, operator)
    assert created and ticket.net_kg == 3_000
    again, created = _ticket(station, operator)
    assert (again.pk, created) == (ticket.pk, False)
    with pytest.raises(KernelError) as reused:
        _ticket(station, operator, gross=9_500)
    assert (reused.value.code, reused.value.field) == ("ticket_key_reused", "key")
    with pytest.raises(KernelError) as bad:
        _ticket(station, operator, key="WB-2", tare=9_000)
    assert (bad.value.code, bad.value.field) == ("bad_weights", "tare_kg")
    reversal = actions.do_reverse_ticket(ticket, reason="车牌录错", acting_user=operator)
    assert (reversal.net_kg, reversal.reverses_id) == (-3_000, ticket.pk)
    ticket.refresh_from_db()
    assert ticket.net_kg == 3_000  # the original is never edited
    for target in (ticket, reversal):
        with pytest.raises(KernelError) as twice:
            actions.do_reverse_ticket(target, reason="再次更正", acting_user=operator)
        assert twice.value.field == "ticket"
    assert Ticket.objects.count() == 2
    audit = AuditEntry.objects.get(action="wastecycle.ticket.reverse")
    assert (audit.object_id, audit.reason) == (str(ticket.pk), "车牌录错")


def _batch(station: Any, operator: Any) -> Batch:
    tickets = [_ticket(station, operator, key=f"WB-{i}", stream=s)[0] for i, s in enumerate(["kitchen", "market"])]
    return actions.do_open_batch(station, code="B1", started_at=at(DAY), tickets=tickets, acting_user=operator)


def test_no_batch_done_without_its_temperature_record(city: dict[str, Any], operator: Any) -> None:
    station = make_station(city["yaoguan"])
    batch = _batch(station, operator)
    assert batch.input_kg == 6_000
    readings = [(at(DAY) + dt.timedelta(hours=6 * i), Decimal("57.5")) for i in range(20)]  # 4 days 18 h
    assert actions.do_record_temperatures(batch, readings, acting_user=operator) == 20
    with pytest.raises(KernelError) as cold:
        actions.do_finish_batch(batch, output_kg=2_000, residue_kg=300, moisture_pct=Decimal("28"),
                                done_at=at(DAY + dt.timedelta(days=6)), acting_user=operator)
    assert (cold.value.code, cold.value.field) == ("batch_not_hot_enough", "temperatures")
    batch.refresh_from_db()
    assert (batch.done_at, batch.output_kg, Lot.objects.count()) == (None, None, 0)
    actions.do_record_temperatures(batch, [(at(DAY) + dt.timedelta(hours=120), Decimal("55.0"))], acting_user=operator)
    lot = actions.do_finish_batch(batch, output_kg=2_000, residue_kg=300, moisture_pct=Decimal("28"),
                                  done_at=at(DAY + dt.timedelta(days=6)), acting_user=operator)
    assert (lot.mass_kg, lot.state) == (2_000, "held")


def test_no_lot_released_without_a_passing_test_nor_handed_out(city: dict[str, Any], operator: Any) -> None:
    station = make_station(city["yaoguan"])
    batch = _batch(station, operator)
    actions.do_record_temperatures(batch, [(at(DAY) + dt.timedelta(hours=6 * i), Decimal("60")) for i in range(21)],
                                   acting_user=operator)
    lot = actions.do_finish_batch(batch, output_kg=2_000, residue_kg=0, moisture_pct=None,
                                  done_at=at(DAY + dt.timedelta(days=6)), acting_user=operator)
    farmer = actions.do_add_collector(station, name="勤新村菜园", village=city["b"], acting_user=operator)
    with pytest.raises(KernelError) as held:
        actions.do_record_handout(farmer, lot=lot, on=DAY, kg=100, acting_user=operator)
    assert (held.value.code, held.value.field) == ("lot_not_released", "lot")
    with pytest.raises(KernelError) as untested:
        actions.do_release_lot(lot, acting_user=operator)
    assert untested.value.code == "lot_not_tested"
    with pytest.raises(KernelError) as missing:
        actions.do_test_lot(lot, tested_on=DAY, values={**PASSING, "lead": ""}, acting_user=operator)
    assert missing.value.field == "lead"
    failed = actions.do_test_lot(lot, tested_on=DAY, values={**PASSING, "cadmium": "3.5"}, acting_user=operator)
    assert (failed.passed, failed.failures) == (False, ["cadmium"])
    with pytest.raises(KernelError) as fails:
        actions.do_release_lot(lot, acting_user=operator)
    assert fails.value.code == "lot_failed"
    lot.refresh_from_db()
    assert (lot.state, lot.released_at, Handout.objects.count()) == ("failed", None, 0)


def test_a_lot_is_judged_against_nyt525_2021_and_a_biological_failure_keeps_it_from_farmers(
        city: dict[str, Any], operator: Any) -> None:
    """The 2021 edition's own measures (REFERENCES.md): germination index ≥ 70 %, faecal coliforms ≤ 100
    per gram, ascaris egg mortality ≥ 95 %; a test without one is refused on it, nothing written."""
    from longcheng.modules.wastecycle.models import LotTest

    station = make_station(city["yaoguan"])
    batch = _batch(station, operator)
    actions.do_record_temperatures(batch, [(at(DAY) + dt.timedelta(hours=6 * i), Decimal("60")) for i in range(21)],
                                   acting_user=operator)
    lot = actions.do_finish_batch(batch, output_kg=2_000, residue_kg=0, moisture_pct=None,
                                  done_at=at(DAY + dt.timedelta(days=6)), acting_user=operator)
    audits = AuditEntry.objects.count()
    with pytest.raises(KernelError) as missing:
        actions.do_test_lot(lot, tested_on=DAY, values={k: v for k, v in PASSING.items() if k != "germination"},
                            acting_user=operator)
    assert missing.value.field == "germination"
    assert (LotTest.objects.count(), AuditEntry.objects.count()) == (0, audits)
    failed = actions.do_test_lot(lot, tested_on=DAY, values={**PASSING, "coliforms": "240"}, acting_user=operator)
    assert (failed.passed, failed.failures, failed.edition) == (False, ["coliforms"], "NY/T 525-2021")
    with pytest.raises(KernelError) as refused:
        actions.do_release_lot(lot, acting_user=operator)
    assert refused.value.code == "lot_failed"
    lot.refresh_from_db()
    assert lot.state == "failed"


def test_a_passing_lot_is_released_and_handed_out_within_its_mass(city: dict[str, Any], operator: Any) -> None:
    station = make_station(city["yaoguan"])
    batch = _batch(station, operator)
    actions.do_record_temperatures(batch, [(at(DAY) + dt.timedelta(hours=6 * i), Decimal("60")) for i in range(21)],
                                   acting_user=operator)
    lot = actions.do_finish_batch(batch, output_kg=2_000, residue_kg=0, moisture_pct=None,
                                  done_at=at(DAY + dt.timedelta(days=6)), acting_user=operator)
    actions.do_test_lot(lot, tested_on=DAY, values=PASSING, acting_user=operator)
    assert actions.do_release_lot(lot, acting_user=operator).state == "released"
    farmer = actions.do_add_collector(station, name="勤新村菜园", village=city["b"], acting_user=operator)
    actions.do_record_handout(farmer, lot=lot, on=DAY, kg=1_500, acting_user=operator)
    with pytest.raises(KernelError) as over:
        actions.do_record_handout(farmer, lot=lot, on=DAY, kg=501, acting_user=operator)
    assert (over.value.code, over.value.field) == ("lot_exhausted", "kg")
    calendar = balance.handout_calendar(station, dt.date(2026, 10, 1), DAY)
    assert calendar == [("勤新村菜园", "剑湖社区", [(dt.date(2026, 10, 1), 0), (dt.date(2026, 11, 1), 1_500)],
                         [dt.date(2026, 10, 1)])]


def test_the_month_closes_within_tolerance_or_is_flagged(city: dict[str, Any], operator: Any) -> None:
    station = make_station(city["yaoguan"])
    batch = _batch(station, operator)  # 6 t of perishables in
    _ticket(station, operator, key="WB-O", stream="other", gross=15_000, tare=5_000)  # 10 t other
    actions.do_record_temperatures(batch, [(at(DAY) + dt.timedelta(hours=6 * i), Decimal("60")) for i in range(21)],
                                   acting_user=operator)
    actions.do_finish_batch(batch, output_kg=2_100, residue_kg=300, moisture_pct=None,
                            done_at=at(DAY + dt.timedelta(days=6)), acting_user=operator)
    shipment = actions.do_record_shipment(station, shipped_at=at(DAY, 15), vehicle="苏D55555", blocks=4,
                                          shipped_kg=9_800, acting_user=operator)
    month = balance.month_balance(station, DAY)
    # 16,000 in = 2,100 soil + 300 residue + 9,800 shipped + 3,600 moisture + 200 leachate
    assert (month.total_in, month.balance.difference, month.balance.closes) == (16_000, 0, True)
    actions.do_record_stock(station, month=DAY, kg=1_000, acting_user=operator)
    flagged = balance.month_balance(station, DAY)
    assert (flagged.balance.difference, flagged.balance.closes) == (-1_000, False)
    _, gap = actions.do_receive_shipment(shipment, received_kg=9_500, acting_user=operator)
    assert gap


def test_attendance_recorded_after_the_weighing_still_counts(school: dict[str, Any], teacher: Any) -> None:
    klass = school["classes"][0]
    actions.do_record_weighing(klass, day=DAY, meal="lunch", grams=700, acting_user=teacher)
    assert [r.klass for r in reports.school_report(SchoolClass.objects.all(), DAY, DAY).ranked] == []
    actions.do_record_attendance(klass, day=DAY, meal="lunch", diners=35, acting_user=teacher)
    actions.do_record_attendance(klass, day=DAY, meal="lunch", diners=35, acting_user=teacher)  # no-op
    ranked = reports.school_report(SchoolClass.objects.all(), DAY, DAY).ranked
    assert [(r.klass, r.per_diner) for r in ranked] == [(klass, Fraction(20))]
    assert AuditEntry.objects.filter(action="wastecycle.attendance.record").count() == 1
