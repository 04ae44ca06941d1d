"""The kernel's masking policy and scoping (docs/security.md): audit rows hold masked values and are
scoped to the places of the objects they concern; a masked ID is never shown beside the parts it was
masked from; a search by an exact ID number is a reveal, or finds nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from longcheng.kernel.access.models import ApiToken
from longcheng.kernel.audit.actions import record
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.notify.api import queue_message
from longcheng.kernel.people import actions as people_actions
from longcheng.kernel.people.models import Resident
from longcheng.kernel.privacy import Kind, Level, level, mask


def token_client(user: Any) -> Client:
    _token, raw = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def registered(city: dict[str, Any], admin: Any, rid: Any) -> dict[str, Resident]:
    wujin = people_actions.do_register_resident(
        resident_id=rid(seq=2), name="王秀英", place=city["a"], phone="13800138000",
        address="遥观镇上书房社区12幢301室", acting_user=admin)
    liyang = people_actions.do_register_resident(
        resident_id=rid(region="320481", seq=4), name="李建国", place=city["liyang_town"], phone="13900139000",
        address="溧城街道燕山路8号", acting_user=admin)
    return {"wujin": wujin, "liyang": liyang}


def test_audit_rows_hold_masked_contact_and_address(registered: dict[str, Resident], admin: Any) -> None:
    person = registered["wujin"]
    people_actions.do_update_resident(person, acting_user=admin, phone="13700137000", address="剑湖社区5幢")
    rows = AuditEntry.objects.filter(object_id=str(person.pk), action__startswith="people.")
    stored = json.dumps([[r.before, r.after] for r in rows], ensure_ascii=False)
    for plain in ("13800138000", "13700137000", "12幢301室", "剑湖社区5幢"):
        assert plain not in stored
    update = rows.get(action="people.update")
    assert update.before is not None and update.after is not None
    assert update.before["phone"] == "138****8000" and update.after["phone"] == "137****7000"


def test_an_auditor_of_wujin_sees_only_wujin_rows(registered: dict[str, Resident], city: dict[str, Any],
                                                  make_user: Any) -> None:
    auditor = make_user("auditor_wj", {"auditor": [city["wujin"]]})
    city_auditor = make_user("auditor_city", {"auditor": [city["root"]]})
    wujin, liyang = registered["wujin"], registered["liyang"]
    assert AuditEntry.objects.get(object_id=str(wujin.pk), action="people.register").place_path == city["a"].path
    items = token_client(auditor).get("/api/v1/audit").json()["items"]
    assert {i["object_id"] for i in items} == {str(wujin.pk)}
    everything = token_client(city_auditor).get("/api/v1/audit").json()["items"]
    assert {str(wujin.pk), str(liyang.pk)} <= {i["object_id"] for i in everything}
    # The pages too: the list, and a Liyang object's history reads as empty.
    client = Client()
    client.force_login(auditor)
    page = client.get("/audit/").content.decode()
    # An auditor does not see names plainly (kernel.privacy): the row is there, the name masked.
    assert "王*英" in page and "王秀英" not in page and "李*国" not in page and "李建国" not in page
    page = client.get(f"/audit/people.resident/{liyang.pk}/").content.decode()
    assert "李建国" not in page


def test_an_auditor_with_no_place_sees_no_row_and_a_row_without_place_is_city_wide_only(
        registered: dict[str, Resident], city: dict[str, Any], make_user: Any, admin: Any) -> None:
    with transaction.atomic():
        record(admin, "test.placeless", admin, after={"x": 1})  # a user account has no place
    auditor = make_user("auditor_wj", {"auditor": [city["wujin"]]})
    items = token_client(auditor).get("/api/v1/audit").json()["items"]
    assert "test.placeless" not in {i["action"] for i in items}
    city_auditor = make_user("auditor_city", {"auditor": [city["root"]]})
    items = token_client(city_auditor).get("/api/v1/audit").json()["items"]
    assert "test.placeless" in {i["action"] for i in items}


def test_policy_levels_and_masks(city: dict[str, Any], make_user: Any, worker_a: Any, admin: Any) -> None:
    auditor = make_user("auditor", {"auditor": [city["root"]]})
    assert level(worker_a, Kind.IDENTIFIER) == Level.MASKED
    assert level(admin, Kind.IDENTIFIER) == Level.REVEAL
    assert level(auditor, Kind.HEALTH) == Level.HIDDEN  # not named by the role: the default fails closed
    assert level(worker_a, Kind.MINOR, city["liyang"].path) == Level.HIDDEN  # no role there
    assert mask(Kind.ADDRESS, "遥观镇上书房社区12幢301室") == "遥观镇上书****"
    assert mask(Kind.FINANCIAL, "6222020000001234") == "************1234"
    assert mask(Kind.LOCATION, 31.7123456) == "***"


def test_the_resident_api_gives_no_birth_date_beside_the_masked_id(registered: dict[str, Resident],
                                                                  worker_a: Any) -> None:
    """Finding 1: the masked ID hides the region digits and the birth date; the place and the full
    birth date beside it rebuilt it. Now only the birth year is given."""
    person = registered["wujin"]
    for body in (token_client(worker_a).get("/api/v1/people/residents").json()["items"][0],
                 token_client(worker_a).get(f"/api/v1/people/residents/{person.pk}").json()):
        assert body["resident_id"] == person.masked_id
        assert "birth_date" not in body and body["birth_year"] == 1950
        assert "1950-01-01" not in json.dumps(body) and "19500101" not in json.dumps(body)


def test_a_district_officer_sees_the_address_masked(registered: dict[str, Resident], city: dict[str, Any],
                                                    make_user: Any) -> None:
    officer = make_user("officer", {"district_officer": [city["wujin"]]})
    body = token_client(officer).get(f"/api/v1/people/residents/{registered['wujin'].pk}").json()
    assert body["address"] == "遥观镇上书****"


def test_a_search_by_exact_id_without_the_right_finds_nothing_and_is_not_audited(
        registered: dict[str, Resident], worker_a: Any) -> None:
    person = registered["wujin"]
    before = AuditEntry.objects.count()
    for url in (f"/api/v1/people/residents?q={person.resident_id}",
                f"/api/v1/people/residents?q={person.resident_id}&reason=checking+a+form"):
        assert token_client(worker_a).get(url).json()["items"] == []
    client = Client()
    client.force_login(worker_a)
    page = client.get(f"/residents/?q={person.resident_id}&reason=checking").content.decode()
    assert "王秀英" not in page
    assert AuditEntry.objects.count() == before


def test_a_search_by_exact_id_is_a_reveal_with_a_reason_and_audited(registered: dict[str, Resident],
                                                                    city: dict[str, Any], make_user: Any) -> None:
    officer = make_user("pio", {"privacy_officer": [city["wujin"]]})
    person, elsewhere = registered["wujin"], registered["liyang"]
    client = token_client(officer)
    assert client.get(f"/api/v1/people/residents?q={person.resident_id}").json()["items"] == []  # no reason
    assert not AuditEntry.objects.filter(action="people.search_by_id").exists()
    items = client.get(f"/api/v1/people/residents?q={person.resident_id}&reason=identity+check").json()["items"]
    assert [i["id"] for i in items] == [person.pk]
    row = AuditEntry.objects.get(action="people.search_by_id")
    assert row.is_read and row.reason == "identity check" and row.actor == officer
    assert row.object_id == str(person.pk) and row.place_path == city["a"].path
    # Outside the officer's scope: nothing, as for a number nobody holds.
    assert client.get(f"/api/v1/people/residents?q={elsewhere.resident_id}&reason=identity+check"
                      ).json()["items"] == []


def test_the_notification_log_is_scoped_to_the_places_of_what_it_is_about(
        registered: dict[str, Resident], city: dict[str, Any], make_user: Any) -> None:
    """Finding 6: /messages/ was city-wide for every role that could open it."""
    officer = make_user("officer_wj", {"district_officer": [city["wujin"]]})
    city_officer = make_user("officer_city", {"district_officer": [city["root"]]})
    with transaction.atomic():
        queue_message("sms", subject="告警：王秀英", body="x", to_resident=registered["wujin"])
        queue_message("sms", subject="告警：李建国", body="x", to_resident=registered["liyang"],
                      related=registered["liyang"])
        queue_message("inapp", subject="平台维护通知", body="x", to_user=city_officer)  # about no place
    client = Client()
    client.force_login(officer)
    page = client.get("/messages/").content.decode()
    assert "王秀英" in page and "李建国" not in page and "平台维护通知" not in page
    client.force_login(city_officer)
    page = client.get("/messages/").content.decode()
    assert "王秀英" in page and "李建国" in page and "平台维护通知" in page


def test_the_residents_page_asks_a_privacy_officer_for_the_reason_of_an_id_search(
        registered: dict[str, Resident], city: dict[str, Any], make_user: Any, worker_a: Any) -> None:
    """Without a reason the search finds nothing; whoever may search by ID is told why, anyone else
    sees the same empty list as for a number nobody holds."""
    from django.utils import translation

    person = registered["wujin"]
    officer = make_user("pio", {"privacy_officer": [city["wujin"]]})
    with translation.override("en"):
        hint = "give the reason, which is recorded"
    for user, told in ((officer, True), (worker_a, False)):
        client = Client()
        client.force_login(user)
        client.cookies["django_language"] = "en"
        page = client.get(f"/residents/?q={person.resident_id}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "王秀英" not in page and (hint in page) is told
    assert not AuditEntry.objects.filter(action="people.search_by_id").exists()


def test_an_ended_assignment_no_longer_decides_what_its_holder_sees(city: dict[str, Any], make_user: Any) -> None:
    """A temporary duty that ended (or a role taken away) grants nothing in the scope query; it must
    not keep raising what the policy shows either."""
    import datetime as dt

    from django.utils import timezone

    from longcheng.kernel import privacy
    from longcheng.kernel.access.models import RoleAssignment
    from longcheng.kernel.privacy import Kind, Level

    worker = make_user("ended", {"community_worker": [city["a"]]})
    assert privacy.level(worker, Kind.ADDRESS, city["a"].path) == Level.PLAIN
    RoleAssignment.objects.filter(user=worker).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    worker = type(worker).objects.get(pk=worker.pk)  # a new request: nothing cached on the user
    assert privacy.level(worker, Kind.ADDRESS, city["a"].path) == Level.HIDDEN
