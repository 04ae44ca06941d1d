"""Sign-in: lock-out after repeated wrong passwords (login page and API token exchange alike),
Django's password validators, API tokens that expire and can be listed and revoked, the idle
timeout, and an audit row for each of these."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from longcheng.kernel.access.models import ApiToken
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.web.signin import LAST_SEEN

TOKENS = "/api/v1/auth/tokens"


def post_json(client: Client, url: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json", **extra)


def english_client(**defaults: Any) -> Client:
    client = Client(**defaults)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def actions_of(user: Any) -> list[str]:
    """The audit trail of the account itself (not of its tokens)."""
    return list(AuditEntry.objects.filter(object_type__model="user", object_id=str(user.pk))
                .order_by("id").values_list("action", flat=True))


# --- lock-out -----------------------------------------------------------------------------------------------


def test_the_login_page_locks_an_account_after_five_wrong_passwords(admin: Any) -> None:
    client = english_client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        r = client.post("/login/", {"username": "admin", "password": "wrong"})
        assert r.status_code == 200 and "_auth_user_id" not in client.session
    r = client.post("/login/", {"username": "admin", "password": "wrong"})
    assert r.status_code == 429 and "Too many wrong passwords" in r.content.decode()
    # Now even the right password is refused, from this address and from another.
    r = client.post("/login/", {"username": "admin", "password": "pw-admin"})
    assert r.status_code == 429 and "_auth_user_id" not in client.session
    other = english_client(REMOTE_ADDR="10.1.2.3")
    r = other.post("/login/", {"username": "admin", "password": "pw-admin"})
    assert r.status_code == 429 and "_auth_user_id" not in other.session
    assert actions_of(admin) == ["access.sign_in_failed"] * 4 + ["access.locked_out"] * 3
    # Made by someone unknown, not by the account's owner; the address is kept.
    rows = AuditEntry.objects.filter(object_type__model="user", object_id=str(admin.pk))
    assert {(r.actor, (r.after or {}).get("ip")) for r in rows} == {(None, "127.0.0.1"), (None, "10.1.2.3")}


def test_the_lock_out_message_is_chinese_by_default(admin: Any) -> None:
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        r = client.post("/login/", {"username": "admin", "password": "wrong"})
    assert r.status_code == 429 and "密码错误次数过多" in r.content.decode()


def test_one_address_trying_many_accounts_is_locked_too(make_user: Any) -> None:
    users = [make_user(f"u{i}") for i in range(settings.AXES_FAILURE_LIMIT)]
    client = english_client(REMOTE_ADDR="10.9.9.9")
    for user in users:
        client.post("/login/", {"username": user.username, "password": "wrong"})
    r = english_client(REMOTE_ADDR="10.9.9.9").post("/login/", {"username": "u0", "password": "pw-u0"})
    assert r.status_code == 429
    # u1 from another address still signs in: only the address and u-accounts with 5 failures are locked.
    r = english_client(REMOTE_ADDR="10.8.8.8").post("/login/", {"username": "u1", "password": "pw-u1"})
    assert r.status_code == 302


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_behind_the_proxy_the_clients_own_address_is_counted(make_user: Any) -> None:
    users = [make_user(f"u{i}") for i in range(settings.AXES_FAILURE_LIMIT)]
    sprayer = english_client(HTTP_X_FORWARDED_FOR="10.9.9.9")
    for user in users:
        sprayer.post("/login/", {"username": user.username, "password": "wrong"})
    # The sprayer is locked out (even a forged first hop does not help), a colleague behind the same
    # proxy is not, and the audit row names the client, not the proxy.
    forged = english_client(HTTP_X_FORWARDED_FOR="1.2.3.4, 10.9.9.9")
    assert forged.post("/login/", {"username": "u0", "password": "pw-u0"}).status_code == 429
    colleague = english_client(HTTP_X_FORWARDED_FOR="10.8.8.8")
    assert colleague.post("/login/", {"username": "u1", "password": "pw-u1"}).status_code == 302
    row = AuditEntry.objects.get(action="access.sign_in")
    assert row.after == {"ip": "10.8.8.8"}


def test_a_good_sign_in_resets_the_count_and_is_audited(admin: Any) -> None:
    client = english_client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/login/", {"username": "admin", "password": "wrong"})
    assert client.post("/login/", {"username": "admin", "password": "pw-admin"}).status_code == 302
    client.post("/logout/")
    assert client.post("/login/", {"username": "admin", "password": "wrong"}).status_code == 200
    assert actions_of(admin)[-3:] == ["access.sign_in", "access.sign_out", "access.sign_in_failed"]


def test_the_api_token_exchange_locks_out_too_and_issues_nothing(admin: Any) -> None:
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        r = post_json(client, TOKENS, {"username": "admin", "password": "wrong"})
        assert r.status_code == 401
    r = post_json(client, TOKENS, {"username": "admin", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 429
    assert r.json()["code"] == "locked_out" and r.json()["field"] == "password"
    r = post_json(client, TOKENS, {"username": "admin", "password": "pw-admin"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 429 and "Too many wrong passwords" in r.json()["message"]
    assert not ApiToken.objects.exists()
    # The page shares the count: the account is locked there as well.
    assert english_client().post("/login/", {"username": "admin", "password": "pw-admin"}).status_code == 429


# --- password rules -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("weak, reason", [
    ("Ab3$xyz", "too short"),
    ("12345678901", "entirely numeric"),
    ("password123", "too common"),
    ("worker_a_2024", "too similar"),
])
def test_a_weak_new_password_is_refused_and_nothing_changes(worker_a: Any, weak: str, reason: str) -> None:
    client = english_client()
    client.force_login(worker_a)
    before = worker_a.password
    r = client.post("/access/password/", {"old_password": "pw-worker_a", "new_password1": weak,
                                           "new_password2": weak})
    assert r.status_code == 400 and reason in r.content.decode()
    worker_a.refresh_from_db()
    assert worker_a.password == before and "access.password_change" not in actions_of(worker_a)


def test_a_strong_new_password_is_set_and_audited(worker_a: Any) -> None:
    client = english_client()
    client.force_login(worker_a)
    r = client.post("/access/password/", {"old_password": "pw-worker_a", "new_password1": "溧阳 river lantern 9",
                                           "new_password2": "溧阳 river lantern 9"})
    assert r.status_code == 302
    worker_a.refresh_from_db()
    assert worker_a.check_password("溧阳 river lantern 9")
    assert actions_of(worker_a) == ["access.password_change"]


# --- API tokens ---------------------------------------------------------------------------------------------


def test_a_token_expires(admin: Any) -> None:
    r = post_json(Client(), TOKENS, {"username": "admin", "password": "pw-admin", "name": "gateway", "days": 30})
    assert r.status_code == 201
    body = r.json()
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert dt.timedelta(days=29, hours=23) < expires - timezone.now() <= dt.timedelta(days=30)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert api.get("/api/v1/me").status_code == 200
    ApiToken.objects.filter(pk=body["id"]).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = api.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


def test_a_token_without_days_gets_the_default_lifetime_and_too_long_is_refused(admin: Any) -> None:
    r = post_json(Client(), TOKENS, {"username": "admin", "password": "pw-admin"})
    expires = dt.datetime.fromisoformat(r.json()["expires_at"])
    assert abs(expires - timezone.now() - dt.timedelta(days=settings.API_TOKEN_DAYS)) < dt.timedelta(minutes=1)
    r = post_json(Client(), TOKENS, {"username": "admin", "password": "pw-admin",
                                     "days": settings.API_TOKEN_MAX_DAYS + 1})
    assert r.status_code == 400 and r.json()["field"] == "days"
    assert ApiToken.objects.count() == 1


def test_tokens_are_listed_and_revoked_through_the_api(admin: Any, worker_a: Any) -> None:
    first = post_json(Client(), TOKENS, {"username": "admin", "password": "pw-admin", "name": "one"}).json()
    second = post_json(Client(), TOKENS, {"username": "admin", "password": "pw-admin", "name": "two"}).json()
    _other, other_raw = ApiToken.issue(worker_a, "theirs")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {first['token']}")
    listed = api.get(TOKENS).json()
    assert [t["name"] for t in listed] == ["two", "one"] and all(t["active"] for t in listed)
    assert "token" not in listed[0] and listed[0]["prefix"] == second["token"][:8]
    # Another account's token: 404, and it keeps working.
    r = api.delete(f"{TOKENS}/{_other.pk}")
    assert r.status_code == 404
    assert Client(HTTP_AUTHORIZATION=f"Bearer {other_raw}").get("/api/v1/me").status_code == 200
    r = api.delete(f"{TOKENS}/{second['id']}")
    assert r.status_code == 200 and r.json()["active"] is False
    assert Client(HTTP_AUTHORIZATION=f"Bearer {second['token']}").get("/api/v1/me").status_code == 401
    assert api.get("/api/v1/me").status_code == 200
    assert actions_of(admin) == []  # token rows hang on the tokens, not on the account
    issued = AuditEntry.objects.filter(action="access.token_issue", actor=admin).count()
    revoked = AuditEntry.objects.get(action="access.token_revoke")
    assert issued == 2 and revoked.object_id == str(second["id"]) and revoked.actor == admin


def test_tokens_on_the_account_page(worker_a: Any, admin: Any) -> None:
    theirs, _raw = ApiToken.issue(admin, "admin's")
    client = english_client()
    client.force_login(worker_a)
    r = client.post("/account/tokens/issue/", {"name": "laptop script", "days": "7"})
    assert r.status_code == 200
    token = ApiToken.objects.get(user=worker_a)
    page = r.content.decode()
    assert 'id="new-token"' in page and token.prefix in page and "laptop script" in page
    assert "no-store" in r["Cache-Control"]
    assert (token.expires_at - timezone.now()).days == 6
    # Someone else's token cannot be revoked from here: nothing changes.
    r = client.post(f"/account/tokens/{theirs.pk}/revoke/")
    assert r.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    r = client.post(f"/account/tokens/{token.pk}/revoke/", follow=True)
    token.refresh_from_db()
    assert token.revoked_at is not None and "revoked" in r.content.decode()
    assert list(AuditEntry.objects.filter(object_id=str(token.pk), action__startswith="access.token")
                .order_by("id").values_list("action", flat=True)) == ["access.token_issue", "access.token_revoke"]


def test_the_page_refuses_a_nameless_token_naming_the_field(worker_a: Any) -> None:
    client = english_client()
    client.force_login(worker_a)
    r = client.post("/account/tokens/issue/", {"name": "", "days": "7"})
    assert r.status_code == 400 and "This field is required" in r.content.decode()
    assert not ApiToken.objects.exists() and not AuditEntry.objects.exists()


# --- idle timeout -------------------------------------------------------------------------------------------


def _age_session(client: Client, minutes: int) -> None:
    session = client.session
    session[LAST_SEEN] = int((timezone.now() - dt.timedelta(minutes=minutes)).timestamp())
    session.save()


def test_an_idle_session_is_signed_out(worker_a: Any) -> None:
    client = english_client()
    client.force_login(worker_a)
    assert client.get("/").status_code == 200
    _age_session(client, settings.SESSION_IDLE_MINUTES - 1)
    assert client.get("/").status_code == 200  # still within the limit (and the clock restarts)
    _age_session(client, settings.SESSION_IDLE_MINUTES + 1)
    r = client.get("/residents/")
    assert r.status_code == 302 and r["Location"].startswith("/login/?next=/residents/")
    assert client.get("/").status_code == 302
    assert actions_of(worker_a) == ["access.idle_timeout"]


@override_settings(SESSION_IDLE_MINUTES=5)
def test_the_idle_limit_is_a_setting_and_applies_to_the_api_session(worker_a: Any) -> None:
    client = english_client()
    client.force_login(worker_a)
    assert client.get("/api/v1/me").status_code == 200
    _age_session(client, 6)
    assert client.get("/api/v1/me").status_code == 401


def test_sessions_end_after_hours_not_weeks() -> None:
    assert settings.SESSION_COOKIE_AGE <= 24 * 3600
