"""The kernel's headline figures and charts for the home dashboard (scoped to the viewer)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel.access.scope import has_perm, restrict, scope_paths
from longcheng.kernel.people.models import Resident
from longcheng.kernel.places.models import Level, Place
from longcheng.kernel.registry import Chart, Figure


def kernel_figures(user: Any) -> list[Figure]:
    figures = [
        Figure(_("Communities and villages"),
               restrict(Place.objects.filter(level=Level.COMMUNITY), user, "places.view").count(),
               url=reverse("web:places")),
    ]
    if has_perm(user, "people.view"):
        residents = restrict(Resident.objects.filter(died_on__isnull=True), user, "people.view")
        today = timezone.localdate()
        figures.append(Figure(_("Residents"), residents.count(), url=reverse("web:residents")))
        figures.append(Figure(_("Aged 60 and over"),
                              residents.filter(birth_date__lte=today.replace(year=today.year - 60)).count()))
        figures.append(Figure(_("Children under 14"),
                              residents.filter(birth_date__gt=today.replace(year=today.year - 14)).count()))
    return figures


def kernel_charts(user: Any) -> list[Chart]:
    if not has_perm(user, "people.view"):
        return []
    paths = scope_paths(user, "people.view")
    # Chart by the level just below the viewer's scope: districts for the city, communities for a town.
    roots = list(Place.objects.filter(path__in=paths)) if paths != ("",) else list(
        Place.objects.filter(level=Level.CITY))
    if len(roots) == 1:
        areas = list(Place.objects.filter(parent=roots[0]).order_by("code"))
    else:
        areas = roots
    if not areas:
        return []
    # One grouped query over residents by place, then roll places up to areas in Python: there are
    # thousands of places but a million residents, so N per-area COUNTs would scan N times.
    per_place = dict(
        restrict(Resident.objects.filter(died_on__isnull=True), user, "people.view")
        .values_list("place_id").annotate(n=Count("id")).values_list("place_id", "n")
    )
    place_paths = dict(Place.objects.filter(pk__in=[p for p in per_place if p]).values_list("pk", "path"))
    values = [sum(n for pk, n in per_place.items() if pk and place_paths.get(pk, "").startswith(a.path)) for a in areas]
    return [Chart(_("Residents by area"), "bar", [a.name for a in areas], {_("Residents"): values})]
