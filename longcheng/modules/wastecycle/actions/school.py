"""The school's changes: attendance, a class's weighing (from a phone or a scale), kitchen waste."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import Conflict, KernelError
from longcheng.kernel.orgs.models import Organisation

from ..access import require_place
from ..errors import ErrorCode
from ..models import Attendance, KitchenReason, KitchenWaste, Meal, SchoolClass, Source, Weighing
from ..rollup import refresh_school_day
from ..spec import WEIGH

MAX_DINERS, MAX_GRAMS = 200, 200_000  # a class, not a canteen; 200 kg of leftovers is a typo


def _check_meal(day: dt.date, meal: str) -> None:
    if meal not in Meal.values:
        raise KernelError(pgettext("wastecycle", "Choose a meal."), field="meal")
    if day > dt.date.today() + dt.timedelta(days=1):
        raise KernelError(pgettext("wastecycle", "The day is in the future."), field="day")


def do_record_attendance(klass: SchoolClass, *, day: dt.date, meal: str, diners: int, acting_user: User) -> Attendance:
    """A meal's diners; recording the same figure again is a no-op, another figure replaces it (a
    teacher recounts) with the change audited."""
    require_perm(acting_user, WEIGH)
    require_place(acting_user, WEIGH, klass.place.path, "klass")
    _check_meal(day, meal)
    if not 0 < diners <= MAX_DINERS:
        raise KernelError(pgettext("wastecycle", "Between 1 and 200 diners."), field="diners")
    with transaction.atomic():
        row = Attendance.objects.select_for_update().filter(klass=klass, day=day, meal=meal).first()
        if row is not None and row.diners == diners:
            return row
        before = {"diners": row.diners} if row else None
        if row is None:
            row = Attendance.objects.create(klass=klass, day=day, meal=meal, diners=diners)
        else:
            row.diners = diners
            row.save(update_fields=["diners"])
        if Weighing.objects.filter(klass=klass, day=day, meal=meal).update(diners=diners):
            refresh_school_day(klass, day)
        record(acting_user, "wastecycle.attendance.record", row, before=before,
               after={"class": klass.name, "day": day, "meal": meal, "diners": diners})
    return row


def do_record_weighing(klass: SchoolClass, *, day: dt.date, meal: str, grams: int, acting_user: User,
                       source: str = Source.PHONE) -> Weighing:
    """A class's leftovers of one meal, once. The same weight sent again (a scale's retry) returns the
    weighing already written; another weight for the same meal is refused."""
    require_perm(acting_user, WEIGH)
    require_place(acting_user, WEIGH, klass.place.path, "klass")
    _check_meal(day, meal)
    if not 0 <= grams <= MAX_GRAMS:
        raise KernelError(pgettext("wastecycle", "Between 0 and 200,000 g."), field="grams")
    taken = Conflict(pgettext("wastecycle", "This class's meal is already weighed."),
                     code=ErrorCode.ALREADY_WEIGHED, field="klass")
    existing = Weighing.objects.filter(klass=klass, day=day, meal=meal).first()
    if existing is not None:
        if existing.grams == grams:
            return existing
        raise taken
    try:
        with transaction.atomic():
            diners = Attendance.objects.filter(klass=klass, day=day, meal=meal).values_list("diners", flat=True).first()
            row = Weighing.objects.create(klass=klass, day=day, meal=meal, grams=grams, source=source, diners=diners,
                                          recorded_by=acting_user)
            refresh_school_day(klass, day)
            record(acting_user, "wastecycle.weighing.record", row,
                   after={"class": klass.name, "day": day, "meal": meal, "grams": grams, "source": source})
    except IntegrityError as exc:
        raise taken from exc
    return row


def do_record_kitchen_waste(school: Organisation, *, day: dt.date, reason: str, grams: int,
                            acting_user: User) -> KitchenWaste:
    require_perm(acting_user, WEIGH)
    if school.place is None:
        raise KernelError(pgettext("wastecycle", "The school has no place."), field="school")
    require_place(acting_user, WEIGH, school.place.path, "school")
    if reason not in KitchenReason.values:
        raise KernelError(pgettext("wastecycle", "Choose a reason."), field="reason")
    if not 0 < grams <= 10 * MAX_GRAMS:
        raise KernelError(pgettext("wastecycle", "Between 1 and 2,000,000 g."), field="grams")
    with transaction.atomic():
        row = KitchenWaste.objects.create(school=school, place=school.place, day=day, reason=reason, grams=grams,
                                          recorded_by=acting_user)
        record(acting_user, "wastecycle.kitchen.record", row, after={"day": day, "reason": reason, "grams": grams})
    return row


def do_weigh_meal(klass: SchoolClass, *, day: dt.date, meal: str, diners: int, grams: int, acting_user: User,
                  source: str = Source.PHONE) -> Weighing:
    """The teacher's one step: the meal's diners and the class's leftovers together, or neither."""
    with transaction.atomic():
        do_record_attendance(klass, day=day, meal=meal, diners=diners, acting_user=acting_user)
        return do_record_weighing(klass, day=day, meal=meal, grams=grams, acting_user=acting_user, source=source)


def do_correct_weighing(weighing: Weighing, *, grams: int, reason: str, acting_user: User) -> Weighing:
    """A teacher's correction of a class's weighing (a misread scale, a tray forgotten): the grams are
    replaced, with the reason; the first figure stays in the audit row and the school's day follows."""
    klass = weighing.klass
    require_perm(acting_user, WEIGH)
    require_place(acting_user, WEIGH, klass.place.path, "klass")
    reason = (reason or "").strip()
    if not 4 <= len(reason) <= 200:
        raise KernelError(pgettext("wastecycle", "Give a reason of 4 to 200 characters."), field="reason")
    if not 0 <= grams <= MAX_GRAMS:
        raise KernelError(pgettext("wastecycle", "Between 0 and 200,000 g."), field="grams")
    with transaction.atomic():
        row = Weighing.objects.select_for_update().get(pk=weighing.pk)
        if row.pupils.exists():
            raise Conflict(pgettext("wastecycle", "This meal was weighed pupil by pupil: its weight is the sum of the plates."),
                           code=ErrorCode.WEIGHED_PER_PUPIL, field="grams")
        if row.grams == grams:
            raise KernelError(pgettext("wastecycle", "The weight is the same as recorded."), field="grams")
        before = {"grams": row.grams}
        row.grams, row.corrected_at, row.correction_reason = grams, timezone.now(), reason
        row.save(update_fields=["grams", "corrected_at", "correction_reason"])
        refresh_school_day(klass, row.day)
        record(acting_user, "wastecycle.weighing.correct", row, reason=reason, before=before,
               after={"class": klass.name, "day": row.day, "meal": row.meal, "grams": grams})
    return row
