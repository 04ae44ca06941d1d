"""The places import: a GeoJSON FeatureCollection creates and updates places and outlines, all or
nothing, with a report line per feature; scoped to places.manage; audited; the upload checked."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from longcheng.kernel.access.models import ApiToken
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.places.importer import do_import_places, read_features
from longcheng.kernel.places.models import Place

SQUARE = {"type": "Polygon", "coordinates": [[[119.9, 31.7], [120.0, 31.7], [120.0, 31.8], [119.9, 31.7]]]}


def feature(code: str, name: str, parent: str, kind: str, geometry: Any = SQUARE) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"code": code, "name": name, "parent": parent, "kind": kind},
            "geometry": geometry}


def collection(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode()


def snapshot() -> list[tuple[Any, ...]]:
    return list(Place.objects.order_by("code").values_list("code", "name", "path", "outline"))


def upload(data: bytes, name: str = "places.geojson") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/geo+json")


def test_a_file_creates_children_before_parents_whatever_the_order_and_updates_outlines(city, admin):
    data = collection(
        feature("320412104003001", "一网格", "320412104003", "grid"),  # its parent comes later in the file
        feature("320412104003", "新社区", "320412104", "community"),
        feature("320412104001", "上书房社区（新名）", "320412104", "community"),
        feature("320412104002", "剑湖社区", "320412104", "community", geometry=None),
    )
    report = do_import_places(read_features(data), acting_user=admin)
    assert report["applied"] and report["counts"] == {"created": 2, "updated": 1, "unchanged": 1}
    assert [r["outcome"] for r in report["rows"]] == ["created", "created", "updated", "unchanged"]
    grid = Place.objects.get(code="320412104003001")
    assert grid.path == "320400.320412.320412104.320412104003.320412104003001." and grid.outline == SQUARE
    renamed = Place.objects.get(code="320412104001")
    assert renamed.name == "上书房社区（新名）" and renamed.outline == SQUARE
    actions = sorted(AuditEntry.objects.filter(actor=admin).values_list("action", "object_repr"))
    assert actions == [("places.create", "一网格"), ("places.create", "新社区"), ("places.update", "上书房社区（新名）")]


def test_one_refused_row_writes_nothing_and_the_report_names_each_field(city, admin):
    before = snapshot()
    data = collection(
        feature("320412104003", "新社区", "320412104", "community"),
        feature("320412104004", "", "320412104", "community"),
        feature("320412104005", "坏轮廓", "320412104", "community", geometry={"type": "Polygon", "coordinates": [[[1, 2]]]}),
        feature("320412104006", "无上级", "999999", "community"),
        feature("320412104007", "错层级", "320412104", "town"),
        feature("320412104001", "上书房社区", "320412104", "grid"),
        feature("320412104002", "剑湖社区", "320481100", "community"),
    )
    report = do_import_places(read_features(data), acting_user=admin)
    assert not report["applied"] and report["failed"] == 6
    assert [(r["row"], r["ok"], r.get("field")) for r in report["rows"]] == [
        (1, True, None), (2, False, "name"), (3, False, "geometry"), (4, False, "parent"), (5, False, "kind"),
        (6, False, "kind"), (7, False, "parent")]
    assert snapshot() == before and not AuditEntry.objects.exists()


def test_a_district_administrator_imports_only_within_the_district(city, make_user):
    district = make_user("dadmin", {"district_admin": [city["wujin"]]})
    before = snapshot()
    report = do_import_places(read_features(collection(
        feature("320412104003", "新社区", "320412104", "community"),
        feature("320481100001", "溧阳的社区", "320481100", "community"),
        feature("320481", "溧阳市（改名）", "320400", "district"),
    )), acting_user=district)
    assert not report["applied"]
    assert [(r["ok"], r.get("refusal"), r.get("field")) for r in report["rows"]] == [
        (True, None, None), (False, "permission_denied", "parent"), (False, "permission_denied", "code")]
    assert snapshot() == before
    ok = do_import_places(read_features(collection(feature("320412104003", "新社区", "320412104", "community"))),
                          acting_user=district)
    assert ok["applied"] and Place.objects.filter(code="320412104003").exists()


@pytest.mark.parametrize("data, message", [
    (b"not json", "JSON"), (b'{"type": "Feature"}', "FeatureCollection"),
    (b'{"type": "FeatureCollection", "features": []}', "no feature")])
def test_a_file_that_is_no_feature_collection_is_refused_naming_the_file(db, data, message):
    from longcheng.kernel.errors import KernelError
    with pytest.raises(KernelError) as refused:
        read_features(data)
    assert refused.value.field == "file"


def test_the_page_checks_the_upload_and_shows_the_report(city, admin, worker_a):
    client = Client()
    client.force_login(admin)
    page = client.post("/places/import/", {"file": upload(b"%PDF-1.4 not places", "p.geojson")})
    assert page.status_code == 400 and "GeoJSON" in page.content.decode()
    page = client.post("/places/import/", {"file": upload(collection(
        feature("320412104003", "新社区", "320412104", "community")))})
    assert page.status_code == 200 and "新社区" in Place.objects.get(code="320412104003").name
    assert "新建" in page.content.decode()
    other = Client()
    other.force_login(worker_a)
    before = snapshot()
    assert other.post("/places/import/", {"file": upload(collection(
        feature("320412104009", "越权", "320412104", "community")))}).status_code == 403
    assert snapshot() == before


def test_the_api_answers_422_with_the_report(city, admin):
    _token, raw = ApiToken.issue(admin, "t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post("/api/v1/places/import", {"file": upload(collection(
        feature("320412104003", "新社区", "320412104", "community"), feature("x", "", "320412104", "community")))})
    assert response.status_code == 422
    body = response.json()
    assert body["rows"][1] == {"row": 2, "code": "x", "ok": False, "outcome": None, "refusal": "required",
                               "message": body["rows"][1]["message"], "field": "name"}
    assert not Place.objects.filter(code="320412104003").exists()


def test_the_command_reports_each_row_and_refuses_a_bad_file(city, tmp_path):
    path = tmp_path / "places.geojson"
    path.write_bytes(collection(feature("320412104003", "新社区", "320412104", "community")))
    out = StringIO()
    call_command("places_import", str(path), stdout=out)
    assert "row 1 320412104003: created" in out.getvalue()
    assert AuditEntry.objects.get(action="places.create").actor is None
    path.write_bytes(collection(feature("320412104004", "新社区二", "nope", "community")))
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("places_import", str(path), stdout=StringIO())
    assert not Place.objects.filter(code="320412104004").exists()
