"""Issue 15, the 一件事 findings as its users found them: each a case pinned here (it failed on the
code before the fix)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from longcheng.kernel.errors import Conflict

from .. import actions
from ..models import Case, CaseStatus, Task, TaskStatus
from .conftest import MONDAY, RELOCATION_DATA, at, tasks_of

DEREGISTRATION_DATA = {"reason": "dissolution", "liquidation_date": "2026-09-30"}
STARTUP_DATA = {"business_scope": "精密机械制造", "registered_capital": 1_000_000_00}


def _rows(case: Any) -> dict[str, tuple[str, Any]]:
    return {t.code: (t.status, t.done_at) for t in Task.objects.filter(case=case)}


# --- 10: deregistration while other applications run ---------------------------------------------


def test_a_deregistration_is_refused_while_another_application_runs(
        world: dict[str, Any], submitted: Callable[..., Any], counts: Any, english: Any) -> None:
    relocation = submitted()
    before = counts()
    draft = None
    with pytest.raises(Conflict) as err:
        draft = actions.do_start("deregistration", world["firm"].uscc, DEREGISTRATION_DATA,
                                 acting_user=world["applicant"], submit=True)
    assert draft is None
    assert (err.value.code, err.value.field) == ("other_cases_open", "service")
    # The message names the open application, so the applicant knows what to finish or withdraw.
    assert "Enterprise relocation registration" in str(err.value.message)
    assert f"#{relocation.pk}" in str(err.value.message)
    assert counts() == before
    # A draft of the deregistration can be kept, but not submitted while the relocation runs.
    draft = actions.do_start("deregistration", world["firm"].uscc, DEREGISTRATION_DATA,
                             acting_user=world["applicant"])
    before = counts()
    with pytest.raises(Conflict) as err:
        actions.do_submit(draft, acting_user=world["applicant"])
    assert err.value.code == "other_cases_open"
    assert Case.objects.get(pk=draft.pk).status == CaseStatus.DRAFT
    assert counts() == before
    # Once the relocation is withdrawn (the applicant's own choice), the deregistration goes ahead.
    actions.do_withdraw(relocation, acting_user=world["applicant"])
    actions.do_submit(draft, acting_user=world["applicant"])
    assert Case.objects.get(pk=draft.pk).status == CaseStatus.SUBMITTED


def test_nothing_else_is_submitted_while_a_deregistration_runs(
        world: dict[str, Any], submitted: Callable[..., Any], counts: Any, english: Any) -> None:
    deregistration = submitted("deregistration", DEREGISTRATION_DATA)
    before = counts()
    with pytest.raises(Conflict) as err:
        actions.do_start("relocation", world["firm"].uscc, RELOCATION_DATA, acting_user=world["applicant"],
                         submit=True)
    assert err.value.code == "other_cases_open" and f"#{deregistration.pk}" in str(err.value.message)
    assert counts() == before


def test_no_task_of_a_closed_enterprise_can_be_accepted(
        world: dict[str, Any], submitted: Callable[..., Any], counts: Any, english: Any) -> None:
    from longcheng.kernel.orgs.models import Organisation

    # An application left running when the enterprise closed (data from before the rule above).
    relocation = submitted()
    Organisation.objects.filter(pk=world["firm"].pk).update(closed_on=MONDAY.date())
    tasks = tasks_of(relocation)
    before, rows = counts(), _rows(relocation)
    with pytest.raises(Conflict) as err:
        actions.do_accept(tasks["tax"], {}, acting_user=world["clerk"]["tax"])
    assert (err.value.code, err.value.field) == ("enterprise_closed", "task")
    assert "deregistered on 2026-10-12" in str(err.value.message)
    assert counts() == before and _rows(relocation) == rows
    # In a batch too: the whole batch is refused, naming the item.
    with pytest.raises(Conflict) as err:
        actions.do_accept_many([(tasks["file_out"].pk, {})], acting_user=world["clerk"]["market_regulation"])
    assert err.value.code == "enterprise_closed"
    assert counts() == before and _rows(relocation) == rows
    assert Organisation.objects.get(pk=world["firm"].pk).place == world["city"]["yaoguan"]


# --- 11: a task the applicant asked for is required ----------------------------------------------


def _startup_to_the_power_supply(world: dict[str, Any], submitted: Callable[..., Any], data: dict[str, Any]) -> Any:
    clerk = world["clerk"]
    case = submitted("startup", data)
    actions.do_accept(tasks_of(case)["licence"], {"licence_no": "91320412MA1X2Y3KQ"},
                      acting_user=clerk["market_regulation"])
    tasks = tasks_of(case)
    for code, office in (("seal", "public_security"), ("invoice_tax", "tax"), ("social_security", "social_security"),
                         ("housing_fund", "housing_fund"), ("bank_account", "bank")):
        actions.do_accept(tasks[code], {}, acting_user=clerk[office])
    case.refresh_from_db()
    return case


@pytest.mark.parametrize("capacity", ["high", "low"])
def test_a_requested_power_supply_is_required(world: dict[str, Any], submitted: Callable[..., Any],
                                              capacity: str) -> None:
    case = _startup_to_the_power_supply(world, submitted, {**STARTUP_DATA, "power_capacity": capacity})
    power = tasks_of(case)["power_supply"]
    assert power.required
    # Every other task is done, but the applicant asked for power: the case waits for it.
    assert case.status == CaseStatus.SUBMITTED and case.completed_at is None
    assert power.status == TaskStatus.OPEN
    world["clock"].set(at(MONDAY, 15))
    actions.do_accept(power, {}, acting_user=world["clerk"]["power_supply"])
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED and case.completed_at == at(MONDAY, 15)
    assert tasks_of(case)["power_supply"].status == TaskStatus.DONE


def test_a_power_supply_nobody_asked_for_stays_optional(world: dict[str, Any], submitted: Callable[..., Any]) -> None:
    case = _startup_to_the_power_supply(world, submitted, STARTUP_DATA)
    assert case.status == CaseStatus.COMPLETED
    power = tasks_of(case)["power_supply"]
    assert not power.required and power.status == TaskStatus.CLOSED


def test_a_task_requested_by_an_unknown_field_is_a_declaration_error() -> None:
    from ..catalogue import STARTUP, DeclarationError, ServiceSpec, TaskSpec, validate

    tasks = tuple(t if t.code != "power_supply" else TaskSpec(t.code, t.label, t.department, t.limit_days, t.after,
                                                             required=False, requested_by="voltage")
                  for t in STARTUP.tasks)
    with pytest.raises(DeclarationError, match="requested by unknown field"):
        validate(ServiceSpec(STARTUP.code, STARTUP.label, STARTUP.form, STARTUP.prechecks, tasks, STARTUP.limit_days))


# --- 15: a paused case is not overdue; its clock freezes -----------------------------------------


def test_a_paused_case_is_not_overdue_and_its_clock_freezes(world: dict[str, Any],
                                                           submitted: Callable[..., Any]) -> None:
    from django.test import Client

    from .. import clock

    c = world["clock"]
    case = submitted()  # Monday 09:00, due Tuesday 12:00
    c.set(at(MONDAY, 10))
    actions.do_ask_correction(tasks_of(case)["move_in"], "请补充新址租赁合同",
                              acting_user=world["mr_liyang"])
    case.refresh_from_db()
    frozen = clock.remaining_working_days(case, at(MONDAY, 10))
    assert frozen is not None and frozen > 0
    thursday = at(MONDAY + dt.timedelta(days=3), 10)  # long past the due time, still paused
    c.set(thursday)
    assert clock.remaining_working_days(case, thursday) == frozen
    assert clock.paused_working_days(case, thursday) == Decimal("3")  # Mon 10:00 → Thu 10:00, running
    client = Client()
    client.force_login(world["applicant"])
    client.cookies["django_language"] = "en"
    listing = client.get("/onestop/").content.decode()
    row = listing.split(f'id="case-{case.pk}"')[1].split("</tr>")[0]
    assert "overdue" not in row and f"{frozen} working days left" in row
    page = client.get(f"/onestop/applications/{case.pk}/").content.decode()
    assert f"{frozen} working days left" in page and f"-{frozen} working" not in page
