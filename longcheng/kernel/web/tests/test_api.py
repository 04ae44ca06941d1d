"""The JSON API: auth, one error shape, masking, scope, and refusals that change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from longcheng.kernel.access.models import ApiToken
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.people.models import Resident


def token_client(user) -> Client:
    _token, raw = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def person(city, rid):
    return Resident.objects.create(resident_id=rid(seq=2), name="王秀英", gender="F", birth_date="1950-01-01",
                                   phone="13800138000", place=city["a"])


def test_openapi_document_is_served(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/people/residents" in paths


def test_anonymous_gets_401_in_the_error_shape(db):
    response = Client().get("/api/v1/people/residents")
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "field"}


def test_token_exchange_and_me(admin):
    response = post(Client(), "/api/v1/auth/tokens", {"username": "admin", "password": "pw-admin"})
    assert response.status_code == 201
    raw = response.json()["token"]
    assert ApiToken.objects.filter(user=admin).count() == 1
    assert raw not in {t.key_hash for t in ApiToken.objects.all()}  # only the hash is stored
    me = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").json()
    assert me["username"] == "admin" and "people.reveal" in me["permissions"]


def test_wrong_password_is_refused_and_issues_no_token(admin):
    response = post(Client(), "/api/v1/auth/tokens", {"username": "admin", "password": "nope"})
    assert response.status_code == 401 and response.json()["field"] == "password"
    assert not ApiToken.objects.exists()


def test_residents_are_masked_and_scoped(person, worker_a, worker_b):
    items = token_client(worker_a).get("/api/v1/people/residents").json()["items"]
    assert [i["resident_id"] for i in items] == [person.masked_id]
    assert items[0]["phone"] == "138****8000"
    assert token_client(worker_b).get("/api/v1/people/residents").json()["items"] == []
    response = token_client(worker_b).get(f"/api/v1/people/residents/{person.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_bad_resident_id_gets_400_naming_the_field_and_nothing_is_written(city, worker_a):
    response = post(token_client(worker_a), "/api/v1/people/residents",
                    {"resident_id": "320412195001010010", "name": "李四", "place": city["a"].code})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_resident_id" and body["field"] == "resident_id"
    assert "校验码" in body["message"]  # Chinese by default
    assert not Resident.objects.exists() and not AuditEntry.objects.exists()


def test_an_english_client_gets_the_message_in_english(city, worker_a):
    _token, raw = ApiToken.issue(worker_a, "test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")
    response = post(client, "/api/v1/people/residents",
                    {"resident_id": "320412195001010010", "name": "李四", "place": city["a"].code})
    assert response.status_code == 400 and "check character" in response.json()["message"]
    assert not Resident.objects.exists()


def test_missing_field_gets_422_naming_it(city, worker_a):
    response = post(token_client(worker_a), "/api/v1/people/residents", {"name": "李四", "place": city["a"].code})
    assert response.status_code == 422
    assert response.json()["field"] == "resident_id"


def test_create_resident_in_scope(city, worker_a, rid):
    response = post(token_client(worker_a), "/api/v1/people/residents",
                    {"resident_id": rid(seq=5), "name": "李四", "place": city["a"].code, "phone": "13900001111"})
    assert response.status_code == 201
    assert response.json()["resident_id"].count("*") == 10
    assert Resident.objects.get().name == "李四"


def test_create_resident_outside_scope_is_not_found_and_writes_nothing(city, worker_a, rid):
    response = post(token_client(worker_a), "/api/v1/people/residents",
                    {"resident_id": rid(seq=5), "name": "李四", "place": city["b"].code})
    assert response.status_code == 404 and response.json()["field"] == "place"
    assert not Resident.objects.exists()


def test_reveal_is_audited_and_refused_to_a_worker(person, city, worker_a, make_user):
    denied = post(token_client(worker_a), f"/api/v1/people/residents/{person.pk}/reveal",
                  {"fields": ["resident_id"], "reason": "核实身份"})
    assert denied.status_code == 404
    assert not AuditEntry.objects.filter(is_read=True).exists()
    officer = make_user("officer", {"privacy_officer": [city["root"]]})
    ok = post(token_client(officer), f"/api/v1/people/residents/{person.pk}/reveal",
              {"fields": ["resident_id"], "reason": "核实身份"})
    assert ok.status_code == 200 and ok.json() == {"resident_id": person.resident_id}
    assert AuditEntry.objects.filter(is_read=True, actor=officer).count() == 1


def test_session_auth_needs_csrf(person, worker_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker_a)
    assert client.get("/api/v1/people/residents").status_code == 200
    response = post(client, f"/api/v1/people/residents/{person.pk}/death", {"died_on": "2026-01-01"})
    assert response.status_code in (401, 403)
    person.refresh_from_db()
    assert person.died_on is None


def test_bad_uscc_on_org_registration(admin):
    response = post(token_client(admin), "/api/v1/orgs", {"kind": "enterprise", "name": "某公司", "uscc": "123"})
    assert response.status_code == 400 and response.json()["field"] == "uscc"
