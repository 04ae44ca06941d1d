"""cleanaudit's actions: a self-audit from the list to 验收 through gated stages; refusals name the field
and change nothing; who sees which round."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, NotFound
from longcheng.kernel.workdays.api import SHANGHAI
from longcheng.modules.cleanaudit import access, actions
from longcheng.modules.cleanaudit.models import AuditRound, Review, StageRecord

from .conftest import ACCEPT, FULL, accept, fill_stage, list_round, walk

IN_TIME = dt.datetime(2026, 2, 16, 10, 0, tzinfo=SHANGHAI)


def test_a_round_late_on_its_planning_stage_grades_b_at_best(world: dict[str, Any]) -> None:
    audit = walk(list_round(world), world["firm_user"], now=dt.datetime(2026, 4, 10, 10, 0, tzinfo=SHANGHAI))
    accept(world, audit, now=dt.datetime(2026, 4, 20, 10, 0, tzinfo=SHANGHAI))
    audit.refresh_from_db()
    assert (audit.status, audit.grade) == ("accepted", "B")


def test_a_self_audit_from_the_list_to_acceptance(world: dict[str, Any]) -> None:
    audit = list_round(world)
    assert audit.status == "planning" and StageRecord.objects.get(round=audit).due_on == dt.date(2026, 3, 31)
    audit = walk(audit, world["firm_user"], now=IN_TIME)
    assert audit.status == "assessment" and audit.review_due is not None
    assert list(StageRecord.objects.filter(round=audit).order_by("pk").values_list("stage", flat=True)) == [
        "planning", "preaudit", "audit", "options", "feasibility", "implementation", "continuous"]
    assert not StageRecord.objects.filter(round=audit, closed_at=None).exists()
    # 22 working days: 春节 runs to 23 February, 28 February (a Saturday) is worked: 24 Feb … 24 Mar.
    assert audit.review_due == dt.date(2026, 3, 24)
    accept(world, audit, now=IN_TIME)
    audit.refresh_from_db()
    assert (audit.status, audit.grade) == ("accepted", "A")
    assert AuditEntry.objects.filter(action="cleanaudit.stage.close", object_id=str(audit.pk)).count() == 7
    assert AuditEntry.objects.filter(action="cleanaudit.review.acceptance").count() == 1


def test_a_stage_will_not_close_without_its_artefacts(world: dict[str, Any]) -> None:
    audit = list_round(world)
    actions.do_add_artefact(audit.pk, kind="team", title="审核小组", acting_user=world["firm_user"])
    with pytest.raises(KernelError) as refused:
        actions.do_close_stage(audit.pk, acting_user=world["firm_user"])
    assert (refused.value.code, refused.value.field) == ("stage_gate", "artefact_plan")
    audit.refresh_from_db()
    assert audit.status == "planning" and StageRecord.objects.filter(round=audit).count() == 1
    assert not AuditEntry.objects.filter(action="cleanaudit.stage.close").exists()


def test_a_balance_written_to_fit_does_not_pass_the_audit_stage(world: dict[str, Any]) -> None:
    audit = walk(list_round(world), world["firm_user"], until="audit")
    actions.do_add_artefact(audit.pk, kind="balance_report", title="物料平衡", acting_user=world["firm_user"])
    actions.do_set_balance(audit.pk, values={"inputs_t": "1000", "products_t": "700", "byproducts_t": "0",
                                             "losses_t": "0"}, acting_user=world["firm_user"])
    with pytest.raises(KernelError) as refused:
        actions.do_close_stage(audit.pk, acting_user=world["firm_user"])
    assert refused.value.field == "balance" and "30.0" in str(refused.value.message)
    assert AuditRound.objects.get(pk=audit.pk).status == "audit"


def test_a_balance_reopened_after_the_audit_stage_stops_the_application_for_assessment(world: dict[str, Any]) -> None:
    audit = walk(list_round(world), world["firm_user"], until="continuous")
    actions.do_set_balance(audit.pk, values={"inputs_t": "1000", "products_t": "800", "byproducts_t": "0",
                                             "losses_t": "0"}, acting_user=world["firm_user"])
    fill_stage(audit, world["firm_user"])
    with pytest.raises(KernelError) as refused:
        actions.do_close_stage(audit.pk, acting_user=world["firm_user"])
    assert refused.value.field == "balance" and "20.0" in str(refused.value.message)
    assert (AuditRound.objects.get(pk=audit.pk).status, AuditRound.objects.get(pk=audit.pk).review_due) == (
        "continuous", None)


def test_an_artefact_of_another_stage_is_refused(world: dict[str, Any]) -> None:
    audit = list_round(world)
    with pytest.raises(KernelError) as refused:
        actions.do_add_artefact(audit.pk, kind="feasibility", title="可研", acting_user=world["firm_user"])
    assert refused.value.field == "kind" and not audit.artefacts.exists()


def test_no_acceptance_before_the_assessment_passed(world: dict[str, Any]) -> None:
    audit = walk(list_round(world), world["firm_user"])
    with pytest.raises(KernelError) as refused:
        actions.do_review(audit.pk, kind="acceptance", scores=ACCEPT, acting_user=world["bureau"])
    assert (refused.value.code, refused.value.field) == ("not_assessed", "status")
    assert not Review.objects.exists() and AuditRound.objects.get(pk=audit.pk).status == "assessment"


def test_a_veto_fails_the_assessment_and_grades_c(world: dict[str, Any]) -> None:
    audit = walk(list_round(world), world["firm_user"])
    with pytest.raises(KernelError) as no_reason:
        actions.do_review(audit.pk, kind="assessment", scores=FULL, vetoes=["fabricated"], acting_user=world["bureau"])
    assert no_reason.value.field == "reasons" and not Review.objects.exists()
    actions.do_review(audit.pk, kind="assessment", scores=FULL, vetoes=["fabricated"], reasons="报告与现场不符",
                      acting_user=world["bureau"])
    audit.refresh_from_db()
    assert (audit.status, audit.grade) == ("failed", "C")
    # A firm graded C may not audit itself next time.
    with pytest.raises(KernelError) as refused:
        actions.do_list_round(firm=world["firms"][0], year=2027, listed_on=audit.listed_on.replace(year=2027),
                              trigger="energy", industry="coatings", mode="self", acting_user=world["bureau"])
    assert (refused.value.code, refused.value.field) == ("self_audit_not_allowed", "mode")


def test_listing_refuses_an_unqualified_consultancy_and_a_second_listing(world: dict[str, Any]) -> None:
    with pytest.raises(KernelError) as weak:
        list_round(world, mode="consultancy", consultancy=world["weak"])
    assert (weak.value.code, weak.value.field) == ("consultancy_unqualified", "consultancy")
    assert not AuditRound.objects.exists()
    list_round(world)
    with pytest.raises(KernelError) as twice:
        list_round(world)
    assert twice.value.code == "already_listed" and AuditRound.objects.count() == 1


def test_the_bureau_lists_only_in_its_district(world: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        list_round(world, n=2)
    assert not AuditRound.objects.exists()


def test_who_sees_which_round(world: dict[str, Any]) -> None:
    own = list_round(world)
    engaged = list_round(world, n=1, mode="consultancy", consultancy=world["good"])
    assert list(access.party_rounds(world["firm_user"])) == [own]
    assert list(access.party_rounds(world["consultant"])) == [engaged]
    assert set(access.rounds_for(world["expert"])) == {own, engaged}
    assert not access.rounds_for(world["expert_liyang"]).exists()
    with pytest.raises(NotFound):
        access.round_for(world["other_firm"], own.pk)
    with pytest.raises(NotFound):
        actions.do_add_artefact(own.pk, kind="team", title="小组", acting_user=world["other_firm"])
    assert not own.artefacts.exists()
    # The consultancy works on the round it is engaged on.
    actions.do_add_artefact(engaged.pk, kind="team", title="小组", acting_user=world["consultant"])
    assert engaged.artefacts.count() == 1


def test_the_expert_guides_but_does_not_fill_in(world: dict[str, Any]) -> None:
    audit = list_round(world)
    with pytest.raises(KernelError) as refused:
        actions.do_add_artefact(audit.pk, kind="team", title="小组", acting_user=world["expert"])
    assert (refused.value.code, refused.value.field) == ("not_party", "round") and not audit.artefacts.exists()


def test_option_figures_are_kept_and_a_bad_one_names_its_field(world: dict[str, Any]) -> None:
    audit = walk(list_round(world), world["firm_user"], until="options")
    with pytest.raises(KernelError) as bad:
        actions.do_add_option(audit.pk, title="改造", cost_class="high", investment_fen=-5,
                              yearly_saving_fen=1, life_years=5, acting_user=world["firm_user"])
    assert bad.value.field == "investment_fen" and not audit.options.exists()
    fill_stage(audit, world["firm_user"])
    high = audit.options.get(cost_class="high")
    assert (high.investment_fen, high.yearly_saving_fen, high.life_years) == (10_000_000, 3_000_000, 5)
