"""A case from judgement to certificate, and every refusal on the way leaving the values as they were."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, PermissionDenied
from longcheng.modules.ecorestore import actions
from longcheng.modules.ecorestore.models import Case, Certificate, Obligation, Shift, StageStep

from .support import INSIDE, OUTSIDE, case_in_restoration, make_base, make_rates, new_case, staff

START = dt.datetime(2024, 7, 6, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DUE = dt.date(2024, 12, 31)


@pytest.fixture
def setting(city: dict[str, Any]) -> dict[str, Any]:
    make_rates()
    zones = make_base(city)
    return {
        "zones": zones,
        "prosecutor": staff("prosecutor", {"ecorestore_prosecutor": [city["yaoguan"]]}),
        "supervisor": staff("supervisor", {"ecorestore_supervisor": [zones["labour"].place]}),
        "other_supervisor": staff("planting", {"ecorestore_supervisor": [zones["planting"].place]}),
    }


def _snapshot(obligation: Obligation) -> tuple[Any, ...]:
    o = Obligation.objects.get(pk=obligation.pk)
    shifts = list(Shift.objects.filter(obligation=o).order_by("pk").values_list(
        "state", "checked_in_at", "checked_out_at", "hours_credited", "check_in_lat"))
    return o.state, o.hours_credited, o.reverted_fen, shifts


def _work(shift: Shift, user: Any, hours: int = 4) -> Shift:
    actions.do_check_in_shift(shift, lat=INSIDE[0], lon=INSIDE[1], acting_user=user, now=START)
    actions.do_check_out_shift(shift, acting_user=user, now=START + dt.timedelta(hours=hours))
    return actions.do_sign_off_shift(shift, acting_user=user)


def test_from_judgement_to_certificate(city: dict[str, Any], setting: dict[str, Any]) -> None:
    prosecutor, supervisor, zone = setting["prosecutor"], setting["supervisor"], setting["zones"]["labour"]
    case = case_in_restoration(city, prosecutor)
    assert actions.money_owed(case) == 300_000
    obligation = actions.do_convert_to_labour(case, amount_fen=20_000, consent=True, hardship="低保户证明",
                                              due_on=DUE, acting_user=prosecutor)
    # 200 yuan at 22 yuan an hour (the rate of 2022-04-01, in force on 2024-07-01): 9 hours = 198 yuan.
    assert (obligation.hours_owed, obligation.fen_per_hour, obligation.amount_offset_fen) == (9, 2200, 19_800)
    assert actions.money_owed(case) == 300_000 - 19_800
    first = actions.do_book_shift(obligation, zone=zone, starts_at=START, hours=4, acting_user=prosecutor)
    with pytest.raises(KernelError) as outside:
        actions.do_check_in_shift(first, lat=OUTSIDE[0], lon=OUTSIDE[1], acting_user=supervisor, now=START)
    assert (outside.value.code, outside.value.field) == ("outside_zone", "location")
    assert _snapshot(obligation) == ("open", 0, 0, [("booked", None, None, 0, None)])
    assert _work(first, supervisor).hours_credited == 4
    second = actions.do_book_shift(obligation, zone=zone, starts_at=START, hours=8, acting_user=prosecutor)
    actions.do_check_in_shift(second, lat=INSIDE[0], lon=INSIDE[1], acting_user=supervisor, now=START)
    actions.do_check_out_shift(second, acting_user=supervisor, now=START + dt.timedelta(hours=8))
    with pytest.raises(KernelError) as unsigned:
        actions.do_issue_certificate(case, acting_user=prosecutor)
    assert unsigned.value.code == "certificate_refused"
    assert actions.do_sign_off_shift(second, acting_user=supervisor).hours_credited == 5  # never past the 9 owed
    obligation.refresh_from_db()
    assert (obligation.state, obligation.hours_credited) == ("complete", 9)
    certificate = actions.do_issue_certificate(case, acting_user=prosecutor)
    assert (certificate.hours, certificate.amount_offset_fen, certificate.sent_to) == (9, 19_800, "常州经开区人民法院")
    case.refresh_from_db()
    assert case.stage == "assessment"
    assert list(StageStep.objects.filter(case=case).values_list("to_stage", flat=True)) == [
        "lawsuit", "restoration", "assessment"]
    assert AuditEntry.objects.filter(action="ecorestore.certificate.issue").count() == 1


def test_the_rate_is_the_one_in_force_on_the_agreement_date(city: dict[str, Any], setting: dict[str, Any]) -> None:
    case = case_in_restoration(city, setting["prosecutor"], decided_on=dt.date(2025, 10, 1))
    obligation = actions.do_convert_to_labour(case, amount_fen=10_000, consent=True, hardship="失业证明",
                                              due_on=DUE, acting_user=setting["prosecutor"])
    assert (obligation.fen_per_hour, obligation.hours_owed, obligation.amount_offset_fen) == (2450, 4, 9_800)


def test_no_certificate_while_an_obligation_is_short(city: dict[str, Any], setting: dict[str, Any]) -> None:
    prosecutor, supervisor = setting["prosecutor"], setting["supervisor"]
    case = case_in_restoration(city, prosecutor)
    obligation = actions.do_convert_to_labour(case, amount_fen=20_000, consent=True, hardship="低保户证明",
                                              due_on=DUE, acting_user=prosecutor)
    _work(actions.do_book_shift(obligation, zone=setting["zones"]["labour"], starts_at=START, hours=4,
                                acting_user=prosecutor), supervisor)
    with pytest.raises(KernelError) as short:
        actions.do_issue_certificate(case, acting_user=prosecutor)
    assert short.value.code == "certificate_refused"
    assert not Certificate.objects.exists() and Case.objects.get(pk=case.pk).stage == "restoration"


def test_a_breach_reverts_exactly_the_unperformed_part(city: dict[str, Any], setting: dict[str, Any]) -> None:
    prosecutor, supervisor = setting["prosecutor"], setting["supervisor"]
    case = case_in_restoration(city, prosecutor)
    obligation = actions.do_convert_to_labour(case, amount_fen=20_000, consent=True, hardship="低保户证明",
                                              due_on=DUE, acting_user=prosecutor)
    zone = setting["zones"]["labour"]
    _work(actions.do_book_shift(obligation, zone=zone, starts_at=START, hours=4, acting_user=prosecutor), supervisor)
    later = actions.do_book_shift(obligation, zone=zone, starts_at=START + dt.timedelta(days=7), hours=4,
                                  acting_user=prosecutor)
    breached = actions.do_record_breach(obligation, reason="两次未到岗", acting_user=prosecutor)
    assert (breached.state, breached.reverted_fen) == ("breached", 5 * 2200)
    assert actions.money_owed(case) == 300_000 - 19_800 + 11_000
    assert Shift.objects.get(pk=later.pk).state == "missed"
    before = _snapshot(obligation)
    with pytest.raises(KernelError):
        actions.do_record_breach(obligation, reason="再次违约", acting_user=prosecutor)
    with pytest.raises(KernelError):
        actions.do_issue_certificate(case, acting_user=prosecutor)
    assert _snapshot(obligation) == before and not Certificate.objects.exists()


def test_stages_only_in_order_and_a_refusal_changes_nothing(city: dict[str, Any], setting: dict[str, Any]) -> None:
    prosecutor = setting["prosecutor"]
    case = actions.do_open_case(new_case(city["a"], source="procuratorate", decided_on=None), acting_user=prosecutor)
    assert (case.stage, case.stage_due) == ("screening", dt.date(2024, 7, 10))
    with pytest.raises(KernelError) as skipped:
        actions.do_advance_case(case, to_stage="negotiation", on=dt.date(2024, 6, 20), acting_user=prosecutor)
    assert skipped.value.code == "stage_order"
    with pytest.raises(KernelError) as early:  # no labour before the amount is settled
        actions.do_convert_to_labour(case, amount_fen=20_000, consent=True, hardship="低保户证明", due_on=DUE,
                                     acting_user=prosecutor)
    assert (early.value.code, early.value.field) == ("not_eligible", "stage")
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.stage, fresh.stage_due, fresh.decided_on) == ("screening", dt.date(2024, 7, 10), None)
    assert StageStep.objects.filter(case=case).count() == 1 and not Obligation.objects.exists()


def test_firms_and_missing_consent_are_refused(city: dict[str, Any], setting: dict[str, Any]) -> None:
    prosecutor = setting["prosecutor"]
    firm = case_in_restoration(city, prosecutor, number="JK-2024-002", party_kind="firm")
    person = case_in_restoration(city, prosecutor, number="JK-2024-003")
    for case, consent, field in ((firm, True, "party_kind"), (person, False, "consent")):
        with pytest.raises(KernelError) as refused:
            actions.do_convert_to_labour(case, amount_fen=20_000, consent=consent, hardship="低保户证明", due_on=DUE,
                                         acting_user=prosecutor)
        assert (refused.value.code, refused.value.field) == ("not_eligible", field)
    assert not Obligation.objects.exists()
    assert not AuditEntry.objects.filter(action="ecorestore.obligation.create").exists()


def test_a_supervisor_acts_in_their_own_zone_only(city: dict[str, Any], setting: dict[str, Any]) -> None:
    prosecutor = setting["prosecutor"]
    case = case_in_restoration(city, prosecutor)
    obligation = actions.do_convert_to_labour(case, amount_fen=20_000, consent=True, hardship="低保户证明",
                                              due_on=DUE, acting_user=prosecutor)
    shift = actions.do_book_shift(obligation, zone=setting["zones"]["labour"], starts_at=START, hours=4,
                                  acting_user=prosecutor)
    before = _snapshot(obligation)
    for user in (setting["other_supervisor"], prosecutor):
        with pytest.raises(PermissionDenied):
            actions.do_check_in_shift(shift, lat=INSIDE[0], lon=INSIDE[1], acting_user=user, now=START)
    with pytest.raises(PermissionDenied):
        actions.do_convert_to_labour(case, amount_fen=20_000, consent=True, hardship="低保户证明", due_on=DUE,
                                     acting_user=setting["supervisor"])
    assert _snapshot(obligation) == before and Obligation.objects.count() == 1
