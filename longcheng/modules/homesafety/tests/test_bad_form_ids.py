"""Issue 11 (11): a malformed id in a form's url or body is refused with a message, not a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "-1", "1.5"])
def test_a_feature_request_decision_with_a_bad_id_is_refused(worker_a: Any, value: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(worker_a)
    for step in ("approve", "reject"):
        response = client.post(f"/homesafety/requests/{value}/{step}/")
        assert response.status_code in (400, 404), (step, response.status_code)


@pytest.mark.parametrize("value", ["abc", "99999999999999999999"])
def test_an_installation_form_with_a_bad_id_is_refused(make_user: Any, city: Any, value: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(make_user("installer", {"homesafety_installer": [city["root"]]}))
    for step in ("bind", "fail"):
        response = client.post(f"/homesafety/workorders/{value}/{step}/", {"reason": "x"})
        assert response.status_code in (400, 404), (step, response.status_code)


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "-1"])
def test_a_form_choosing_a_bad_id_is_refused(make_user: Any, city: Any, value: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(make_user("mgr", {"homesafety_manager": [city["root"]]}))
    response = client.post("/homesafety/workorders/schedule/",
                           {"enrollee": value, "installer": value, "scheduled_for": "2026-12-01"})
    assert response.status_code == 400
