"""The kernel map's features: true positions only (a bad reading is left out, never drawn at 0,0),
outlines written [lat, lon] turned into GeoJSON's [lon, lat] and closed, and the map drawn from the
package's own Leaflet (no CDN) with a list of the places under it."""

from __future__ import annotations

from django.template import Context, Template
from django.test import override_settings

from longcheng.kernel import maps


def test_points_outside_china_or_not_numbers_are_left_out() -> None:
    changzhou = maps.point(31.78, 119.95, "常州")
    assert changzhou is not None and changzhou.geometry == {"type": "Point", "coordinates": [119.95, 31.78]}
    for lat, lon in ((0, 0), (119.95, 31.78), ("x", 1), (float("nan"), 119.9), (None, None)):
        assert maps.point(lat, lon, "bad") is None
    data = maps.collection([maps.point(31.7, 119.9, "a", count=2), None, maps.point(0, 0, "b")])
    assert [f["properties"] for f in data["features"]] == [{"label": "a", "url": "", "tone": "plain", "count": 2}]


def test_an_outline_is_closed_in_geojson_order_and_a_bad_one_refused() -> None:
    ring = [[31.70, 119.90], [31.70, 119.91], [31.71, 119.91]]
    shape = maps.area(ring, "劳务代偿区", tone="ok")
    assert shape is not None and shape.geometry["coordinates"] == [[[119.9, 31.7], [119.91, 31.7], [119.91, 31.71],
                                                                    [119.9, 31.7]]]
    assert maps.area(ring[:2], "two corners") is None
    assert maps.area([*ring, [95.0, 31.0]], "one corner off the map") is None
    assert maps.area([*ring, "x"], "not a corner") is None  # type: ignore[list-item]


def test_the_map_tag_uses_the_packages_leaflet_and_lists_the_places() -> None:
    html = Template("{% load maps %}{% map spots 'Hot spots' %}").render(Context({"spots": [
        maps.point(31.7, 119.9, "<b>甲</b>", url="/x/"), None]}))
    assert "/static/leaflet/leaflet.js" in html and "/static/web/map.js" in html and "http" not in html
    assert '<a href="/x/">&lt;b&gt;甲&lt;/b&gt;</a>' in html  # labels escaped in the list
    assert "\\u003Cb\\u003E" in html  # and in the JSON
    assert "data-tiles" not in html


@override_settings(MAP_TILE_URL="https://tiles.example.gov.cn/{z}/{x}/{y}.png")
def test_a_configured_tile_server_is_handed_to_the_map() -> None:
    html = Template("{% load maps %}{% map spots %}").render(Context({"spots": []}))
    assert 'data-tiles="https://tiles.example.gov.cn/{z}/{x}/{y}.png"' in html


def test_over_a_gcj02_base_map_features_are_shifted_as_drawn_and_stored_as_they_are() -> None:
    # 常州市天宁区 (WGS 84) and its GCJ-02 position: the shift there is about 500 m to the east and south.
    spot = maps.point(31.7246, 120.0683, "天宁")
    ring = maps.area([[31.70, 119.90], [31.70, 119.91], [31.71, 119.91]], "outline")
    template = Template("{% load maps %}{% map spots %}")
    with override_settings(MAP_TILE_URL="https://webrd01.is.autonavi.com/{z}/{x}/{y}.png", MAP_TILE_DATUM="gcj02"):
        assert maps.display_datum() == "gcj02"
        drawn = maps.collection([spot, ring], datum=maps.display_datum())
        html = template.render(Context({"spots": [spot]}))
    lon, lat = drawn["features"][0]["geometry"]["coordinates"]
    assert (round(lat, 4), round(lon, 4)) == (31.7228, 120.0732)
    assert spot is not None and spot.geometry["coordinates"] == [120.0683, 31.7246]  # what is kept is unchanged
    assert drawn["features"][1]["geometry"]["coordinates"][0][0] != [119.9, 31.7]
    assert "120.073241" in html and "120.0683" not in html
    # No tiles, or tiles in WGS 84 (天地图): nothing is shifted; the outlines and points agree with each other.
    for tiles, datum in (("", "gcj02"), ("https://t0.tianditu.gov.cn/{z}/{x}/{y}.png", "wgs84")):
        with override_settings(MAP_TILE_URL=tiles, MAP_TILE_DATUM=datum):
            assert maps.display_datum() == "wgs84"
            assert "120.0683" in template.render(Context({"spots": [spot]}))


def test_a_map_without_tiles_says_so_without_naming_a_setting() -> None:
    with override_settings(MAP_TILE_URL=""):
        html = Template("{% load maps %}{% map spots %}").render(Context({"spots": [maps.point(31.7, 119.9, "甲")]}))
    assert "MAP_TILE_URL" not in html
