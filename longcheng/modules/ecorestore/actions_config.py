"""The eligibility thresholds as data: a new version from a date, never an edit of an old one (a
conversion is judged by the version in force on its case's decision date), with its audit row."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import has_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import ErrorCode as KernelCode
from longcheng.kernel.errors import KernelError, PermissionDenied
from longcheng.kernel.ledger.money import MAX_AMOUNT_FEN

from .models import Threshold
from .spec import MANAGE


def do_set_threshold(*, valid_from: dt.date, fast_lane_below_fen: int, max_convert_fen: int | None, basis: str,
                     acting_user: User) -> Threshold:
    if not has_perm(acting_user, MANAGE):
        raise PermissionDenied()
    if not 0 <= fast_lane_below_fen <= MAX_AMOUNT_FEN:
        raise KernelError(pgettext("ecorestore", "A whole amount of fen, not negative."), code=KernelCode.INVALID_AMOUNT,
                          field="fast_lane_below_fen")
    if max_convert_fen is not None and not 0 < max_convert_fen <= MAX_AMOUNT_FEN:
        raise KernelError(pgettext("ecorestore", "A whole amount of fen, more than zero."),
                          code=KernelCode.INVALID_AMOUNT, field="max_convert_fen")
    if len(basis.strip()) < 4:
        raise KernelError(pgettext("ecorestore", "Give the basis (at least 4 characters)."), field="basis")
    try:
        with transaction.atomic():
            row = Threshold.objects.create(valid_from=valid_from, fast_lane_below_fen=fast_lane_below_fen,
                                           max_convert_fen=max_convert_fen, basis=basis.strip(), recorded_by=acting_user)
            record(acting_user, "ecorestore.threshold.set", row, after={
                "valid_from": valid_from.isoformat(), "fast_lane_below_fen": fast_lane_below_fen,
                "max_convert_fen": max_convert_fen, "basis": row.basis})
    except IntegrityError as exc:
        raise KernelError(pgettext("ecorestore", "A version from this date exists: choose another date."),
                          code=KernelCode.INVALID, field="valid_from") from exc
    return row
