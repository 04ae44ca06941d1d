"""Per-pupil weighing, where a school does it (光盘行动's "真棒，你今天光盘啦"): the school's option,
and a class's meal weighed plate by plate, by seat number (no pupil's name is kept). The class's
weighing is then the pupils' sum and its diners the pupils weighed, so every figure and report reads
it like any other class weighing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import Conflict, KernelError

from ..access import require_place
from ..errors import ErrorCode
from ..models import PupilWeighing, SchoolClass, SchoolOptions, Source, Weighing
from ..spec import WEIGH
from .school import MAX_DINERS, do_weigh_meal

MAX_PLATE = 2000  # one pupil's leftovers; more is a typo


def per_pupil(school_id: int) -> bool:
    return SchoolOptions.objects.filter(school_id=school_id, per_pupil=True).exists()


def do_set_school_options(klass: SchoolClass, *, per_pupil: bool, acting_user: User) -> SchoolOptions:
    """Whether the school (reached through one of its classes) weighs pupil by pupil."""
    require_perm(acting_user, WEIGH)
    require_place(acting_user, WEIGH, klass.place.path, "school")
    with transaction.atomic():
        row = SchoolOptions.objects.select_for_update().filter(school_id=klass.school_id).first()
        before = {"per_pupil": row.per_pupil} if row else None
        if row is None:
            row = SchoolOptions.objects.create(school_id=klass.school_id, place=klass.place, per_pupil=per_pupil)
        elif row.per_pupil != per_pupil:
            row.per_pupil = per_pupil
            row.save(update_fields=["per_pupil"])
        record(acting_user, "wastecycle.options.set", row, before=before, after={"per_pupil": per_pupil})
    return row


def do_weigh_pupils(klass: SchoolClass, *, day: dt.date, meal: str, plates: dict[int, int],
                    acting_user: User) -> Weighing:
    """The class's meal plate by plate: {seat: grams}. Refused where the school does not weigh per pupil."""
    require_perm(acting_user, WEIGH)
    require_place(acting_user, WEIGH, klass.place.path, "klass")
    if not per_pupil(klass.school_id):
        raise Conflict(pgettext("wastecycle", "This school weighs per class, not per pupil."),
                       code=ErrorCode.NOT_PER_PUPIL, field="plates")
    if not 0 < len(plates) <= MAX_DINERS or any(not 0 < seat <= MAX_DINERS for seat in plates):
        raise KernelError(pgettext("wastecycle", "Seats 1 to 200, at least one pupil."), field="plates")
    if any(not 0 <= grams <= MAX_PLATE for grams in plates.values()):
        raise KernelError(pgettext("wastecycle", "Between 0 and 2,000 g a plate."), field="plates")
    with transaction.atomic():
        row = do_weigh_meal(klass, day=day, meal=meal, diners=len(plates), grams=sum(plates.values()),
                            acting_user=acting_user, source=Source.PHONE)
        if row.pupils.exists():
            raise Conflict(pgettext("wastecycle", "This class's meal is already weighed."),
                           code=ErrorCode.ALREADY_WEIGHED, field="plates")
        PupilWeighing.objects.bulk_create([PupilWeighing(weighing=row, seat=seat, grams=grams)
                                           for seat, grams in sorted(plates.items())])
        record(acting_user, "wastecycle.pupils.weigh", row,
               after={"class": klass.name, "day": day, "meal": meal, "pupils": len(plates)})
    return row
