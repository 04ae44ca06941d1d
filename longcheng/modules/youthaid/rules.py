"""The criteria and the aid rules, as pure functions over plain values, so that one screening, the
registry scan over a million residents and the entitlement run all apply the same reasons.

Criteria (seed page 000): one parent has died; the other has not remarried; the youth is a minor, or
a student (up to YOUTHAID_STUDENT_MAX_AGE); the family lives in relative difficulty. Each criterion
is met (True), not met (False, with the reason) or unknown (None: more information needed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from longcheng.kernel.ledger.money import format_fen
from longcheng.kernel.people.validators import age_on

from .conf import conf
from .models import STUDENT_STAGES, Condition, Outcome, ParentStatus, Stage

ADULT_AGE = 18


@dataclass(frozen=True)
class Facts:
    """What the criteria look at, taken from a case or straight from the registry."""

    birth_date: dt.date
    alive: bool
    parent_died_on: dt.date | None
    parent_known: bool
    surviving_parent_status: str
    stage: str
    hardship_grade: int
    household_size: int | None
    monthly_income_fen: int | None


@dataclass(frozen=True)
class Reason:
    criterion: str
    met: bool | None
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"criterion": self.criterion, "met": self.met, "text": self.text}


def registry_facts(*, birth_date: dt.date, parent_died_on: dt.date | None, surviving_parent_status: str) -> Facts:
    """What the registry alone tells of a youth found through a parent's recorded death, by the death
    event or by the registry scan: alive, the parent's death and the other parent's situation; school
    and household are not known yet. Both discovery paths pre-screen these facts (actions.prescreening)."""
    return Facts(birth_date=birth_date, alive=True, parent_died_on=parent_died_on, parent_known=True,
                 surviving_parent_status=surviving_parent_status, stage="", hardship_grade=0,
                 household_size=None, monthly_income_fen=None)


def facts_of(youth: Any) -> Facts:
    parent = youth.deceased_parent
    died = youth.parent_died_on or (parent.died_on if parent is not None else None)
    return Facts(
        birth_date=youth.person.birth_date, alive=youth.person.died_on is None, parent_died_on=died,
        parent_known=parent is not None or youth.parent_died_on is not None,
        surviving_parent_status=youth.surviving_parent_status, stage=youth.stage or "",
        hardship_grade=youth.hardship_grade, household_size=youth.household_size,
        monthly_income_fen=youth.monthly_income_fen,
    )


def criteria(f: Facts, today: dt.date) -> list[Reason]:
    reasons: list[Reason] = []
    if not f.alive:
        reasons.append(Reason("alive", False, _("The registry records the youth's death.")))
    if f.parent_died_on is not None:
        reasons.append(Reason("parent_died", True,
                              _("A parent died on %(date)s.") % {"date": f.parent_died_on.isoformat()}))
    elif f.parent_known:
        reasons.append(Reason("parent_died", None, _(
            "The registry records no death of the named parent: attach the death certificate or correct the parent.")))
    else:
        reasons.append(Reason("parent_died", None, _("No parent's death is recorded: name the parent who died.")))

    status = f.surviving_parent_status
    if status == ParentStatus.NOT_REMARRIED:
        reasons.append(Reason("not_remarried", True, _("The surviving parent has not remarried.")))
    elif status == ParentStatus.DECEASED:
        reasons.append(Reason("not_remarried", True, _("Both parents have died.")))
    elif status == ParentStatus.REMARRIED:
        reasons.append(Reason("not_remarried", False, _(
            "The surviving parent has remarried; the fund helps youths whose surviving parent has not.")))
    else:
        reasons.append(Reason("not_remarried", None, _("Record whether the surviving parent has remarried.")))

    age = age_on(f.birth_date, today)
    limit = conf("YOUTHAID_STUDENT_MAX_AGE")
    if age < ADULT_AGE:
        reasons.append(Reason("age", True, _("Is %(age)d, a minor.") % {"age": age}))
    elif age <= limit and f.stage in STUDENT_STAGES:
        reasons.append(Reason("age", True, _("Is %(age)d and a student.") % {"age": age}))
    elif age <= limit and not f.stage:
        reasons.append(Reason("age", None, _("Is %(age)d: record whether the youth is still in school.")
                              % {"age": age}))
    elif age <= limit:
        reasons.append(Reason("age", False, _("Is %(age)d, an adult who is not in school.") % {"age": age}))
    else:
        reasons.append(Reason("age", False, _("Is %(age)d, older than %(limit)d.") % {"age": age, "limit": limit}))

    line = conf("YOUTHAID_INCOME_LINE_FEN")
    if f.hardship_grade > 0:
        reasons.append(Reason("hardship", True, _("The family is in living difficulty (grade %(g)d).")
                              % {"g": f.hardship_grade}))
    elif f.monthly_income_fen is not None and f.household_size:
        per_head = f.monthly_income_fen // f.household_size
        values = {"income": format_fen(per_head), "line": format_fen(line)}
        if per_head < line:
            reasons.append(Reason("hardship", True, _(
                "Income per person %(income)s a month, below the line of %(line)s.") % values))
        else:
            reasons.append(Reason("hardship", False, _(
                "Income per person %(income)s a month, not below the line of %(line)s.") % values))
    else:
        reasons.append(Reason("hardship", None, _("Record the household's size and income, or its hardship grade.")))
    return reasons


def outcome_of(reasons: list[Reason]) -> str:
    if any(r.met is False for r in reasons):
        return Outcome.NOT_ELIGIBLE
    if any(r.met is None for r in reasons):
        return Outcome.NEEDS_INFO
    return Outcome.ELIGIBLE


# --- aid rules ----------------------------------------------------------------------------------------


def condition_problem(aid_type: Any, *, stage: str, university_admitted_year: int | None, serious_illness: bool,
                      hardship_grade: int) -> str | None:
    """Why this youth does not qualify for this aid type now, or None."""
    if aid_type.condition == Condition.UNIVERSITY:
        if stage != Stage.UNIVERSITY or university_admitted_year is None:
            return _("%(type)s is for university students newly admitted or enrolled; record the admission first.") % {
                "type": aid_type}
    elif aid_type.condition == Condition.SERIOUS_ILLNESS:
        if not serious_illness:
            return _("%(type)s is for youths with a serious illness; none is recorded.") % {"type": aid_type}
    elif aid_type.condition == Condition.HARDSHIP:
        if hardship_grade < 1:
            return _("%(type)s is for families in living difficulty; record the hardship grade first.") % {
                "type": aid_type}
    return None


def grade_ceiling(aid_type: Any, hardship_grade: int) -> int | None:
    if aid_type.condition != Condition.HARDSHIP or not aid_type.grade_amounts:
        return None
    value = aid_type.grade_amounts.get(str(hardship_grade))
    return int(value) if value is not None else None


def amount_problem(aid_type: Any, amount_fen: Any, *, hardship_grade: int = 0) -> str | None:
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        return _("An amount is a positive number of yuan, to the fen.")
    if not aid_type.min_fen <= amount_fen <= aid_type.max_fen:
        if aid_type.min_fen == aid_type.max_fen:
            return _("%(type)s is %(amount)s; %(asked)s was asked.") % {
                "type": aid_type, "amount": format_fen(aid_type.min_fen), "asked": format_fen(amount_fen)}
        return _("%(type)s is between %(low)s and %(high)s; %(asked)s was asked.") % {
            "type": aid_type, "low": format_fen(aid_type.min_fen), "high": format_fen(aid_type.max_fen),
            "asked": format_fen(amount_fen)}
    ceiling = grade_ceiling(aid_type, hardship_grade)
    if ceiling is not None and amount_fen > ceiling:
        return _("Hardship grade %(g)d entitles to at most %(ceiling)s of %(type)s; %(asked)s was asked.") % {
            "g": hardship_grade, "ceiling": format_fen(ceiling), "type": aid_type, "asked": format_fen(amount_fen)}
    return None


def yearly_limit(aid_type: Any, hardship_grade: int) -> int:
    """What one youth may be granted of this aid type in a year, across all their applications: the
    amount of their hardship grade where the type goes by grade (living assistance: 1,000, 2,000 or
    3,000), else the type's yearly cap. The grade is the youth's current one, so a grade changed
    during the year changes what is left."""
    ceiling = grade_ceiling(aid_type, hardship_grade)
    cap = int(aid_type.yearly_cap_fen)
    return min(cap, ceiling) if ceiling is not None else cap


def cap_problem(aid_type: Any, year: int, amount_fen: int, already_fen: int, *, hardship_grade: int = 0) -> str | None:
    """The yearly limit holds across all applications of the year (asked for or granted)."""
    cap = yearly_limit(aid_type, hardship_grade)
    if already_fen + amount_fen <= cap:
        return None
    values = {"type": aid_type, "cap": format_fen(cap), "year": year, "already": format_fen(already_fen),
              "left": format_fen(max(cap - already_fen, 0)), "g": hardship_grade}
    if grade_ceiling(aid_type, hardship_grade) is not None:
        return _("With hardship grade %(g)d, %(type)s is at most %(cap)s per youth in %(year)d; %(already)s is "
                 "already asked for or granted, so at most %(left)s more.") % values
    return _("%(type)s is capped at %(cap)s per youth in %(year)d; %(already)s is already asked for or granted, "
             "so at most %(left)s more.") % values


def entitlement(aid_type: Any, *, stage: str, university_admitted_year: int | None, serious_illness: bool,
                hardship_grade: int, used_fen: int) -> int:
    """What a youth may still receive of this aid type this year (0: nothing)."""
    if condition_problem(aid_type, stage=stage, university_admitted_year=university_admitted_year,
                         serious_illness=serious_illness, hardship_grade=hardship_grade):
        return 0
    left = yearly_limit(aid_type, hardship_grade) - used_fen
    return left if left >= aid_type.min_fen else 0
