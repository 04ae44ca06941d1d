"""The rules to hold, through the actions: refusals, the table's liability and the officer's
change, 互碰自赔, signatures and hand-offs, photo checks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, NotFound, PermissionDenied
from longcheng.modules.accidents import actions
from longcheng.modules.accidents.models import Handoff, Party, Photo, Report
from longcheng.modules.accidents.seed import EXCLUSIONS

from .conftest import SCENE, T0, details, jpeg, no_to_all

DECIDE = T0 + timedelta(minutes=9)


@pytest.mark.parametrize("code", [code for code, *_ in EXCLUSIONS])
def test_every_excluded_situation_refuses_with_its_reason_and_never_reaches_an_insurer(
        code: str, city: dict[str, Any], people: dict[str, Any]) -> None:
    answers = {**no_to_all(), code: True}
    report = actions.do_start_report(place=city["a"], lat=SCENE[0], lon=SCENE[1], answers=answers,
                                     third_party_property=False, acting_user=people["a"], now=T0)
    report.refresh_from_db()
    assert report.refused_because is not None
    assert (report.status, report.refused_because.code) == ("refused", code)
    assert AuditEntry.objects.filter(action="accidents.report.refuse", object_id=str(report.pk)).count() == 1
    with pytest.raises(KernelError) as joined:
        actions.do_join_report(code=report.pairing_code, answers=no_to_all(), acting_user=people["b"])
    assert joined.value.code == "accident_bad_pairing_code"
    for step in (lambda: actions.do_submit_report(report, acting_user=people["a"]),
                 lambda: actions.do_sign_agreement(report, acting_user=people["a"]),
                 lambda: actions.do_decide_liability(report, liability_a="full", reason="x",
                                                     acting_user=people["officer"])):
        with pytest.raises(KernelError):
            step()
    report.refresh_from_db()
    assert report.status == "refused" and list(report.parties.values_list("side")) == [("A",)]
    assert Handoff.objects.count() == 0


def test_a_rear_end_goes_from_pairing_to_the_insurers_with_the_table_liability(
        build: Any, people: dict[str, Any]) -> None:
    report = build(["rear_end"], ["hit_while_lawful"])
    assert (report.status, report.proposed_a, report.liability_b) == ("submitted", "full", "none")
    actions.do_decide_liability(report, liability_a=None, reason="", acting_user=people["officer"], now=DECIDE)
    report.refresh_from_db()
    assert (report.liability_a, report.liability_b, report.changed_by_officer) == ("full", "none", False)
    assert not report.mutual_self_pay
    assert AuditEntry.objects.filter(action="accidents.liability.accept", object_id=str(report.pk)).count() == 1
    actions.do_sign_agreement(report, acting_user=people["a"], now=DECIDE)
    report.refresh_from_db()
    assert report.status == "decided" and report.agreement_at is None and Handoff.objects.count() == 0
    actions.do_sign_agreement(report, acting_user=people["b"], now=DECIDE)
    report.refresh_from_db()
    assert report.status == "handed_off" and report.agreement_at == DECIDE
    sent = sorted(Handoff.objects.values_list("insurer__code", "claim_no", "mutual_self_pay"))
    assert [(code, claim[:9], flag) for code, claim, flag in sent] == [("pingan", "PINGAN-LP", False),
                                                                      ("renbao", "RENBAO-LP", False)]


def test_an_officer_changes_the_table_liability_only_with_an_audited_reason(
        build: Any, people: dict[str, Any]) -> None:
    report = build(["rear_end"], ["hit_while_lawful"])
    with pytest.raises(KernelError) as no_reason:
        actions.do_decide_liability(report, liability_a="equal", reason=" ", acting_user=people["officer"])
    assert (no_reason.value.code, no_reason.value.field) == ("accident_reason_required", "reason")
    report.refresh_from_db()
    assert (report.status, report.liability_a, report.decided_by) == ("submitted", "full", None)
    actions.do_decide_liability(report, liability_a="equal", reason="照片显示B车同时变道", acting_user=people["officer"])
    report.refresh_from_db()
    assert (report.liability_a, report.liability_b, report.changed_by_officer) == ("equal", "equal", True)
    row = AuditEntry.objects.get(action="accidents.liability.change", object_id=str(report.pk))
    assert row.before is not None and row.after is not None
    assert row.reason == "照片显示B车同时变道" and row.before["proposed_a"] == "full"
    assert row.after["liability_a"] == "equal"


def test_a_dispute_goes_to_the_officer_who_must_decide_with_a_reason(build: Any, people: dict[str, Any]) -> None:
    report = build(["rear_end"], ["reversing"])
    assert (report.status, report.proposed_a, report.liability_a) == ("dispute", "", "")
    with pytest.raises(KernelError) as accept:
        actions.do_decide_liability(report, liability_a=None, reason="", acting_user=people["officer"])
    assert accept.value.field == "liability_a"
    actions.do_decide_liability(report, liability_a="none", reason="监控显示A车正常行驶", acting_user=people["officer"])
    report.refresh_from_db()
    assert (report.status, report.liability_a, report.liability_b) == ("decided", "none", "full")


@pytest.mark.parametrize(("ticks", "loss_a", "loss_b", "third", "expected"), [
    (("both_lane_change", "both_lane_change"), 200_000, 180_000, False, True),
    (("both_lane_change", "both_lane_change"), 200_001, 180_000, False, False),
    (("both_lane_change", "both_lane_change"), 50_000, 50_000, True, False),
    (("rear_end", "hit_while_lawful"), 50_000, 50_000, False, False),
])
def test_mutual_self_pay_is_routed_exactly_when_its_conditions_hold(
        build: Any, people: dict[str, Any], ticks: tuple[str, str], loss_a: int, loss_b: int, third: bool,
        expected: bool) -> None:
    report = build([ticks[0]], [ticks[1]], loss_a=loss_a, loss_b=loss_b, third_party_property=third)
    actions.do_decide_liability(report, liability_a=None, reason="", acting_user=people["officer"])
    for side in ("a", "b"):
        actions.do_sign_agreement(report, acting_user=people[side])
    assert set(Handoff.objects.values_list("mutual_self_pay", flat=True)) == {expected}
    assert all(("-ZP-" in c) == expected for c in Handoff.objects.values_list("claim_no", flat=True))


def test_only_the_parties_sign_and_an_officer_out_of_scope_cannot_decide(build: Any, people: dict[str, Any]) -> None:
    report = build(["rear_end"], [])
    with pytest.raises(NotFound):
        actions.do_decide_liability(report, liability_a=None, reason="", acting_user=people["officer_ly"])
    actions.do_decide_liability(report, liability_a=None, reason="", acting_user=people["officer"])
    with pytest.raises(PermissionDenied):
        actions.do_sign_agreement(report, acting_user=people["c"])
    assert list(Party.objects.filter(report=report).values_list("signed_at", flat=True)) == [None, None]
    assert Handoff.objects.count() == 0


def test_the_second_driver_confirms_only_their_own_details_and_bad_input_names_its_field(
        build: Any, people: dict[str, Any]) -> None:
    report = build([], [], until="paired")
    with pytest.raises(KernelError) as bad:
        actions.do_confirm_party(report, details(people, "B", plate="12345"), acting_user=people["b"])
    assert bad.value.field == "plate"
    with pytest.raises(KernelError) as own:
        actions.do_join_report(code=report.pairing_code, answers=no_to_all(), acting_user=people["c"])
    assert own.value.field == "code"
    actions.do_confirm_party(report, details(people, "B"), acting_user=people["b"])
    assert list(report.parties.order_by("side").values_list("side", "plate")) == [("A", ""), ("B", "苏DA7788")]
    with pytest.raises(KernelError) as early:
        actions.do_submit_report(report, acting_user=people["b"])
    assert early.value.code == "accident_party_not_confirmed"


def test_photos_are_checked_and_a_photo_reused_in_another_report_is_flagged(
        build: Any, people: dict[str, Any]) -> None:
    first, second = build([], [], until="paired"), build([], [], until="paired")
    ok = actions.do_add_photo(first, shot="front", upload=jpeg("scene"), taken_at=T0 + timedelta(minutes=1),
                              lat=SCENE[0], lon=SCENE[1], acting_user=people["a"], now=T0 + timedelta(minutes=2))
    assert ok.problems == [] and ok.reused_from is None
    again = actions.do_add_photo(second, shot="front", upload=jpeg("scene"), taken_at=T0 - timedelta(days=9),
                                 lat=SCENE[0] + 0.05, lon=SCENE[1], acting_user=people["b"],
                                 now=T0 + timedelta(minutes=2))
    assert again.problems == ["older_than_report", "too_far", "reused"] and again.reused_from == ok
    with pytest.raises(KernelError) as html:
        actions.do_add_photo(first, shot="front", upload=jpeg("<script>"), taken_at=None, lat=None, lon=None,
                             acting_user=people["a"])
    assert (html.value.code, html.value.field) == ("file_type", "photo")
    assert Photo.objects.count() == 2
    assert Report.objects.filter(pk=first.pk, status="pairing").exists()
