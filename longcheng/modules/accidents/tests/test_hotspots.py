"""The hot-spot map counts the reports of the viewer's places on a ~1 km grid, drawn on the kernel
map (Leaflet from our own static files, no CDN): an officer of another district sees none of them;
a driver cannot open it."""

from __future__ import annotations

from typing import Any

from django.test import Client

from longcheng.modules.accidents import figures


def test_the_hot_spots_count_reports_by_cell_and_place_within_scope(build: Any, people: dict[str, Any]) -> None:
    for _ in range(3):
        build(["rear_end"], ["hit_while_lawful"])
    spots = figures.hotspots(people["officer"])
    assert [f.count for f in spots["spots"]] == [3]
    assert [(p["place__name"], p["n"]) for p in spots["places"]] == [("上书房社区", 3)]
    assert figures.hotspots(people["officer_ly"])["spots"] == []
    client = Client()
    client.force_login(people["officer"])
    page = client.get("/accidents/hotspots/")
    html = page.content.decode()
    assert page.status_code == 200 and html.count('"type": "Feature"') == 1 and '"count": 3' in html
    assert "/static/leaflet/leaflet.js" in html and "//unpkg" not in html and "cdn" not in html.lower()
    client.force_login(people["a"])
    assert client.get("/accidents/hotspots/").status_code in (403, 404)
