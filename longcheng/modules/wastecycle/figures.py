"""The dashboard panel's figures, scoped to the viewer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.scope import restrict
from longcheng.kernel.registry import Figure

from . import rules
from .models import Lot, Ticket, Weighing
from .reports import with_diners
from .spec import VIEW


def panel_figures(user: Any) -> list[Figure]:
    since = timezone.localdate() - dt.timedelta(days=30)
    meals = with_diners(restrict(Weighing.objects.filter(day__gte=since), user, VIEW))
    totals = meals.filter(diners__isnull=False).aggregate(g=Sum("grams"), d=Sum("diners"))
    tickets = restrict(Ticket.objects.filter(tare_at__date__gte=since), user, VIEW).aggregate(kg=Sum("net_kg"))
    released = restrict(Lot.objects.filter(state="released"), user, VIEW).count()
    return [
        Figure(pgettext("wastecycle", "Leftovers per diner, last 30 days"),
               rules.shown_grams(rules.grams_per_diner(totals["g"] or 0, totals["d"])), "g",
               url=reverse("wastecycle:school")),
        Figure(pgettext("wastecycle", "Received at the station, last 30 days"), round((tickets["kg"] or 0) / 1000, 1),
               "t", url=reverse("wastecycle:station")),
        Figure(pgettext("wastecycle", "Soil lots released"), released),
    ]
