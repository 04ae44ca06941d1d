"""The map of sites coloured by stage: each site with a position toned by its latest case's stage, a legend
in words with the counts, the street outlines where loaded, only the viewer's scope; the register import
takes optional 纬度/经度 columns, both or neither, within China."""

from __future__ import annotations

import io
from typing import Any

from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from longcheng.modules.remediation import actions, sitemap
from longcheng.modules.remediation.models import Site
from longcheng.modules.remediation.register import import_register, read_rows

from .conftest import inspect, make_uscc, to_accepted

SQUARE = {"type": "Polygon", "coordinates": [[[119.90, 31.70], [119.95, 31.70], [119.95, 31.75], [119.90, 31.70]]]}


def _place(world: dict[str, Any], n: int, lat: float, lon: float) -> None:
    Site.objects.filter(pk=world["sites"][n].pk).update(lat=lat, lon=lon)


def test_sites_are_toned_by_their_latest_stage_with_a_legend(world: dict[str, Any], city: dict[str, Any]) -> None:
    for n, (lat, lon) in enumerate(((31.71, 119.93), (31.72, 119.94), (31.42, 119.48))):
        _place(world, n, lat, lon)
    closed = to_accepted(world, 0)
    actions.do_close_case(closed.pk, acting_user=world["office"])
    inspect(world, 1)  # screened: being remediated
    city["yaoguan"].outline = SQUARE
    city["yaoguan"].save(update_fields=["outline"])
    drawn = sitemap.site_map(world["office"])
    tones = {f.label.split(" · ")[0]: f.tone for f in drawn["features"] if f.geometry["type"] == "Point"}
    assert tones == {"常州遥观电镀厂": "ok", "常州剑湖喷涂厂": "warn", "溧阳溧城铸造厂": "plain"}
    assert [f.label for f in drawn["features"] if f.geometry["type"] == "Polygon"] == ["遥观镇"]
    assert {row.tone: row.count for row in drawn["legend"]} == {"alarm": 0, "warn": 1, "ok": 1, "plain": 1}
    # A patrol of 遥观镇 sees its two sites only, and the closed one links to its case.
    patrol = sitemap.site_map(world["patrol"])
    points = [f for f in patrol["features"] if f.geometry["type"] == "Point"]
    assert len(points) == 2 and reverse("remediation:case", args=[closed.pk]) in {f.url for f in points}

    client = Client()
    client.cookies["django_language"] = "zh-hans"
    client.force_login(world["office"])
    text = client.get(reverse("remediation:sites")).content.decode()
    assert 'id="map-legend"' in text and "绿色" in text and "常州剑湖喷涂厂" in text


def test_a_site_without_a_position_is_not_drawn(world: dict[str, Any]) -> None:
    _place(world, 0, 31.71, 119.93)
    Site.objects.filter(pk=world["sites"][1].pk).update(lat=None, lon=None)
    points = [f for f in sitemap.site_map(world["office"])["features"] if f.geometry["type"] == "Point"]
    assert len(points) == 1


def _xlsx(header: list[str], *rows: list[Any]) -> bytes:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_register_takes_optional_positions(world: dict[str, Any]) -> None:
    header = ["企业名称", "统一社会信用代码", "村社区代码", "地址", "纬度", "经度"]
    one, two = make_uscc("91320412MA1R0L1M2"), make_uscc("91320412MA1R0N3P4")
    bad = import_register(read_rows(_xlsx(header, ["甲厂", one, "320412104001", "工业路21号", "31.7", ""],
                                          ["乙厂", two, "320412104001", "工业路22号", "1.5", "119.9"])),
                          acting_user=world["bureau"])
    assert [(p.line, p.field) for p in bad.problems] == [(2, "经度"), (3, "纬度")]
    assert not Site.objects.filter(address__in=["工业路21号", "工业路22号"]).exists()
    good = import_register(read_rows(_xlsx(header, ["甲厂", one, "320412104001", "工业路21号", "31.7012", "119.9301"],
                                           ["乙厂", two, "320412104001", "工业路22号", "", ""])),
                           acting_user=world["bureau"])
    assert good.imported == 2 and not good.problems
    assert list(Site.objects.filter(address__in=["工业路21号", "工业路22号"]).order_by("address")
                .values_list("lat", "lon")) == [(31.7012, 119.9301), (None, None)]
