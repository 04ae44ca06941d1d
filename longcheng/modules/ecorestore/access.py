"""Fetch and authorise in one call, through kernel.access.scope: an object outside the user's scope
is the same NotFound as one that does not exist.

Who sees what: the procuratorate (`view`) every case of its places; a court (`court`) the cases it
judged in its places; a supervisor (`supervise`) the shifts of the zones they hold; the party
(`own`) the obligations of the cases that name their own account, and nothing else."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from longcheng.kernel.access.scope import restrict
from longcheng.kernel.errors import NotFound

from .models import Case, Obligation, Shift, Source, Work, Zone
from .spec import COURT, MANAGE, OWN, SUPERVISE, VIEW


def cases_for(user: Any, *, manage: bool = False) -> QuerySet[Case]:
    """The cases a user may see (or, with manage, act on): the union of the procuratorate's and the court's."""
    full = restrict(Case.objects.all(), user, MANAGE if manage else VIEW)
    judged = restrict(Case.objects.filter(source=Source.COURT), user, COURT)
    if manage:
        return full.order_by("-opened_on", "-pk")
    return Case.objects.filter(Q(pk__in=full.values("pk")) | Q(pk__in=judged.values("pk"))).order_by("-opened_on", "-pk")


def case_for(user: Any, pk: int, *, manage: bool = False) -> Case:
    case = cases_for(user, manage=manage).select_related("place").filter(pk=pk).first()
    if case is None:
        raise NotFound()
    return case


def shifts_for(user: Any) -> QuerySet[Shift]:
    return restrict(Shift.objects.select_related("zone", "obligation__case"), user, SUPERVISE)


def shift_for(user: Any, pk: int) -> Shift:
    shift = shifts_for(user).filter(pk=pk).first()
    if shift is None:
        raise NotFound()
    return shift


def case_shift_for(user: Any, case_pk: int, pk: int) -> Shift:
    """A shift of a case, for the procuratorate over the case's place (`view`): its photos are shown
    on the case page to them alone; anyone else, the court included, finds nothing."""
    cases = restrict(Case.objects.filter(pk=case_pk), user, VIEW)
    shift = Shift.objects.filter(obligation__case__in=cases, pk=pk).first()
    if shift is None:
        raise NotFound()
    return shift


def may_see_photos(user: Any, case: Case) -> bool:
    return restrict(Case.objects.filter(pk=case.pk), user, VIEW).exists()


def own_obligations(user: Any) -> QuerySet[Obligation]:
    """Only the obligations of cases naming this account: holding `own` anywhere shows no one else's."""
    qs = restrict(Obligation.objects.select_related("case"), user, OWN)
    return qs.filter(case__party_user=user).order_by("pk")


def zones_for(user: Any, permission: str) -> QuerySet[Zone]:
    return restrict(Zone.objects.select_related("base"), user, permission).order_by("pk")


def work_for(user: Any, pk: int, *, supervise_only: bool = False) -> Work:
    """A work in kind for the procuratorate of its case or the supervisor of its zone (supervise_only:
    the supervisor's own page, which finds only the works of the zones it holds)."""
    by_zone = Work.objects.filter(zone__in=restrict(Zone.objects.all(), user, SUPERVISE))
    found = Q(pk__in=by_zone.values("pk"))
    if not supervise_only:
        found |= Q(pk__in=restrict(Work.objects.all(), user, MANAGE).values("pk"))
    work = (Work.objects.filter(found)
            .select_related("case__place", "zone__place").filter(pk=pk).first())
    if work is None:
        raise NotFound()
    return work
