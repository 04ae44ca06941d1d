"""Importing the firm register (a survey list) from XLSX, with a report naming every bad row's line and
column. Every row is checked before anything is written; one bad row means nothing is imported, so the
register is never half-written.

Columns (header row, Chinese or English): 企业名称 name, 统一社会信用代码 uscc, 村社区代码 place (the
place's code), 地址 address, 地块 parcel, 面积（亩） area_mu, 园区内 in_park (是/否), and optionally 纬度 lat and
经度 lon (WGS 84 degrees, both or neither: the site's point on the map of sites by stage).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import pgettext

from longcheng.kernel import maps, tables
from longcheng.kernel.access.scope import require_perm, restrict
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import KernelError
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.orgs.validators import validate_uscc
from longcheng.kernel.places.models import Place
from longcheng.kernel.tables import ImportReport, RowProblem

from .models import Site
from .spec import DETERMINE

HEADERS = {"企业名称": "name", "name": "name", "统一社会信用代码": "uscc", "uscc": "uscc", "村社区代码": "place",
           "place": "place", "地址": "address", "address": "address", "地块": "parcel", "parcel": "parcel",
           "面积（亩）": "area_mu", "面积(亩)": "area_mu", "area_mu": "area_mu", "园区内": "in_park", "in_park": "in_park",
           "纬度": "lat", "lat": "lat", "latitude": "lat", "经度": "lon", "lon": "lon", "longitude": "lon"}
COLUMN = {"name": "企业名称", "uscc": "统一社会信用代码", "place": "村社区代码", "address": "地址", "parcel": "地块",
          "area_mu": "面积（亩）", "in_park": "园区内", "lat": "纬度", "lon": "经度"}
YES, NO = {"是", "yes", "y", "1", "true"}, {"否", "no", "n", "0", "false", ""}


def read_rows(content: bytes) -> tables.TableRows:
    return tables.read_table(content, headers=HEADERS, required=("name", "uscc", "place", "address"),
                             defaults=COLUMN)


def _check_row(row: dict[str, str], line: int, places: QuerySet[Place], seen: dict[tuple[str, str, str], int],
               bad: Any) -> dict[str, Any]:
    """The row's values, with each problem passed to `bad(column, message)`."""
    name = row.get("name", "").strip()
    if not name or len(name) > 100:
        bad("name", pgettext("remediation", "A firm's name is required (at most 100 characters)."))
    try:
        uscc = validate_uscc(row.get("uscc", ""))
    except KernelError as error:
        bad("uscc", str(error.message))
        uscc = ""
    place = places.filter(code=row.get("place", "").strip()).first()
    if place is None:
        bad("place", pgettext("remediation", "No place with this code in your area."))
    address = row.get("address", "").strip()
    if not address or len(address) > 200:
        bad("address", pgettext("remediation", "An address is required (at most 200 characters)."))
    try:
        area = Decimal(row.get("area_mu", "") or "0").quantize(Decimal("0.01"))
        if not Decimal(0) <= area <= Decimal(100_000):
            raise InvalidOperation
    except InvalidOperation:
        bad("area_mu", pgettext("remediation", "Area: a number of mu from 0 to 100,000."))
        area = Decimal(0)
    park = row.get("in_park", "").strip().lower()
    if park not in YES | NO:
        bad("in_park", pgettext("remediation", "园区内 must be 是 or 否 (yes or no)."))
    parcel = row.get("parcel", "").strip()[:64]
    key = (uscc, address, parcel)
    if uscc and key in seen:
        bad("address", pgettext("remediation", "Also on line %(n)d.") % {"n": seen[key]})
    seen.setdefault(key, line)
    if uscc and Site.objects.filter(firm__uscc=uscc, address=address, parcel=parcel).exists():
        bad("address", pgettext("remediation", "This firm's site is already registered."))
    lat, lon = _position(row, bad)
    return {"name": name, "uscc": uscc, "place": place, "address": address, "parcel": parcel, "area_mu": area,
            "in_park": park in YES, "lat": lat, "lon": lon}


def _position(row: dict[str, str], bad: Any) -> tuple[float | None, float | None]:
    """纬度 and 经度: both empty (no point), or both a position in China (kernel.maps' range)."""
    lat, lon = row.get("lat", "").strip(), row.get("lon", "").strip()
    if not lat and not lon:
        return None, None
    if not maps.valid(lat, lon):
        bad("lat" if not lat or not maps.valid(lat, 120) else "lon",
            pgettext("remediation", "纬度 and 经度: both, in degrees, within China (e.g. 31.7072 and 119.9395)."))
        return None, None
    return round(float(lat), 6), round(float(lon), 6)


def import_register(rows: list[dict[str, str]], *, acting_user: Any) -> ImportReport:
    require_perm(acting_user, DETERMINE)
    report = ImportReport(rows=len(rows))
    places = restrict(Place.objects.all(), acting_user, DETERMINE)
    named = tables.column_names(rows, COLUMN)
    good: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in tables.numbered(rows):
        problems: list[RowProblem] = []

        def bad(key: str, message: str, line: int = line, problems: list[RowProblem] = problems) -> None:
            problems.append(RowProblem(line, named[key], message))

        data = _check_row(row, line, places, seen, bad)
        report.problems.extend(problems)
        if not problems:
            good.append(data)
    if report.problems:
        return report
    with transaction.atomic():  # every row or none
        for data in good:
            firm, _created = Organisation.objects.get_or_create(
                uscc=data["uscc"], defaults={"kind": "enterprise", "name": data["name"], "place": data["place"]})
            site = Site.objects.create(firm=firm, place=data["place"], address=data["address"],
                                       parcel=data["parcel"], area_mu=data["area_mu"], in_park=data["in_park"],
                                       lat=data["lat"], lon=data["lon"])
            record(acting_user, "remediation.site.import", site, after={"address": site.address})
        report.imported = len(good)
    return report
