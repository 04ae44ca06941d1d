"""Loading the place tree and its outlines from a GeoJSON FeatureCollection (docs/operations.md,
"Places import"), so that a city can replace the demo's places with its own.

Each feature's `properties` give `code`, `name`, `parent` (the parent's code; empty for a city) and
`kind` (a place level: city, district, zone, street, community, grid); its `geometry` is the outline
(Polygon or MultiPolygon in WGS 84 longitude/latitude, or null). A code that exists is updated (name,
outline); a new code is created under its parent, which may come from the database or from the same
file in any order. **All or nothing**: every feature runs through the places actions in a savepoint;
if any is refused the whole file is rolled back, and the report says for each row what it did or
why it was refused, naming the field. Scoped: `places.manage` where the place (for a new one, its
parent) lies; a new top-level place only for the system (the command without --user) or a
superuser."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import place_in_scope, scope_paths
from longcheng.kernel.errors import ErrorCode, KernelError, PermissionDenied
from longcheng.kernel.uploads import GEOJSON, check_upload

from .actions import do_create_place, do_update_place
from .models import Level, Place

MANAGE = "places.manage"
MAX_BYTES = 20 * 1024 * 1024
CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,31}")


def read_features(data: bytes) -> list[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection; a refusal names `file`."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise KernelError(_("The file is not JSON (UTF-8)."), field="file") from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise KernelError(_("The file must be a GeoJSON FeatureCollection."), field="file")
    if not doc["features"]:
        raise KernelError(_("The file holds no feature."), field="file")
    return [f if isinstance(f, dict) else {} for f in doc["features"]]


def _ring(ring: Any) -> bool:
    if not isinstance(ring, list) or len(ring) < 4 or ring[0] != ring[-1]:
        return False
    for point in ring:
        if not (isinstance(point, list) and len(point) >= 2
                and all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in point)):
            return False
        if not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
            return False
    return True


def check_geometry(geometry: Any) -> dict[str, Any] | None:
    """A Polygon or MultiPolygon with closed rings of longitude/latitude pairs, or None."""
    if geometry is None:
        return None
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else None
    if not isinstance(polygons, list) or not polygons or not all(
            isinstance(p, list) and p and all(_ring(r) for r in p) for p in polygons):
        raise KernelError(_("The outline must be a Polygon or MultiPolygon of closed rings of longitude, latitude "
                            "pairs (WGS 84)."), code=ErrorCode.INVALID, field="geometry")
    return {"type": kind, "coordinates": coords}


def _row(feature: dict[str, Any]) -> dict[str, Any]:
    props = feature.get("properties")
    if not isinstance(props, dict):
        props = {}
    return {"code": str(props.get("code") or "").strip(), "name": str(props.get("name") or "").strip(),
            "parent": str(props.get("parent") or "").strip(), "kind": str(props.get("kind") or "").strip(),
            "geometry": feature.get("geometry")}


def _ordered(rows: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """Rows with their numbers (1 = the first feature), parents in the file before their children."""
    in_file = {row["code"]: row for row in rows if row["code"]}

    def depth(row: dict[str, Any]) -> int:
        seen, n = {row["code"]}, 0
        while row["parent"] in in_file and row["parent"] not in seen:
            row = in_file[row["parent"]]
            seen.add(row["code"])
            n += 1
        return n

    return sorted(enumerate(rows, start=1), key=lambda item: depth(item[1]))


def _check_scope(actor: User | None, place: Place | None, parent: Place | None) -> None:
    if actor is None:  # the command run by the platform's operator on the server
        return
    target = place or parent
    if target is None:
        if not actor.is_superuser:
            raise PermissionDenied(_("Only the platform operator adds a top-level place."), field="parent")
        return
    if not place_in_scope(actor, MANAGE, target.path):
        raise PermissionDenied(_("%(place)s is outside the places you manage.") % {"place": target.name},
                               field="code" if place else "parent")


def _import_row(row: dict[str, Any], actor: User | None) -> str:
    code = row["code"]
    if not CODE.fullmatch(code):
        raise KernelError(_("A code is 1 to 32 letters, digits, - or _."), code=ErrorCode.REQUIRED if not code
                          else ErrorCode.INVALID, field="code")
    if row["kind"] not in Level.values:
        raise KernelError(_("The kind must be one of: %(kinds)s.") % {"kinds": ", ".join(Level.values)},
                          code=ErrorCode.INVALID_PLACE, field="kind")
    outline = check_geometry(row["geometry"])
    place = Place.objects.filter(code=code).first()
    parent = Place.objects.filter(code=row["parent"]).first() if row["parent"] else None
    if row["parent"] and parent is None:
        raise KernelError(_("No place has the code %(code)s.") % {"code": row["parent"]},
                          code=ErrorCode.INVALID_PLACE, field="parent")
    _check_scope(actor, place, parent)
    if place is None:
        try:
            do_create_place(code=code, name=row["name"], level=row["kind"], parent=parent, outline=outline,
                            acting_user=actor)
        except KernelError as error:
            error.field = "kind" if error.field == "level" else error.field
            raise
        return "created"
    if place.level != row["kind"]:
        raise KernelError(_("%(code)s is a %(level)s; the import does not change a place's kind.")
                          % {"code": code, "level": Level(place.level).label}, code=ErrorCode.INVALID_PLACE, field="kind")
    if (place.parent.code if place.parent else "") != row["parent"]:
        raise KernelError(_("%(code)s lies under another parent; the import does not move places.") % {"code": code},
                          code=ErrorCode.INVALID_PLACE, field="parent")
    return "updated" if do_update_place(place, name=row["name"], outline=outline, acting_user=actor) else "unchanged"


def do_import_places(features: list[dict[str, Any]], *, acting_user: User | None) -> dict[str, Any]:
    """All or nothing (see the module's docstring). `acting_user` None: the system (the command)."""
    if acting_user is not None and not scope_paths(acting_user, MANAGE):
        raise PermissionDenied()
    rows = [_row(f) for f in features]
    report: list[dict[str, Any]] = []
    codes = [row["code"] for row in rows]
    with transaction.atomic():
        for number, row in _ordered(rows):
            try:
                if row["code"] and codes.count(row["code"]) > 1:
                    raise KernelError(_("The code %(code)s appears more than once in the file.") % {"code": row["code"]},
                                      code=ErrorCode.CONFLICT, field="code")
                with transaction.atomic():
                    outcome = _import_row(row, acting_user)
            except KernelError as error:
                report.append({"row": number, "code": row["code"], "ok": False, "refusal": str(error.code),
                               "message": str(error.message), "field": error.field})
            else:
                report.append({"row": number, "code": row["code"], "ok": True, "outcome": outcome})
        failed = [r for r in report if not r["ok"]]
        if failed:
            transaction.set_rollback(True)
    report.sort(key=lambda r: r["row"])
    return {"applied": not failed, "failed": len(failed), "rows": report,
            "counts": {o: sum(1 for r in report if r.get("outcome") == o) for o in ("created", "updated", "unchanged")}}


def import_upload(upload: Any, acting_user: User) -> dict[str, Any]:
    """The page's and the API's one path: the upload check (kernel.uploads: by content, size), then
    the import."""
    check_upload(upload, allowed=(GEOJSON,), max_bytes=MAX_BYTES, field="file")
    return do_import_places(read_features(upload.read()), acting_user=acting_user)
