"""Issue 11 (11): a malformed id in a form is refused with a message, not a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "-1", "1.5"])
def test_a_feature_request_form_with_a_bad_id_is_refused(worker_a: Any, value: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(worker_a)
    response = client.post("/homesafety/requests/", {"step": "approve", "request": value})
    assert response.status_code in (302, 400, 404)


@pytest.mark.parametrize("value", ["abc", "99999999999999999999"])
def test_an_installation_form_with_a_bad_id_is_refused(make_user: Any, city: Any, value: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(make_user("installer", {"homesafety_installer": [city["root"]]}))
    for step in ("bind", "fail"):
        response = client.post("/homesafety/workorders/", {"step": step, "order": value, "reason": "x"})
        assert response.status_code in (302, 400, 404), (step, response.status_code)
