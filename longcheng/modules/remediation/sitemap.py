"""The map of sites coloured by stage (kernel.maps): each site in the viewer's scope with a known position,
toned by the stage of its latest case, with the outlines of the streets and towns it stands in where the
place has one loaded (Place.outline), and a legend in words with the count of each tone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case as When_
from django.db.models import IntegerField, OuterRef, Q, Subquery, Value, When
from django.urls import reverse
from django.utils.translation import pgettext

from longcheng.kernel import maps
from longcheng.kernel.access.scope import restrict
from longcheng.kernel.places.models import Place

from .campaigns import CLOSED, DISMISSED, REOPENED, STAGES
from .models import Case, Site
from .spec import VIEW

MAP_LIMIT = 1000  # points drawn; the sites still being worked on come first
FINISHED_OK = (CLOSED, DISMISSED)


def tone_of(stage: str | None) -> str:
    """alarm: reopened after a rebound; ok: closed (销号) or dismissed; warn: in remediation; plain: no case."""
    if stage is None:
        return "plain"
    if stage == REOPENED:
        return "alarm"
    return "ok" if stage in FINISHED_OK else "warn"


@dataclass(frozen=True)
class LegendRow:
    tone: str
    words: str
    count: int


def _legend(counts: dict[str, int]) -> list[LegendRow]:
    words = {
        "alarm": pgettext("remediation", "Red: reopened after a rebound check"),
        "warn": pgettext("remediation", "Orange: being remediated (screened, determined, planned or accepted)"),
        "ok": pgettext("remediation", "Green: closed (销号) or dismissed"),
        "plain": pgettext("remediation", "Blue: registered, no case yet"),
    }
    return [LegendRow(tone, text, counts.get(tone, 0)) for tone, text in words.items()]


def _outlines(paths: set[str]) -> list[maps.Feature | None]:
    """The loaded outlines of the streets and towns holding the drawn sites (a prefix of a site's path)."""
    streets = Place.objects.filter(level="street", outline__isnull=False).only("name", "path", "outline")
    return [maps.place_area(p) for p in streets if any(path.startswith(p.path) for path in paths)]


def site_map(user: Any) -> dict[str, Any]:
    """Features (street outlines first, then the sites' points), the legend, and how many were left out."""
    latest = Case.objects.filter(site=OuterRef("pk")).order_by("-opened_at", "-pk")
    rows = (restrict(Site.objects.all(), user, VIEW).filter(lat__isnull=False, lon__isnull=False)
            .annotate(stage=Subquery(latest.values("status")[:1]), case_id=Subquery(latest.values("pk")[:1]))
            .annotate(rank=When_(When(Q(stage__isnull=True) | Q(stage__in=FINISHED_OK), then=Value(1)),
                                 default=Value(0), output_field=IntegerField()))
            .order_by("rank", "-pk").values("pk", "lat", "lon", "address", "firm__name", "place__path", "stage", "case_id"))
    total = rows.count()
    shown = list(rows[:MAP_LIMIT])
    counts: dict[str, int] = {}
    points: list[maps.Feature | None] = []
    for row in shown:
        tone = tone_of(row["stage"])
        counts[tone] = counts.get(tone, 0) + 1
        stage = str(STAGES.get(row["stage"], pgettext("remediation", "no case"))) if row["stage"] else \
            pgettext("remediation", "no case")
        points.append(maps.point(row["lat"], row["lon"], f"{row['firm__name']} · {row['address']} · {stage}",
                                 url=reverse("remediation:case", args=[row["case_id"]]) if row["case_id"] else "",
                                 tone=tone))
    outlines = _outlines({row["place__path"] for row in shown})
    return {"features": outlines + points, "legend": _legend(counts), "total": total, "left_out": total - len(shown)}
