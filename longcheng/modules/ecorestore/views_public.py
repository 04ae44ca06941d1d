"""The public disclosure page (信息公开), read without signing in: the cases whose restoration is
done and assessed (stage `disclosed`), with what may be public — the case number, the kind of damage,
the amount, the restoration done (hours, trees, fish, area) and the assessment's result — and the
party's name only as the kernel's privacy policy shows a name in public (`privacy.public_name`)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Prefetch, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from longcheng.kernel.privacy import public_name

from .models import Case, ObligationState, Stage, Work, WorkKind

PER_PAGE = 20


def _row(case: Any) -> dict[str, Any]:
    done = {kind: 0 for kind in WorkKind.values}
    for work in case.works.all():
        done[work.kind] += work.quantity_done
    assessment = getattr(case, "assessment", None)
    return {
        "number": case.number, "title": case.title, "party": public_name(case.party_name),
        "source": case.get_source_display(), "organ": case.source_organ, "damage_fen": case.damage_fen,
        "hours": case.hours or 0, "trees": done[WorkKind.TREES], "fish": done[WorkKind.FISH],
        "area": done[WorkKind.AREA], "zones": sorted({w.zone.name for w in case.works.all()}),
        "survival": assessment.survival_percent if assessment else None,
        "checked_on": assessment.checked_on if assessment else None,
    }


@require_safe
def disclosure(request: HttpRequest) -> HttpResponse:
    cases = (Case.objects.filter(stage=Stage.DISCLOSED).select_related("assessment")
             .prefetch_related("heads", Prefetch("works", Work.objects.exclude(state=ObligationState.BREACHED)
                                        .select_related("zone")))
             .order_by("-opened_on", "-pk"))
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
    hours = dict(Case.objects.filter(pk__in=[c.pk for c in page.object_list])
                 .annotate(h=Sum("obligations__hours_credited")).values_list("pk", "h"))
    for case in page.object_list:
        case.hours = hours.get(case.pk)
    return render(request, "ecorestore/disclosure.html", {"page": page, "rows": [_row(c) for c in page.object_list]})
