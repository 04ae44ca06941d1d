"""Fetch and authorise in one call, through kernel.access.scope: an object outside the user's scope
is the same NotFound as one that does not exist. Drivers are narrowed further to the reports they
are a party of, insurer handlers to the hand-offs addressed to their insurer."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from longcheng.kernel.access.scope import access_object, restrict

from .models import Handoff, Party, Report
from .spec import CLAIMS, REPORT, REVIEW


def own_reports(user: Any) -> QuerySet[Report]:
    return restrict(Report.objects.select_related("place"), user, REPORT).filter(
        parties__user=user).distinct().order_by("-started_at", "-pk")


def own_report(user: Any, pk: int) -> Report:
    return access_object(Report, user, pk, REPORT, queryset=own_reports(user))


def own_party(report: Report, user: Any) -> Party:
    return report.parties.get(user=user)


def queue(user: Any) -> QuerySet[Report]:
    return restrict(Report.objects.select_related("place"), user, REVIEW).filter(
        status__in=[Report.Status.SUBMITTED, Report.Status.DISPUTE]).order_by("submitted_at", "pk")


def reviewable(user: Any, pk: int) -> Report:
    return access_object(Report, user, pk, REVIEW, queryset=Report.objects.select_related("place"))


def handoffs(user: Any) -> QuerySet[Handoff]:
    return restrict(Handoff.objects.select_related("report__place", "party", "insurer"), user, CLAIMS).filter(
        insurer__members=user).order_by("-sent_at", "-pk")


def handoff(user: Any, pk: int) -> Handoff:
    return access_object(Handoff, user, pk, CLAIMS, queryset=handoffs(user))
