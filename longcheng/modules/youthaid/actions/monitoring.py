"""Following a case: visits, life events, the nightly birthday check and overdue follow-ups."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import has_perm, restrict
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import ErrorCode, KernelError, PermissionDenied

from .. import rules
from ..access import _lock
from ..conf import visit_days
from ..errors import ErrorCode as Code
from ..models import (
    CaseStatus,
    LifeEvent,
    LifeEventKind,
    ParentStatus,
    Risk,
    Stage,
    Trigger,
    Visit,
    Youth,
)
from . import common
from .common import HEALTH, MANAGE, VIEW, _date, _int, _text
from .screening import screen


def do_record_visit(youth: Youth | int, *, visited_on: Any, situation: str, risk: str, acting_user: User,
                    needs: str = "") -> Visit:
    """A follow-up visit: the situation, needs and risk; the next visit falls due by the risk level."""
    on = _date(visited_on, "visited_on")
    if on > common._today():
        raise KernelError(_("A visit cannot be in the future."), code=ErrorCode.INVALID_DATE, field="visited_on")
    if risk not in Risk.values:
        raise KernelError(_("Choose a risk level."), field="risk")
    situation = _text(situation, "situation", minimum=4)
    needs = _text(needs, "needs", required=False)
    with transaction.atomic():
        locked = _lock(youth, acting_user, MANAGE)
        if locked.status != CaseStatus.ACTIVE:
            raise KernelError(_("Follow-up visits are recorded for cases under monitoring."), code=Code.CASE_NOT_MONITORED,
                              field="status")
        next_due = on + dt.timedelta(days=visit_days(risk))
        visit = Visit.objects.create(youth=locked, visited_on=on, situation=situation, needs=needs, risk=risk,
                                     next_due=next_due, by=acting_user)
        before = {"risk": locked.risk, "next_visit_due": str(locked.next_visit_due)}
        if locked.last_visit_on is None or on >= locked.last_visit_on:
            locked.risk, locked.last_visit_on, locked.next_visit_due = risk, on, next_due
            if needs:
                locked.needs = needs
            locked.save(update_fields=["risk", "last_visit_on", "next_visit_due", "needs", "updated_at"])
        record(acting_user, "youthaid.visit", locked, before=before,
               after={"risk": locked.risk, "next_visit_due": str(locked.next_visit_due)}, reason=situation[:200])
    return visit


def do_life_event(youth: Youth | int, *, kind: str, on: Any, acting_user: User | None, note: str = "",
                  hardship_grade: Any = None) -> LifeEvent:
    """A change in the youth's life re-checks eligibility, with the reason recorded."""
    if kind not in LifeEventKind.values:
        raise KernelError(_("Choose what happened."), field="kind")
    day = _date(on, "on")
    if day > common._today():
        raise KernelError(_("The date cannot be in the future."), code=ErrorCode.INVALID_DATE, field="on")
    note = _text(note, "note", required=False, limit=300)
    with transaction.atomic():
        locked = _lock(youth, acting_user, MANAGE) if acting_user is not None else _system_lock(youth)
        if kind in (LifeEventKind.ILLNESS, LifeEventKind.RECOVERED) and acting_user is not None \
                and not has_perm(acting_user, HEALTH):
            raise PermissionDenied(_("Your role may not record health data."), field="kind")
        if LifeEvent.objects.filter(youth=locked, kind=kind, on=day).exists():
            raise KernelError(_("This event is already recorded for that day."), code=Code.EVENT_RECORDED, field="on")
        if kind == LifeEventKind.ADMITTED:
            locked.stage, locked.university_admitted_year = Stage.UNIVERSITY, day.year
        elif kind == LifeEventKind.ILLNESS:
            locked.serious_illness = True
        elif kind == LifeEventKind.RECOVERED:
            locked.serious_illness = False
        elif kind == LifeEventKind.REMARRIED:
            locked.surviving_parent_status = ParentStatus.REMARRIED
        elif kind == LifeEventKind.LEFT_SCHOOL:
            locked.stage = Stage.NOT_IN_SCHOOL
        elif kind == LifeEventKind.HARDSHIP:
            grade = _int(hardship_grade, "hardship_grade") if hardship_grade not in (None, "") else max(
                locked.hardship_grade, 1)
            if not 1 <= grade <= 3:
                raise KernelError(_("Between %(low)d and %(high)d.") % {"low": 1, "high": 3}, field="hardship_grade")
            locked.hardship_grade = grade
        locked.save()
        label = str(LifeEventKind(kind).label)
        event = LifeEvent.objects.create(youth=locked, kind=kind, on=day, note=note, by=_user_or_none(acting_user))
        if locked.status in (CaseStatus.ACTIVE, CaseStatus.NEEDS_INFO, CaseStatus.NOT_ELIGIBLE):
            event.screening = screen(locked, acting_user=acting_user, trigger=Trigger.LIFE_EVENT,
                                     note=f"{label} {day.isoformat()}")
            event.save(update_fields=["screening"])
        else:
            record(acting_user, "youthaid.life_event", locked, after={"kind": kind, "on": day.isoformat()},
                   reason=note or label)
    return event


def _user_or_none(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _system_lock(youth: Youth | int) -> Youth:
    pk = youth.pk if isinstance(youth, Youth) else youth
    Youth.objects.select_for_update().filter(pk=pk).first()
    return Youth.objects.select_related("person__place", "deceased_parent").get(pk=pk)


def record_birthdays(today: dt.date | None = None) -> int:
    """Youths under monitoring who turned 18 today: the system records it and re-checks (a youth who
    is not in school stops being eligible; a student goes on)."""
    day = today or common._today()
    if day.month == 2 and day.day == 29:
        return 0  # 18 years before a leap day is a common year: nobody was born on that day
    born = [day.replace(year=day.year - rules.ADULT_AGE)]
    if (day.month, day.day) == (3, 1) and calendar.isleap(day.year - rules.ADULT_AGE):
        born.append(dt.date(day.year - rules.ADULT_AGE, 2, 29))  # born on 29 February: 18 on 1 March
    count = 0
    for pk in Youth.objects.filter(status=CaseStatus.ACTIVE, person__birth_date__in=born).values_list("pk", flat=True):
        try:
            do_life_event(pk, kind=LifeEventKind.TURNED_18, on=day, acting_user=None,
                          note=_("Recorded automatically from the birth date."))
            count += 1
        except KernelError:
            continue  # already recorded today
    return count


def overdue(user: Any, today: dt.date | None = None) -> Any:
    """Cases under monitoring whose follow-up visit is overdue, in the user's scope."""
    return restrict(Youth.objects.filter(status=CaseStatus.ACTIVE, next_visit_due__lt=today or common._today()),
                    user, VIEW)
