"""Issue 15, finding 4: parents and guardians are linked on a page reached from the resident's page
(the API's action, not a second rule), and a new resident's place is chosen by its whole path in a
searchable chooser (the browser's datalist, no script from elsewhere), not from 400 bare names."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.people.models import Relationship, Resident
from longcheng.kernel.places.models import Level, Place
from longcheng.kernel.web.forms import ResidentForm
from longcheng.kernel.widgets import place_labels


def login(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def grids(city: dict[str, Any]) -> dict[str, Place]:
    """Two grids both called 第一网格, one in each community of 遥观镇."""
    made = {}
    for key, community in (("a", city["a"]), ("b", city["b"])):
        grid = Place(code=f"{community.code}01", name="第一网格", level=Level.GRID, parent=community)
        grid.path = grid.compute_path()
        grid.depth = community.depth + 1
        grid.save()
        made[key] = grid
    return made


def test_each_place_is_labelled_by_its_whole_path(city: dict[str, Any], grids: dict[str, Place]) -> None:
    labels = place_labels(Place.objects.filter(pk__in=[grids["a"].pk, grids["b"].pk, city["a"].pk]))
    assert labels[grids["a"].pk] == "武进区 / 遥观镇 / 上书房社区 / 第一网格"
    assert labels[grids["b"].pk] == "武进区 / 遥观镇 / 剑湖社区 / 第一网格"
    assert labels[city["a"].pk] == "武进区 / 遥观镇 / 上书房社区"


def test_two_places_with_the_same_path_are_told_apart_by_code(city: dict[str, Any]) -> None:
    twin = Place(code="320412104009", name="上书房社区", level=Level.COMMUNITY, parent=city["yaoguan"])
    twin.path, twin.depth = twin.compute_path(), city["yaoguan"].depth + 1
    twin.save()
    labels = place_labels(Place.objects.filter(pk__in=[twin.pk, city["a"].pk]))
    assert labels[twin.pk] == "武进区 / 遥观镇 / 上书房社区 (320412104009)"
    assert labels[city["a"].pk] == "武进区 / 遥观镇 / 上书房社区 (320412104001)"


def test_the_new_resident_form_offers_whole_paths_in_a_datalist(admin: Any, grids: dict[str, Place]) -> None:
    page = login(admin).get("/residents/new/").content.decode()
    chooser = re.search(r'<input[^>]*name="place"[^>]*>', page)
    assert chooser is not None and 'list="id_place-places"' in chooser.group(0)
    assert '<datalist id="id_place-places">' in page
    assert '<option value="武进区 / 遥观镇 / 上书房社区 / 第一网格">' in page
    assert '<option value="武进区 / 遥观镇 / 剑湖社区 / 第一网格">' in page
    assert '<select name="place"' not in page
    assert not re.search(r'<script[^>]+src="(https?:)?//', page)  # no CDN


def test_a_resident_is_registered_in_the_place_chosen_by_its_path(admin: Any, grids: dict[str, Place],
                                                                  rid: Any) -> None:
    number = rid(seq=7)
    response = login(admin).post("/residents/new/", {
        "resident_id": number, "name": "李四", "place": "武进区 / 遥观镇 / 剑湖社区 / 第一网格"})
    assert response.status_code == 302
    assert Resident.objects.get(resident_id=number).place == grids["b"]


def test_a_bare_name_that_is_no_path_is_refused_and_writes_nothing(admin: Any, grids: dict[str, Place],
                                                                  rid: Any) -> None:
    response = login(admin).post("/residents/new/", {"resident_id": rid(seq=7), "name": "李四", "place": "第一网格"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a place from the list" in page
    assert 'value="第一网格"' in page  # the typing kept
    assert not Resident.objects.exists()


def test_the_form_offers_only_the_places_of_the_users_area(worker_a: Any, grids: dict[str, Place]) -> None:
    labels = list(ResidentForm(user=worker_a).fields["place"].labels().values())  # type: ignore[attr-defined]
    assert labels == ["武进区 / 遥观镇 / 上书房社区", "武进区 / 遥观镇 / 上书房社区 / 第一网格"]
    response = login(worker_a).post("/residents/new/", {"resident_id": "320412195001010038", "name": "李四",
                                                        "place": "武进区 / 遥观镇 / 剑湖社区 / 第一网格"})
    assert response.status_code == 400 and not Resident.objects.exists()


# --- the family links page ------------------------------------------------------------------------------------


@pytest.fixture
def family(city: dict[str, Any], rid: Any) -> dict[str, Resident]:
    child = Resident.objects.create(resident_id=rid(birth="20150301", seq=11), name="张小明", gender="M",
                                    birth_date="2015-03-01", place=city["a"])
    mother = Resident.objects.create(resident_id=rid(birth="19880101", seq=22), name="张丽", gender="F",
                                     birth_date="1988-01-01", place=city["a"])
    elsewhere = Resident.objects.create(resident_id=rid(birth="19870101", seq=33), name="赵强", gender="M",
                                        birth_date="1987-01-01", place=city["b"])
    return {"child": child, "mother": mother, "elsewhere": elsewhere}


def test_the_resident_page_leads_to_the_family_page(worker_a: Any, family: dict[str, Resident]) -> None:
    page = login(worker_a).get(f"/residents/{family['child'].pk}/").content.decode()
    assert f'href="/residents/{family["child"].pk}/family/"' in page


def test_a_guardian_is_linked_on_the_page_both_ways_and_audited(worker_a: Any, family: dict[str, Resident]) -> None:
    child, mother = family["child"], family["mother"]
    client = login(worker_a)
    response = client.post(f"/residents/{child.pk}/family/", {"relative": mother.resident_id, "kind": "mother",
                                                             "is_guardian": "on"}, follow=True)
    assert response.status_code == 200
    link = Relationship.objects.get(person=child, relative=mother)
    assert (link.kind, link.is_guardian) == ("mother", True)
    assert Relationship.objects.get(person=mother, relative=child).kind == "child"
    assert AuditEntry.objects.filter(action="people.link", actor=worker_a, object_id=str(child.pk)).count() == 1
    page = response.content.decode()
    assert "is linked as Mother" in page and mother.masked_id in page


def test_a_relative_outside_the_area_or_a_bad_number_is_refused_and_nothing_written(
        worker_a: Any, family: dict[str, Resident]) -> None:
    child, client = family["child"], login(worker_a)
    response = client.post(f"/residents/{child.pk}/family/", {"relative": family["elsewhere"].resident_id,
                                                              "kind": "father"})
    assert response.status_code == 400
    assert "No resident with this ID number is registered in your area" in response.content.decode()
    assert "赵强" not in response.content.decode()
    response = client.post(f"/residents/{child.pk}/family/", {"relative": "12345", "kind": "father"})
    assert response.status_code == 400 and "18 characters" in response.content.decode()
    response = client.post(f"/residents/{child.pk}/family/", {"relative": family["mother"].resident_id,
                                                              "kind": "aunt"})
    assert response.status_code == 400
    assert not Relationship.objects.exists() and not AuditEntry.objects.filter(action="people.link").exists()


def test_linking_needs_people_manage_in_the_residents_area(family: dict[str, Resident], worker_b: Any,
                                                           city: dict[str, Any], make_user: Any) -> None:
    url = f"/residents/{family['child'].pk}/family/"
    body = {"relative": family["mother"].resident_id, "kind": "mother"}
    assert login(worker_b).post(url, body).status_code == 404  # another community's worker
    viewer = make_user("viewer", {"district_officer": [city["wujin"]]})  # sees residents, may not change them
    assert login(viewer).post(url, body).status_code == 403
    assert f"/residents/{family['child'].pk}/family/" not in login(viewer).get(
        f"/residents/{family['child'].pk}/").content.decode()
    assert not Relationship.objects.exists()
