"""Review leftovers: place codes parsed by one kernel helper; one staff filter for the page and the
API; the place chooser reads the places it shows (and their ancestors), never the whole tree."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from longcheng.kernel.access import actions
from longcheng.kernel.access.models import ApiToken
from longcheng.kernel.access.views import place_choices
from longcheng.kernel.errors import KernelError
from longcheng.kernel.places.codes import places_by_codes, split_codes
from longcheng.kernel.places.models import Level, Place


def test_codes_and_chooser_labels_are_read_alike() -> None:
    assert split_codes("常州市 / 武进区 (320412)、320481，320412; 320400") == ["320412", "320481", "320400"]
    assert split_codes(["320412", " 常州市 (320400) "]) == ["320412", "320400"]


def test_an_unknown_code_is_refused_naming_the_field(city: dict[str, Any]) -> None:
    assert [p.code for p in places_by_codes("320481, 320412", field="places")] == ["320481", "320412"]
    with pytest.raises(KernelError) as refused:
        places_by_codes("320412, 999", field="role_places")
    assert refused.value.field == "role_places" and "999" in str(refused.value.message)


def test_the_page_and_the_api_filter_staff_alike(city: dict[str, Any], admin: Any, make_user: Any) -> None:
    make_user("wa", {"community_worker": [city["a"]]}, place=city["a"])
    make_user("lb", {"community_worker": [city["liyang_town"]]}, place=city["liyang_town"])
    label = f"常州市 / 武进区 / 遥观镇 / 上书房社区 ({city['a'].code})"
    assert [u.username for u in actions.filter_staff(admin, place=label)] == ["wa"]
    assert [u.username for u in actions.filter_staff(admin, place=city["a"].code, role="community_worker")] == ["wa"]
    page = Client()
    page.force_login(admin)
    html = page.get("/access/staff/", {"place": label}).content.decode()
    assert ">wa<" in html and ">lb<" not in html
    _token, raw = ApiToken.issue(admin, "t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/access/staff", {"place": city["a"].code}).json()
    assert [i["username"] for i in api["items"]] == ["wa"]


def test_the_chooser_never_reads_the_whole_tree(city: dict[str, Any], admin: Any) -> None:
    grids = [Place(code=f"{city['a'].code}{n:03d}", name=f"第{n}网格", level=Level.GRID, parent=city["a"],
                   path=f"{city['a'].path}{city['a'].code}{n:03d}.", depth=city["a"].depth + 1) for n in range(400)]
    Place.objects.bulk_create(grids)
    with CaptureQueriesContext(connection) as queries:
        shown = place_choices(admin)
    assert len(shown) == 300  # the top of the tree first, at most the chooser's size
    assert ("320412104001", "常州市 / 武进区 / 遥观镇 / 上书房社区") in shown
    reads = [q["sql"] for q in queries.captured_queries if "places_place" in q["sql"]]
    assert reads and all("WHERE" in sql for sql in reads)
    found = place_choices(admin, "第12网格")
    assert found == [(f"{city['a'].code}012", "常州市 / 武进区 / 遥观镇 / 上书房社区 / 第12网格")]
