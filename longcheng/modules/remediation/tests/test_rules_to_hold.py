"""The issue's rules to hold: declared transitions only; no 销号 without its evidence; a rebound is not
closed by one person; one open case per firm and campaign; totals at a past date are sums of records;
scoping for patrols and firms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, NotFound, PermissionDenied
from longcheng.modules.remediation import access, actions, figures
from longcheng.modules.remediation.models import (
    Case,
    Evidence,
    Plan,
    PollutantFigure,
    ReboundCheck,
    StatusChange,
)

from .conftest import FIVE_HIGH, inspect, photo, to_accepted


def _state(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (case.status, case.closed_at, case.accepted_by_id, case.rebound,
            list(StatusChange.objects.filter(case=case).order_by("pk").values_list("dst", flat=True)),
            ReboundCheck.objects.filter(case=case).count())


def test_only_declared_transitions(world: dict[str, Any]) -> None:
    case = inspect(world).case
    before = _state(case)
    # 危污乱散低 needs a determination before a plan; acceptance before 销号.
    with pytest.raises(KernelError) as no_plan:
        actions.do_set_plan(case.pk, remedy="close", lead_agency="ecology", responsible="张主任",
                            acting_user=world["bureau"])
    assert (no_plan.value.code, no_plan.value.status) == ("transition_not_declared", 409)
    assert _state(case) == before and not Plan.objects.filter(case=case).exists()
    # A fire-door campaign declares no determination: the inspection's finding goes straight to a plan.
    fire = inspect(world, campaign="fire_door", scores={"danger": 2}).case
    with pytest.raises(KernelError) as no_determination:
        actions.do_determine_case(fire.pk, target=True, acting_user=world["bureau"])
    assert no_determination.value.code == "transition_not_declared"
    assert _state(fire)[0] == "screened"
    actions.do_set_plan(fire.pk, remedy="fire_door", lead_agency="emergency", responsible="李科长",
                        acting_user=world["bureau"])
    assert _state(fire)[0] == "planned"


def test_closure_refused_without_its_evidence(world: dict[str, Any]) -> None:
    case = inspect(world).case
    actions.do_determine_case(case.pk, target=True, acting_user=world["bureau"])
    actions.do_set_plan(case.pk, remedy="close", lead_agency="ecology", responsible="张主任",
                        acting_user=world["bureau"])
    # Photos only: 两断三清 also needs the utility's cut-off record.
    actions.do_add_evidence(case.pk, kind="site_photo", upload=photo(), acting_user=world["patrol"])
    before = _state(case)
    audits = AuditEntry.objects.count()
    with pytest.raises(KernelError) as refused:
        actions.do_accept_case(case.pk, acting_user=world["bureau"])
    assert (refused.value.code, refused.value.field) == ("evidence_missing", "evidence")
    assert "断水断电" in str(refused.value.message) or "cut-off" in str(refused.value.message)
    assert _state(case) == before == ("planned", None, None, False, ["screened", "determined", "planned"], 0)
    assert AuditEntry.objects.count() == audits
    # With the record it goes through to 销号, which schedules 回头看 at +30/+90/+180 days.
    actions.do_add_evidence(case.pk, kind="utility_cutoff", upload=photo("cut.jpg"), acting_user=world["bureau"])
    actions.do_accept_case(case.pk, acting_user=world["bureau"])
    actions.do_close_case(case.pk, acting_user=world["office"])
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_at is not None
    assert sorted(ReboundCheck.objects.filter(case=case).values_list("days", flat=True)) == [30, 90, 180]


def test_relocation_needs_the_parks_record(world: dict[str, Any]) -> None:
    case = inspect(world).case
    actions.do_determine_case(case.pk, target=True, acting_user=world["bureau"])
    actions.do_set_plan(case.pk, remedy="relocate", lead_agency="industry", responsible="王", acting_user=world["bureau"])
    actions.do_add_evidence(case.pk, kind="site_photo", upload=photo(), acting_user=world["bureau"])
    with pytest.raises(KernelError) as refused:
        actions.do_accept_case(case.pk, acting_user=world["bureau"])
    assert refused.value.code == "evidence_missing" and _state(case)[0] == "planned"


def test_an_inspector_cannot_accept_or_close_and_a_rebound_needs_two_people(world: dict[str, Any]) -> None:
    case = to_accepted(world)
    actions.do_close_case(case.pk, acting_user=world["office"])
    check = ReboundCheck.objects.get(case=case, days=30)
    actions.do_record_rebound_check(check.pk, found_running=True, note="夜间偷偷生产", acting_user=world["patrol"])
    case.refresh_from_db()
    assert (case.status, case.rebound, case.closed_at) == ("reopened", True, None)
    before = _state(case)
    for act in (actions.do_accept_case, actions.do_close_case):
        with pytest.raises(PermissionDenied):
            act(case.pk, acting_user=world["patrol"])
    assert _state(case) == before
    # Accepted by one person who also holds 销号: that person alone cannot close the rebound.
    actions.do_accept_case(case.pk, acting_user=world["office2"])
    accepted = _state(case)
    with pytest.raises(KernelError) as alone:
        actions.do_close_case(case.pk, acting_user=world["office2"])
    assert alone.value.code == "rebound_needs_second_person"
    assert _state(case) == accepted
    actions.do_close_case(case.pk, acting_user=world["office"])
    assert _state(case)[0] == "closed"


def test_one_open_case_per_firm_per_campaign(world: dict[str, Any]) -> None:
    first = inspect(world)
    second = inspect(world)
    assert first.case_id == second.case_id
    assert list(Case.objects.values_list("campaign", flat=True)) == ["wuluan"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(campaign="wuluan", site=world["sites"][0], firm=world["firms"][0],
                            place=world["sites"][0].place, opened_at=timezone.now())
    # The same site in another campaign is a second case; the site shows both.
    fire = inspect(world, campaign="fire_door", scores={"danger": 1})
    assert fire.case_id != first.case_id
    assert sorted(world["sites"][0].cases.values_list("campaign", flat=True)) == ["fire_door", "wuluan"]


def test_totals_at_a_past_date_are_the_sums_of_the_records(world: dict[str, Any]) -> None:
    early = to_accepted(world, 0, "close", mu="10.5", cut=(8000, 1000))
    actions.do_close_case(early.pk, acting_user=world["office"])
    cut = timezone.now()
    late = to_accepted(world, 1, "upgrade", mu="4", cut=(3000, 2500))
    actions.do_close_case(late.pk, acting_user=world["office"])
    inspect(world, 0, campaign="fire_door", scores={"danger": 2})
    then, now = figures.totals(world["office"], cut), figures.totals(world["office"])
    assert (then.closed, then.open, then.closed_by_remedy, then.mu, then.cut_kg) == (
        1, 0, {"close": 1}, Decimal("10.50"), {"cod": 7000})
    closed = Case.objects.filter(status="closed")
    assert now.closed == closed.count() == 2 and now.open == 1
    assert now.mu == sum(c.plan.area_mu for c in closed) == Decimal("14.50")
    assert now.cut_kg == {"cod": sum(p.before_kg - p.after_kg for p in PollutantFigure.objects.all())} == {"cod": 7500}
    # Before anything happened there was nothing.
    assert figures.totals(world["office"], early.opened_at.replace(year=2020)).by_stage == {}


def test_scoping_for_patrols_and_firms(world: dict[str, Any], city: dict[str, Any]) -> None:
    mine, other = inspect(world, 0).case, inspect(world, 1).case
    far = actions.do_record_inspection(site=world["sites"][2], campaign_code="wuluan", checklist={},
                                       scores=FIVE_HIGH, reasons={"danger": "x", "pollution": "x", "disorder": "x",
                                                                  "scattered": "x"},
                                       acting_user=world["patrol_liyang"]).case
    assert set(access.cases_for(world["patrol"])) == {mine, other}
    assert set(access.cases_for(world["patrol_liyang"])) == {far}
    with pytest.raises(NotFound):
        access.case_for(world["patrol"], far.pk)
    # The patrol of 遥观镇 cannot inspect a site of 溧城街道: nothing is written.
    with pytest.raises(NotFound):
        inspect(world, 2)
    assert Case.objects.filter(site=world["sites"][2]).count() == 1
    # The firm sees its own case only, and uploads evidence to it only.
    assert list(access.firm_cases(world["firm_user"])) == [mine]
    with pytest.raises(NotFound):
        access.own_case(world["firm_user"], other.pk)
    actions.do_add_evidence(mine.pk, kind="site_photo", upload=photo(), acting_user=world["firm_user"])
    with pytest.raises(NotFound):
        actions.do_add_evidence(other.pk, kind="site_photo", upload=photo(), acting_user=world["firm_user"])
    assert list(Evidence.objects.values_list("case_id", flat=True)) == [mine.pk]


def test_a_rebound_beside_a_newer_open_case_is_refused_and_changes_nothing(world: dict[str, Any]) -> None:
    case = to_accepted(world)
    actions.do_close_case(case.pk, acting_user=world["office"])
    newer = inspect(world).case
    check = ReboundCheck.objects.get(case=case, days=30)
    before = _state(case)
    with pytest.raises(KernelError) as refused:
        actions.do_record_rebound_check(check.pk, found_running=True, acting_user=world["patrol"])
    assert refused.value.code == "open_case_exists"
    assert _state(case) == before and newer.pk != case.pk
    check.refresh_from_db()
    assert check.inspection_id is None
