"""Deadlines per year's list (ListTerm), the registration (备案) as its own step, and the industries' levels
versioned by the day they take effect."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, NotFound, PermissionDenied
from longcheng.kernel.workdays.api import SHANGHAI
from longcheng.modules.cleanaudit import actions, figures, rules
from longcheng.modules.cleanaudit.models import AuditRound, Benchmark, ListTerm, StageRecord

from .conftest import FULL, list_round, walk

IN_TIME = dt.datetime(2026, 2, 16, 10, 0, tzinfo=SHANGHAI)
TERM = {"register_months": 2, "start_months": 3, "assess_working_days": 10, "accept_months": 6}


def test_term_rules() -> None:
    assert rules.term_problem(TERM) is None
    assert rules.term_problem({**TERM, "register_months": 4})[0] == "register_months"  # type: ignore[index]
    assert rules.term_problem({**TERM, "assess_working_days": 0})[0] == "assess_working_days"  # type: ignore[index]
    assert rules.term_problem({**TERM, "accept_months": None})[0] == "accept_months"  # type: ignore[index]
    term = rules.Term(**TERM)
    listed = dt.date(2026, 1, 31)
    assert rules.registration_due(listed) == dt.date(2026, 2, 28)
    assert rules.registration_due(listed, term) == dt.date(2026, 3, 31)
    assert rules.stage_due("planning", listed, term) == dt.date(2026, 4, 30)
    assert rules.acceptance_due(dt.date(2026, 3, 31), term) == dt.date(2026, 9, 30)
    assert rules.in_force([(dt.date(2016, 7, 1), 1), (dt.date(2026, 6, 1), 2)], dt.date(2026, 5, 31)) == (
        dt.date(2016, 7, 1), 1)
    assert rules.in_force([(dt.date(2016, 7, 1), 1), (dt.date(2026, 6, 1), 2)], dt.date(2026, 6, 1))[1] == 2  # type: ignore[index]
    assert rules.in_force([(dt.date(2026, 6, 1), 2)], dt.date(2026, 1, 1)) is None


def test_the_bureau_sets_a_year_s_deadlines_and_the_rounds_follow_them(world: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        actions.do_set_term(year=2026, values=TERM, acting_user=world["park"])
    with pytest.raises(KernelError) as bad:
        actions.do_set_term(year=2026, values={**TERM, "register_months": 5}, acting_user=world["bureau"])
    assert bad.value.field == "register_months" and not ListTerm.objects.exists()
    actions.do_set_term(year=2026, values=TERM, acting_user=world["bureau"])
    assert AuditEntry.objects.filter(action="cleanaudit.term.set").count() == 1
    audit = list_round(world)  # listed 2026-01-31
    assert audit.registration_due == dt.date(2026, 3, 31)
    assert StageRecord.objects.get(round=audit).due_on == dt.date(2026, 4, 30)
    audit = walk(audit, world["firm_user"], now=IN_TIME)
    # 10 working days after Monday 2026-02-16 (the Spring Festival holiday by the kernel's calendar, or not)
    assert audit.review_due is not None and audit.review_due < dt.date(2026, 3, 16)
    review = actions.do_review(audit.pk, kind="assessment", scores=FULL, acting_user=world["bureau"], now=IN_TIME)
    assert AuditRound.objects.get(pk=review.round_id).review_due == dt.date(2026, 8, 16)
    # Another year without its own term keeps the rule's periods.
    other = actions.do_list_round(firm=world["firms"][1], year=2027, listed_on=dt.date(2027, 1, 31),
                                  trigger="energy", industry="coatings", mode="self", acting_user=world["bureau"])
    assert other.registration_due == dt.date(2027, 2, 28)
    assert StageRecord.objects.get(round=other).due_on == dt.date(2027, 3, 31)
    # Changing the term leaves deadlines already set alone.
    actions.do_set_term(year=2026, values={**TERM, "register_months": 1}, acting_user=world["bureau"])
    assert AuditRound.objects.get(pk=audit.pk).registration_due == dt.date(2026, 3, 31)
    assert actions.term_for(2026).register_months == 1


def test_registration_is_its_own_step_before_planning_closes(world: dict[str, Any]) -> None:
    audit = list_round(world)
    assert audit.registration_due == dt.date(2026, 2, 28) and audit.registered_on is None
    for kind in ("team", "plan"):
        actions.do_add_artefact(audit.pk, kind=kind, title=kind, acting_user=world["firm_user"])
    with pytest.raises(KernelError) as refused:
        actions.do_close_stage(audit.pk, acting_user=world["firm_user"], now=IN_TIME)
    assert refused.value.field == "registration"
    rounds = AuditRound.objects.all()
    assert figures.overdue_rounds(rounds, dt.date(2026, 2, 28)).count() == 0
    assert figures.overdue_rounds(rounds, dt.date(2026, 3, 1)).count() == 1  # the stage is due only 03-31
    with pytest.raises(NotFound):
        actions.do_register(audit.pk, acting_user=world["other_firm"])
    with pytest.raises(KernelError) as guide:
        actions.do_register(audit.pk, acting_user=world["expert"])
    assert guide.value.field == "round"
    late = dt.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)
    audit = actions.do_register(audit.pk, acting_user=world["firm_user"], now=late)
    assert audit.registered_on == dt.date(2026, 3, 2)
    entry = AuditEntry.objects.get(action="cleanaudit.round.register")
    assert entry.after is not None and entry.after["late"] is True
    assert figures.overdue_rounds(rounds, dt.date(2026, 3, 3)).count() == 0
    with pytest.raises(KernelError) as twice:
        actions.do_register(audit.pk, acting_user=world["firm_user"])
    assert twice.value.field == "registration"
    audit = walk(AuditRound.objects.get(pk=audit.pk), world["firm_user"], now=IN_TIME)
    actions.do_review(audit.pk, kind="assessment", scores=FULL, acting_user=world["bureau"], now=IN_TIME)
    # Registered late: never an A, even with 90 points.
    assert AuditRound.objects.get(pk=audit.pk).grade == "B"


def _levels(audit: AuditRound, today: dt.date) -> dict[str, str]:
    computed = {}
    for row in audit.figures.all():
        computed[row.period] = rules.intensities(
            {flow: getattr(row, name) for flow, name in figures.FLOW_FIELDS.items()}, output=row.output,
            value_added_fen=row.value_added_fen)
    return figures.industry_levels(audit, computed, today)


def test_a_round_is_graded_by_the_version_in_force_on_its_day(world: dict[str, Any]) -> None:
    # Coatings, energy per unit of output (restrictive): before 0.3125, after 0.2619.
    Benchmark.objects.create(industry="coatings", indicator="energy_per_output", level_1=Decimal("0.27"),
                             level_2=Decimal("0.32"), level_3=Decimal("0.40"), restrictive=True,
                             effective_from=dt.date(2016, 7, 1))
    today = timezone.localdate()
    finished = walk(list_round(world), world["firm_user"], now=IN_TIME)
    actions.do_review(finished.pk, kind="assessment", scores=FULL, acting_user=world["bureau"], now=IN_TIME)
    finished = AuditRound.objects.get(pk=finished.pk)
    open_round = walk(list_round(world, 1), world["other_firm"], until="continuous", now=IN_TIME)
    assert _levels(finished, today) == {"before": "II", "after": "I"}
    with pytest.raises(KernelError) as backdated:
        actions.do_set_benchmark(industry="coatings", indicator="energy_per_output", level_1="0.2", level_2="0.25",
                                 level_3="0.3", restrictive=True, effective_from=today - dt.timedelta(days=1),
                                 acting_user=world["bureau"])
    assert backdated.value.field == "effective_from" and Benchmark.objects.count() == 1
    stricter = actions.do_set_benchmark(industry="coatings", indicator="energy_per_output", level_1="0.2",
                                        level_2="0.25", level_3="0.3", restrictive=True, acting_user=world["bureau"],
                                        effective_from=today + dt.timedelta(days=1))
    assert stricter.version == 2
    # Not in force yet: everyone is still graded against version 1.
    assert _levels(open_round, today) == {"before": "II", "after": "I"}
    # From its day, the open round is graded against it; the assessed one keeps its grade.
    tomorrow = today + dt.timedelta(days=1)
    assert _levels(open_round, tomorrow) == {"before": "—", "after": "III"}
    assert _levels(finished, tomorrow) == {"before": "II", "after": "I"}
    assert figures.benchmarks("coatings", tomorrow)["energy_per_output"][0] == (
        Decimal("0.2"), Decimal("0.25"), Decimal("0.3"))
