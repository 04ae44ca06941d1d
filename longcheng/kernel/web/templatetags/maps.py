"""{% map features %}: a kernel map (longcheng.kernel.maps) with the features listed under it."""

from __future__ import annotations

import itertools
from typing import Any

from django import template
from django.conf import settings

from longcheng.kernel import maps

register = template.Library()
_ids = itertools.count(1)


@register.inclusion_tag("web/_map.html")
def map(features: list[maps.Feature | None], label: str = "", height: int = 360) -> dict[str, Any]:
    shown = [f for f in features if f is not None]
    map_id = f"map-{next(_ids)}"
    return {"map_id": map_id, "data_id": f"{map_id}-data", "features": shown, "label": label,
            "data": maps.collection(shown, datum=maps.display_datum()),
            "height": max(160, min(int(height), 900)), "tiles": getattr(settings, "MAP_TILE_URL", ""),
            "attribution": getattr(settings, "MAP_ATTRIBUTION", "")}
