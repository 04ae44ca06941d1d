"""The kernel map on the alarm and person pages: the community's outline, home, the safe zone,
the latest positions and the worker at the door; from the package's own files (no CDN), with the
city's tile server only when one is configured; in the browser it draws with no network at all."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client, override_settings

from conftest import DESK, new_page, sign_in

from .. import actions
from ..ingest import Incoming, ingest
from ..models import Alarm
from .conftest import raw


@pytest.fixture
def sos(world: Any) -> Alarm:
    place = world["city"]["a"]
    place.outline = {"type": "Polygon", "coordinates": [[[120.06, 31.72], [120.08, 31.72], [120.08, 31.73],
                                                         [120.06, 31.72]]]}
    place.save(update_fields=["outline"])
    ingest([Incoming(raw(event="sos", lat=31.7301, lon=120.0702))], source="mqtt")
    return Alarm.objects.get(kind="sos")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def _features(html: str) -> list[dict[str, Any]]:
    found = re.search(r'<script id="(map-\d+-data)" type="application/json">(.*?)</script>', html, re.S)
    assert found, "no map on the page"
    return json.loads(found.group(2))["features"]


def _labels(features: list[dict[str, Any]]) -> list[str]:
    return [f["properties"]["label"] for f in features]


def test_the_alarm_page_maps_outline_home_zone_positions_and_the_worker(world: Any, sos: Alarm) -> None:
    op = _client(world["operator"])
    features = _features(op.get(f"/homesafety/alarms/{sos.pk}/").content.decode())
    kinds = [(f["geometry"]["type"], f["properties"]["tone"]) for f in features]
    assert kinds[0] == ("Polygon", "plain")  # the community's own outline, drawn offline too
    zone = next(f for f in features if "安全区" in f["properties"]["label"])
    assert zone["geometry"]["type"] == "Polygon" and len(zone["geometry"]["coordinates"][0]) == 49
    home = next(f for f in features if f["properties"]["label"].startswith("家"))
    assert home["geometry"]["coordinates"] == [120.0683, 31.7246]  # GeoJSON: longitude first, WGS-84 as stored
    latest = [f for f in features if f["properties"]["tone"] == "alarm"]
    assert [f["geometry"]["coordinates"] for f in latest] == [[120.0702, 31.7301]]
    assert not any("上门" in label for label in _labels(features))
    actions.do_dispatch(sos.pk, to_user=world["worker"], acting_user=world["operator"], note="")
    page = op.get(f"/homesafety/alarms/{sos.pk}/").content.decode()
    assert "途中" in page and not any("门口" in label for label in _labels(_features(page)))
    actions.do_arrive(sos.pk, acting_user=world["operator"], note="")
    labels = _labels(_features(op.get(f"/homesafety/alarms/{sos.pk}/").content.decode()))
    assert any("worker" in label and "门口" in label for label in labels)


def test_the_person_page_has_the_map_for_those_who_see_positions(world: Any, sos: Alarm, make_user: Any) -> None:
    manager = make_user("manager", {"homesafety_manager": [world["city"]["root"]]})
    page = _client(manager).get(f"/homesafety/persons/{world['enrollee'].pk}/").content.decode()
    assert 'id="person-map"' in page and [120.0702, 31.7301] in [f["geometry"]["coordinates"] for f in _features(page)]
    installer = make_user("fitter", {"homesafety_installer": [world["city"]["yaoguan"]]})
    page = _client(installer).get(f"/homesafety/persons/{world['enrollee'].pk}/").content.decode()
    assert 'id="person-map"' not in page and "31.7301" not in page


def test_the_map_needs_no_network_and_takes_a_tile_server_when_set(world: Any, sos: Alarm) -> None:
    page = _client(world["operator"]).get(f"/homesafety/alarms/{sos.pk}/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/leaflet/leaflet.js" in sources and not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert "data-tiles" not in page
    with override_settings(MAP_TILE_URL="https://tiles.example.gov.cn/{z}/{x}/{y}.png"):
        page = _client(world["operator"]).get(f"/homesafety/alarms/{sos.pk}/").content.decode()
    assert 'data-tiles="https://tiles.example.gov.cn/{z}/{x}/{y}.png"' in page


@pytest.mark.browser
@pytest.mark.service
@pytest.mark.postgres
def test_the_map_draws_with_no_network_at_all(live_server: Any, browser: Any, world: Any, sos: Alarm) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass (the live server's threads need their own connections)")
    page = new_page(browser, DESK)
    outside: list[str] = []

    def only_ours(route: Any) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_ours)
    sign_in(page, live_server.url, "op")
    page.goto(f"{live_server.url}/homesafety/alarms/{sos.pk}/")
    page.wait_for_selector(".lc-map[data-drawn]", timeout=10_000)
    assert int(page.get_attribute(".lc-map", "data-drawn") or 0) >= 4
    assert page.locator(".lc-map path").count() >= 3  # outline, zone, positions drawn as shapes
    assert outside == []
