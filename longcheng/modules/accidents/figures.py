"""The dashboard panel: reports, handled without attending the scene, time to liability (median,
p90), disputes, refusals by reason, photo-reuse flags and reports per hour, within the viewer's
places (restrict)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import get_language, pgettext

from longcheng.kernel import maps
from longcheng.kernel.access.scope import restrict
from longcheng.kernel.registry import Chart, Figure

from . import rules
from .models import Exclusion, Photo, Report
from .spec import FIGURES


def _reports(user: Any) -> Any:
    return restrict(Report.objects.all(), user, FIGURES)


def panel_figures(user: Any) -> list[Figure]:
    reports = _reports(user)
    counts = dict(reports.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    total = sum(counts.values())
    reviewed = reports.filter(decided_at__isnull=False, submitted_at__isnull=False)
    minutes = [(d - s).total_seconds() / 60 for s, d in reviewed.values_list("submitted_at", "decided_at")]
    remote = counts.get(Report.Status.DECIDED, 0) + counts.get(Report.Status.HANDED_OFF, 0)
    decided = remote + counts.get(Report.Status.SCENE, 0)
    median, p90 = rules.percentile(minutes, 0.5), rules.percentile(minutes, 0.9)
    reused = restrict(Photo.objects.filter(reused_from__isnull=False), user, FIGURES).count()
    disputes = reports.filter(submitted_at__isnull=False, proposed_a="").count()
    overdue = reports.filter(status__in=[Report.Status.SUBMITTED, Report.Status.DISPUTE],
                             submitted_at__lt=timezone.now() - rules.REVIEW_TARGET).count()
    return [
        Figure(pgettext("accidents", "Accident reports"), total),
        Figure(pgettext("accidents", "Handled without attending the scene"),
               round(100 * remote / decided) if decided else 0, "%"),
        Figure(pgettext("accidents", "Time to liability, median"), round(median, 1) if median is not None else "—",
               pgettext("accidents", "min")),
        Figure(pgettext("accidents", "Time to liability, p90"), round(p90, 1) if p90 is not None else "—",
               pgettext("accidents", "min")),
        Figure(pgettext("accidents", "Disputes"), disputes),
        Figure(pgettext("accidents", "Refused (call 110/122)"), counts.get(Report.Status.REFUSED, 0)),
        Figure(pgettext("accidents", "Photo reuse flags"), reused),
        Figure(pgettext("accidents", "Waiting past 15 minutes"), overdue),
    ]


def panel_charts(user: Any) -> list[Chart]:
    reports = _reports(user)
    refusals = Counter(reports.filter(status=Report.Status.REFUSED).values_list("refused_because__code", flat=True))
    hours = Counter(timezone.localtime(t).hour for t in reports.values_list("started_at", flat=True))
    return [
        Chart(pgettext("accidents", "Refusals by reason"), "bar", [_reason(code) for code in refusals],
              {pgettext("accidents", "Reports"): [float(v) for v in refusals.values()]}),
        Chart(pgettext("accidents", "Reports by hour of day"), "bar", [str(h) for h in range(24)],
              {pgettext("accidents", "Reports"): [float(hours.get(h, 0)) for h in range(24)]}),
    ]


def _reason(code: str) -> str:
    """A refusal's reason as people read it: the question of the exclusion's newest version."""
    row = Exclusion.objects.filter(code=code).order_by("-version").first()
    if row is None:
        return code
    return row.question_en if (get_language() or "zh-hans").startswith("en") else row.question_zh


# Hot spots: reports counted on a grid of about 1 km (0.01° of latitude), drawn on the kernel map.
GRID = 0.01


def hotspots(user: Any) -> dict[str, Any]:
    """The viewer's reports counted on a ~1 km grid, as circles on the kernel map (sized by count),
    and by place."""
    cells = Counter((round(lat / GRID) * GRID, round(lon / GRID) * GRID)
                    for lat, lon in _reports(user).values_list("lat", "lon"))
    places = list(_reports(user).values("place__name").annotate(n=Count("pk")).order_by("-n", "place__name")[:20])
    most = max(cells.values(), default=0)
    spots = [maps.point(lat, lon, pgettext("accidents", "About %(lat).2f, %(lon).2f") % {"lat": lat, "lon": lon},
                        count=n, tone="alarm" if n * 2 > most else "warn")
             for (lat, lon), n in sorted(cells.items(), key=lambda kv: kv[1])]
    return {"spots": [s for s in spots if s is not None], "places": places}
