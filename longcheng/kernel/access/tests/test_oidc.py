"""Sign-in through the city's identity provider (kernel/access/oidc.py), against a stub provider
started by the test on a free local port: the redirect, the callback, the mapped local account; an
unknown identity refused with nothing created; the platform's second factor kept unless the
provider's is trusted by a setting."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from django.test import Client, override_settings

from longcheng.kernel.access.models import RoleAssignment, User
from longcheng.kernel.audit.models import AuditEntry

from .oidc_stub import StubProvider


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[StubProvider]:
    # The stub is local: no proxy configured in the environment may stand between.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with StubProvider() as stub, override_settings(**stub.settings()):
        yield stub


def _walk(client: Client, next_url: str = "") -> Any:
    """The browser's trip: our start page → the provider's sign-in → back to our callback."""
    start = client.get("/access/oidc/start/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302 and "/authorize?" in start["Location"]
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = at_provider.headers["Location"]
    assert back.startswith("http://testserver/access/oidc/callback/?")
    return client.get(back.removeprefix("http://testserver"))


def _signed_in_as(client: Client) -> str | None:
    response = client.get("/api/v1/me")
    return response.json().get("username") if response.status_code == 200 else None


def test_the_sign_in_page_offers_the_provider_only_when_enabled(db: Any) -> None:
    assert "oidc/start" not in Client().get("/login/").content.decode()
    assert Client().get("/access/oidc/start/").status_code == 404
    assert Client().get("/access/oidc/callback/?code=x&state=y").status_code == 404
    with override_settings(OIDC_ENABLED=True):
        page = Client().get("/login/").content.decode()
    assert "/access/oidc/start/" in page and "统一身份认证" in page


def test_a_mapped_identity_lands_signed_in_as_the_local_account(provider: StubProvider, make_user: Any) -> None:
    worker = make_user("gh0042", display_name="王敏")
    provider.claims = {"sub": "gh0042"}
    client = Client()
    landed = _walk(client, next_url="/residents/")
    assert landed.status_code == 302 and landed["Location"] == "/residents/"
    assert int(client.session["_auth_user_id"]) == worker.pk
    assert client.get("/").status_code == 200
    # PKCE and the client's secret went to the token endpoint; the audit row says how.
    assert provider.token_requests[0]["code_verifier"]
    row = AuditEntry.objects.get(action="access.sign_in", actor=worker)
    assert (row.after or {})["via"] == "oidc" and (row.after or {})["second_factor"] == "platform"


def test_an_unknown_identity_is_refused_and_nothing_is_created(provider: StubProvider, make_user: Any) -> None:
    make_user("gh0042")
    provider.claims = {"sub": "gh9999"}
    users = list(User.objects.values_list("pk", "username", "is_active"))
    assignments = RoleAssignment.objects.count()
    client = Client()
    landed = _walk(client)
    assert landed.status_code == 302 and landed["Location"] == "/login/"
    page = client.get("/login/").content.decode()
    assert "未关联" in page
    assert "_auth_user_id" not in client.session
    assert list(User.objects.values_list("pk", "username", "is_active")) == users
    assert RoleAssignment.objects.count() == assignments
    row = AuditEntry.objects.get(action="access.oidc_refused")
    assert row.actor is None and (row.after or {})["reason"] == "unknown_identity" and (row.after or {})["value"] == "gh9999"


def test_a_deactivated_account_is_refused(provider: StubProvider, make_user: Any) -> None:
    make_user("gh0043", is_active=False)
    provider.claims = {"sub": "gh0043"}
    client = Client()
    assert _walk(client)["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert (AuditEntry.objects.get(action="access.oidc_refused").after or {})["reason"] == "inactive_account"


@pytest.mark.parametrize("broken", [{"aud": "someone-else"}, {"iss": "http://evil.example"}, {"exp": 1000}])
def test_a_token_for_another_client_or_issuer_or_expired_is_refused(provider: StubProvider, make_user: Any,
                                                                     broken: dict[str, Any]) -> None:
    make_user("gh0042")
    provider.claims = {"sub": "gh0042", **broken}
    client = Client()
    assert _walk(client)["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert (AuditEntry.objects.get(action="access.oidc_refused").after or {})["reason"] == "invalid_token"


def test_the_platforms_second_factor_is_still_asked_unless_the_providers_is_trusted(
        provider: StubProvider, city: dict[str, Any], make_user: Any) -> None:
    make_user("po_gh", {"privacy_officer": [city["wujin"]]}, two_factor_exempt=False)
    provider.claims = {"sub": "po_gh", "amr": ["pwd", "mfa"], "acr": "urn:city:loa:2"}
    client = Client()
    _walk(client)
    assert _signed_in_as(client) is None  # signed in, but the gate asks for the authenticator first
    assert client.get("/")["Location"] == "/access/two-factor/setup/"

    with override_settings(OIDC_TRUSTED_AMR=["mfa"]):
        trusted = Client()
        _walk(trusted)
        assert trusted.get("/").status_code == 200
    rows = AuditEntry.objects.filter(action="access.sign_in").order_by("pk")
    assert [(r.after or {})["second_factor"] for r in rows] == ["platform", "provider"]

    with override_settings(OIDC_TRUSTED_ACR=["urn:city:loa:3"]):
        weaker = Client()
        _walk(weaker)
        assert weaker.get("/")["Location"] == "/access/two-factor/setup/"
