"""Issue 11 (11): every refusal of the API is {code, message, field} with a 4xx, never a 500 nor an
HTML page: ids beyond 64 bits, bodies over the size limit."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from longcheng.kernel.access.models import ApiToken

BIG = "99999999999999999999"


def token_client(user) -> Client:
    _token, raw = ApiToken.issue(user, "t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", raise_request_exception=False)


def assert_error_shape(response, statuses):
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"code", "message", "field"}


@pytest.mark.parametrize(("method", "path"), [
    ("post", f"/api/v1/onestop/tasks/{BIG}/accept"),
    ("get", f"/api/v1/onestop/cases/{BIG}"),
    ("get", f"/api/v1/people/residents/{BIG}"),
    ("get", f"/api/v1/youthaid/cases/{BIG}"),
    ("get", "/api/v1/no-such-route"),
    ("post", f"/api/v1/notify/inbox/{BIG}/read"),
])
def test_an_id_beyond_64_bits_is_not_found(admin, method, path):
    admin.is_superuser = True
    admin.save()
    response = token_client(admin).generic(method.upper(), path, json.dumps({"result": {}}),
                                           content_type="application/json")
    assert_error_shape(response, (404, 422))


def test_an_unknown_api_path_answers_json_to_a_browser_post_too(admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert_error_shape(client.post("/api/v2/anything", {"a": "b"}), (404,))


def test_a_body_id_beyond_64_bits_is_refused(admin):
    admin.is_superuser = True
    admin.save()
    response = token_client(admin).post("/api/v1/onestop/tasks/accept", json.dumps(
        {"items": [{"task": int(BIG), "result": {}}]}), content_type="application/json")
    assert_error_shape(response, (404, 422))


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_a_body_over_the_limit_gets_the_json_error(admin, settings, content_type):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"memo": "x" * 2000, "lines": []}) if content_type == "application/json" else "memo=" + "x" * 2000
    response = token_client(admin).post("/api/v1/ledger/entries", body, content_type=content_type)
    assert_error_shape(response, (413,))
    assert response.json()["code"] == "too_large"


@pytest.mark.parametrize("query", ["page=5637076538768632380915712&size=125", "page=9223372036854775807",
                                   "size=99999999999999999999"])
def test_a_page_number_beyond_any_page_is_refused(admin, query):
    response = token_client(admin).get(f"/api/v1/people/residents?{query}")
    assert response.status_code < 500, response.content[:300]
    if response.status_code != 200:
        assert_error_shape(response, (400, 404, 422))


@pytest.mark.parametrize("query", ["start=0564-01-28T13:53:55&duration=0", "start=9999-01-01T00:00:00&duration=0.5"])
def test_working_time_outside_the_calendar_years_is_refused(admin, query):
    response = token_client(admin).get(f"/api/v1/workdays/due?{query}")
    assert_error_shape(response, (400,))
    assert response.json()["field"] == "start"


def test_a_nul_character_is_refused_in_the_error_shape(admin):
    response = Client(raise_request_exception=False).post(
        "/api/v1/auth/tokens", json.dumps({"username": "ad\u0000min", "password": "x"}), content_type="application/json")
    assert response.status_code in (401, 422), response.content[:200]
    assert set(response.json()) == {"code", "message", "field"}
