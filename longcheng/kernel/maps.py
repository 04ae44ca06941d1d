"""Places drawn on a map, for every module: a module builds features (a point, a circle sized by a
count, an outline) and its template draws them with `{% load maps %}{% map features %}`.

Leaflet comes from the django-leaflet package's own static files (no CDN). The base map's tiles are
the city's own tile server, configured by MAP_TILE_URL (a URL template such as
https://tiles.example.gov.cn/{z}/{x}/{y}.png); without it the features are drawn on a blank ground,
still in their true positions, and listed under the map (the list is also what a screen reader or a
browser without scripts gets). Coordinates are WGS 84; a point outside China's range or not a number
is left out, never drawn at 0,0. A tile provider drawn in GCJ-02 (MAP_TILE_DATUM=gcj02: 高德, 腾讯)
gets the features shifted as they are drawn (prcoords); what is stored stays WGS 84.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import prcoords
from django.conf import settings

# Mainland China and its waters, generously: a point outside is a bad reading, not a place.
LAT_RANGE, LON_RANGE = (3.0, 54.0), (73.0, 136.0)
TONES = ("plain", "ok", "warn", "alarm")


@dataclass(frozen=True)
class Feature:
    geometry: dict[str, Any]
    label: str
    url: str = ""
    tone: str = "plain"
    count: int | None = None
    properties: dict[str, Any] = field(default_factory=dict)

    def as_geojson(self) -> dict[str, Any]:
        props = {"label": self.label, "url": self.url, "tone": self.tone if self.tone in TONES else "plain",
                 **({"count": self.count} if self.count is not None else {}), **self.properties}
        return {"type": "Feature", "geometry": self.geometry, "properties": props}


def valid(lat: Any, lon: Any) -> bool:
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return False
    return (math.isfinite(lat) and math.isfinite(lon) and LAT_RANGE[0] <= lat <= LAT_RANGE[1]
            and LON_RANGE[0] <= lon <= LON_RANGE[1])


def point(lat: Any, lon: Any, label: str, *, url: str = "", tone: str = "plain",
          count: int | None = None) -> Feature | None:
    """A point (a circle sized by `count` where given); None for coordinates that are not a place."""
    if not valid(lat, lon):
        return None
    return Feature({"type": "Point", "coordinates": [round(float(lon), 6), round(float(lat), 6)]}, label, url,
                   tone, count)


def area(ring: list[list[float]], label: str, *, url: str = "", tone: str = "plain",
         count: int | None = None) -> Feature | None:
    """An outline given as [[lat, lon], ...] (the order people write); None if any corner is bad or
    there are fewer than three."""
    corners = [c for c in ring if isinstance(c, list | tuple) and len(c) == 2]
    if len(corners) < 3 or len(corners) != len(ring) or not all(valid(lat, lon) for lat, lon in corners):
        return None
    coords = [[round(float(lon), 6), round(float(lat), 6)] for lat, lon in corners]
    if coords[0] != coords[-1]:
        coords.append(coords[0])
    return Feature({"type": "Polygon", "coordinates": [coords]}, label, url, tone, count)


def place_area(place: Any, label: str | None = None, *, url: str = "", tone: str = "plain",
               count: int | None = None) -> Feature | None:
    """A kernel place's loaded outline (GeoJSON Polygon or MultiPolygon); None where none was loaded."""
    outline = getattr(place, "outline", None)
    if not isinstance(outline, dict) or outline.get("type") not in ("Polygon", "MultiPolygon"):
        return None
    return Feature(outline, label or place.name, url, tone, count)


def display_datum() -> str:
    """The datum features are drawn in: GCJ-02 only over a GCJ-02 base map; without tiles the
    places' own outlines are the ground, and they are WGS 84 like everything else."""
    return "gcj02" if settings.MAP_TILE_URL and settings.MAP_TILE_DATUM == "gcj02" else "wgs84"


def to_gcj02(coordinates: Any) -> Any:
    """GeoJSON coordinates ([lon, lat], or nested lists of them) shifted from WGS 84 to GCJ-02."""
    if coordinates and isinstance(coordinates[0], int | float):
        shifted = prcoords.wgs_gcj(prcoords.Coords(float(coordinates[1]), float(coordinates[0])))
        return [round(shifted.lon, 6), round(shifted.lat, 6)]
    return [to_gcj02(c) for c in coordinates]


def _drawn(geometry: dict[str, Any]) -> dict[str, Any]:
    if geometry.get("type") == "GeometryCollection":
        return {**geometry, "geometries": [_drawn(g) for g in geometry.get("geometries", [])]}
    return {**geometry, "coordinates": to_gcj02(geometry.get("coordinates", []))}


def collection(features: Sequence[Feature | None], *, datum: str = "wgs84") -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the features that are places (None left out), in `datum`."""
    out = [f.as_geojson() for f in features if f is not None]
    if datum == "gcj02":
        out = [{**f, "geometry": _drawn(f["geometry"])} for f in out]
    return {"type": "FeatureCollection", "features": out}
