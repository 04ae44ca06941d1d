"""An industry's indicator levels, kept as data and versioned: the bureau sets a new version of one
indicator's levels, in force from a day (today or later); the rows of earlier versions stay on record
(who set which levels when). A round is graded against the version in force on its date (figures.grading_day)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import Conflict, KernelError

from .. import rules
from ..errors import ErrorCode
from ..models import Benchmark
from ..spec import REVIEW
from ..stages import INDUSTRIES


def _level(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() and amount < Decimal("1e9") else None


def do_set_benchmark(*, industry: str, indicator: str, level_1: Any, level_2: Any, level_3: Any,
                     restrictive: bool, acting_user: User, effective_from: dt.date | None = None,
                     today: dt.date | None = None) -> Benchmark:
    """A new version of one indicator's levels for an industry, in force from `effective_from` (today if
    not given). Never from a past day: a finished audit was graded on its own day, and a new version must
    not regrade it."""
    require_perm(acting_user, REVIEW)
    day = today or timezone.localdate()
    start = effective_from or day
    if start < day:
        raise KernelError(pgettext("cleanaudit", "A new version takes effect today or later, never in the past."),
                          code=ErrorCode.BENCHMARK, field="effective_from")
    if industry not in INDUSTRIES:
        raise KernelError(pgettext("cleanaudit", "Choose one of the listed values."), code="invalid", field="industry")
    if indicator not in rules.INDICATORS:
        raise KernelError(pgettext("cleanaudit", "Choose one of the listed values."), code="invalid", field="indicator")
    levels = (_level(level_1), _level(level_2), _level(level_3))
    problem = rules.benchmark_problem(*levels)
    if problem:
        raise KernelError(problem[1], code=ErrorCode.BENCHMARK, field=problem[0])
    one, two, three = (v or Decimal(0) for v in levels)  # all above 0 once benchmark_problem passed
    try:
        with transaction.atomic():
            latest = Benchmark.objects.filter(industry=industry, indicator=indicator).aggregate(v=Max("version"))["v"]
            row = Benchmark.objects.create(industry=industry, indicator=indicator, version=(latest or 0) + 1,
                                           level_1=one, level_2=two, level_3=three, effective_from=start,
                                           restrictive=restrictive, set_by=acting_user, set_at=timezone.now())
            record(acting_user, "cleanaudit.benchmark.set", row, after={
                "industry": industry, "indicator": indicator, "version": row.version,
                "levels": [str(v) for v in levels], "restrictive": restrictive,
                "effective_from": start.isoformat()})
    except IntegrityError as exc:  # two at once: the second retries with the next version
        raise Conflict(pgettext("cleanaudit", "Someone set this indicator at the same moment; try again."),
                       code=ErrorCode.BENCHMARK, field="indicator") from exc
    return row
