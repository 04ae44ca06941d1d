"""Screening a case against the criteria, and the appeal of a refusal."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import has_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import KernelError

from .. import rules
from ..access import _lock
from ..conf import visit_days
from ..errors import ErrorCode as Code
from ..models import (
    CaseStatus,
    Outcome,
    Report,
    Screening,
    Trigger,
    Youth,
)
from . import common
from .common import MANAGE, REPORT, _text


def _apply_outcome(youth: Youth, outcome: str, today: dt.date) -> None:
    if outcome == Outcome.ELIGIBLE:
        youth.status = CaseStatus.ACTIVE
        if youth.next_visit_due is None:
            youth.next_visit_due = today + dt.timedelta(days=visit_days(youth.risk))
    elif outcome == Outcome.NOT_ELIGIBLE:
        youth.status = CaseStatus.NOT_ELIGIBLE
    else:
        youth.status = CaseStatus.NEEDS_INFO


def prescreening(youth_id: int, facts: rules.Facts, today: dt.date, *, by: User | None, note: str) -> Screening:
    """The pre-screening of a youth found in the registry, by a death recorded (discovery.on_person_died)
    or by the registry scan (scan.scan_registry): the criteria over what the registry tells
    (rules.registry_facts), unsaved (the scan saves thousands at once). The case stays "outreach":
    a case worker confirms by screening the case."""
    reasons = rules.criteria(facts, today)
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    return Screening(youth_id=youth_id, outcome=rules.outcome_of(reasons), reasons=[r.as_dict() for r in reasons],
                     trigger=Trigger.INTAKE, note=note[:300], by=actor)


def screen(locked: Youth, *, acting_user: User | None, trigger: str, note: str = "") -> Screening:
    today = common._today()
    reasons = rules.criteria(rules.facts_of(locked), today)
    outcome = rules.outcome_of(reasons)
    before = locked.status
    _apply_outcome(locked, outcome, today)
    locked.save(update_fields=["status", "next_visit_due", "updated_at"])
    result = Screening.objects.create(youth=locked, outcome=outcome, reasons=[r.as_dict() for r in reasons],
                                      trigger=trigger, note=note[:300], by=acting_user if acting_user and
                                      getattr(acting_user, "is_authenticated", False) else None)
    record(acting_user, "youthaid.screen", locked, before={"status": before},
           after={"status": locked.status, "outcome": outcome, "trigger": trigger},
           reason="; ".join(r.text for r in reasons if r.met is not True)[:500] or note[:200])
    return result


def do_screen(youth: Youth | int, *, acting_user: User, note: str = "") -> Screening:
    """Check the criteria and show every reason: eligible (monitoring starts), not eligible (may be
    appealed) or more information needed."""
    with transaction.atomic():
        locked = _lock(youth, acting_user, MANAGE)
        if locked.status == CaseStatus.CLOSED:
            raise KernelError(_("This case is closed."), code=Code.CASE_CLOSED, field="status")
        trigger = Trigger.APPEAL if locked.status == CaseStatus.APPEALED else Trigger.INTAKE
        return screen(locked, acting_user=acting_user, trigger=trigger, note=note)


def do_appeal(youth: Youth | int, *, note: str, acting_user: User) -> Youth:
    """The family (through the case worker or the reporter) contests a 'not eligible'."""
    note = _text(note, "note", minimum=4)
    with transaction.atomic():
        pk = youth.pk if isinstance(youth, Youth) else youth
        by_reporter = Report.objects.filter(youth_id=pk, reporter=acting_user).exists() if getattr(
            acting_user, "is_authenticated", False) else False
        locked = _lock(youth, acting_user, REPORT if by_reporter and not has_perm(acting_user, MANAGE) else MANAGE)
        if locked.status != CaseStatus.NOT_ELIGIBLE:
            raise KernelError(_("Only a 'not eligible' decision can be appealed."), code=Code.NOT_APPEALABLE,
                              field="status")
        locked.status, locked.appeal_note = CaseStatus.APPEALED, note
        locked.save(update_fields=["status", "appeal_note", "updated_at"])
        record(acting_user, "youthaid.appeal", locked, before={"status": CaseStatus.NOT_ELIGIBLE},
               after={"status": CaseStatus.APPEALED}, reason=note[:200])
    return locked
