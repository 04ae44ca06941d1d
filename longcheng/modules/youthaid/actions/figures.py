"""Figures over payments and cases, for the dashboard and the figures page."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, Sum

from ..models import (
    AppStatus,
    Payment,
    PayStatus,
)


def paid_total(qs: Any = None) -> int:
    qs = Payment.objects.all() if qs is None else qs
    return qs.filter(status__in=[PayStatus.PAID]).aggregate(s=Sum("amount_fen"))["s"] or 0


def reaided_count(youths: Any) -> int:
    """Youths granted aid again after an earlier payment (a re-aid application approved or paid)."""
    return youths.filter(Q(applications__is_reaid=True,
                           applications__status__in=[AppStatus.APPROVED, AppStatus.PAID])).distinct().count()
