"""Gateways on a page and with `longcheng gateway` (issue 14, item 8): the programme manager issues a
gateway's token, the gateway sends with it, its last message and its refusals show on its page, and
a revoked token is refused at once. Everything is the kernel's (kernel/telemetry/gateways.py);
home safety's gateway role and devices make it real."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from longcheng.kernel.access.models import ApiToken
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.telemetry.models import GatewayActivity

from ..ingest import ingest
from ..models import DeadLetter, Reading
from ..mqtt import expand
from .conftest import msg

TOKEN = re.compile(r"<code>(lc_[^<]+)</code>")


@pytest.fixture
def gateways(world: Any, make_user: Any) -> dict[str, Any]:
    city = world["city"]
    return {
        "gw_a": make_user("gw-a", {"homesafety_gateway": [city["a"]]}, display_name="上书房网关"),
        # A person who also sends telemetry is no gateway: nobody may be given a token for them.
        "person": make_user("worker-gw", {"homesafety_gateway": [city["a"]], "community_worker": [city["a"]]}),
        # Gateways are machine accounts of every service: the platform's administrators manage them
        # (a home-safety manager would otherwise hold the tokens of the platform doors' gateways).
        "manager": make_user("mgr", {"district_admin": [city["wujin"]]}),
        "far_manager": make_user("far", {"district_admin": [city["liyang"]]}),
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _issue(client: Client, account: str = "gw-a", **data: Any) -> Any:
    return client.post(f"/telemetry/gateways/{account}/tokens/", {"name": "gw-a.lan", "days": 30, **data})


def test_the_manager_lists_the_gateways_of_their_area_only(world: Any, gateways: dict[str, Any],
                                                          make_user: Any) -> None:
    page = _client(gateways["manager"]).get("/telemetry/gateways/").content.decode()
    # gw-a serves 上书房社区 (within 武进区); the world's "gw" serves the whole city; worker-gw is a person.
    assert "上书房网关" in page and 'id="gateway-gw"' not in page and "worker-gw" not in page
    assert "gw-a" not in _client(gateways["far_manager"]).get("/telemetry/gateways/").content.decode()
    assert _client(world["operator"]).get("/telemetry/gateways/").status_code == 403
    programme = make_user("programme", {"homesafety_manager": [world["city"]["root"]]})
    assert _client(programme).get("/telemetry/gateways/").status_code == 403


def test_a_token_issued_on_the_page_sends_and_its_message_shows(world: Any, gateways: dict[str, Any]) -> None:
    manager = _client(gateways["manager"])
    response = _issue(manager)
    assert response.status_code == 200
    raw = TOKEN.search(response.content.decode()).group(1)  # type: ignore[union-attr]
    token = ApiToken.objects.get(user=gateways["gw_a"])
    assert token.name == "gw-a.lan" and token.prefix == raw[:8]
    entry = AuditEntry.objects.get(action="telemetry.gateway_token_issue")
    assert entry.actor_id == gateways["manager"].pk and (entry.after or {})["gateway"] == "gw-a"
    assert raw not in json.dumps(entry.after)

    sent = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").post(
        "/api/v1/telemetry/ingest", json.dumps({"messages": [msg(hr=71), msg(device="NOPE-1", hr=70)]}),
        content_type="application/json")
    assert sent.status_code == 200 and sent.json()["stored"] == 1
    activity = GatewayActivity.objects.get(account="gw-a")
    assert (activity.messages, activity.rejected, activity.last_source) == (2, 1, "http")
    assert '"NOPE-1"' in activity.last_payload
    letter = DeadLetter.objects.get()
    assert (letter.gateway, letter.reason) == ("gw-a", "unknown_device")

    page = manager.get("/telemetry/gateways/gw-a/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "未知设备" in page and "unknown_device" not in page  # the reason in words
    assert raw not in page  # shown once, at issue
    listing = manager.get("/telemetry/gateways/").content.decode()
    assert re.search(r'id="gateway-gw-a".*?<td><span class="tag warn">1</span></td>', listing, re.S)


def test_a_revoked_token_is_refused_at_once(world: Any, gateways: dict[str, Any]) -> None:
    manager = _client(gateways["manager"])
    raw = TOKEN.search(_issue(manager).content.decode()).group(1)  # type: ignore[union-attr]
    token = ApiToken.objects.get(user=gateways["gw_a"])
    response = manager.post(f"/telemetry/gateways/gw-a/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="telemetry.gateway_token_revoke", actor=gateways["manager"]).count() == 1
    sent = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").post(
        "/api/v1/telemetry/ingest", json.dumps({"messages": [msg(hr=71)]}), content_type="application/json")
    assert sent.status_code == 401 and not Reading.objects.exists()


def test_bad_input_names_its_field_and_issues_nothing(world: Any, gateways: dict[str, Any]) -> None:
    manager = _client(gateways["manager"])
    response = _issue(manager, name="  ", days=0)
    assert response.status_code == 400
    assert not ApiToken.objects.exists() and not AuditEntry.objects.filter(action__startswith="telemetry.").exists()
    response = _issue(manager, days=100_000)
    assert response.status_code == 400 and "100000" in response.content.decode()  # the form keeps the typing
    assert not ApiToken.objects.exists()


def test_outside_the_area_a_gateway_does_not_exist(world: Any, gateways: dict[str, Any]) -> None:
    far = _client(gateways["far_manager"])
    token, _raw = ApiToken.issue(gateways["gw_a"], "existing")
    assert far.get("/telemetry/gateways/gw-a/").status_code == 404
    assert _issue(far).status_code == 404
    assert far.post(f"/telemetry/gateways/gw-a/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None and ApiToken.objects.count() == 1
    # A person's account is never a gateway, whoever asks.
    assert _issue(_client(gateways["manager"]), account="worker-gw").status_code == 404
    assert not ApiToken.objects.filter(user=gateways["person"]).exists()


def test_an_mqtt_gateway_is_recorded_and_a_stranger_named_in_a_topic_is_not(world: Any,
                                                                            gateways: dict[str, Any]) -> None:
    batch = json.dumps({"messages": [msg(hr=72)]}).encode()
    assert ingest(expand("longcheng/v1/gateways/gw-a/telemetry", batch), source="mqtt").stored == 1
    assert ingest(expand("longcheng/v1/gateways/nobody/telemetry", batch), source="mqtt").rejected == 1
    assert list(GatewayActivity.objects.values_list("account", "last_source", "messages")) == [("gw-a", "mqtt", 1)]
    assert DeadLetter.objects.get().gateway == "nobody"


def test_the_command_line_issues_lists_and_revokes(world: Any, gateways: dict[str, Any]) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("gateway", "issue", "gw-a", "--name", "gw-a.lan", "--days", "10", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(user=gateways["gw_a"])
    assert raw.startswith("lc_") and token.prefix == raw[:8] and "shown once" in err.getvalue()
    assert AuditEntry.objects.get(action="telemetry.gateway_token_issue").actor_id is None  # the system
    listing = io.StringIO()
    call_command("gateway", "list", stdout=listing)
    assert "gw-a\tlast never\ttokens 1" in listing.getvalue() and "worker-gw" not in listing.getvalue()
    call_command("gateway", "revoke", "gw-a", token.prefix, stdout=io.StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(CommandError, match="no such gateway"):
        call_command("gateway", "--user", "far", "issue", "gw-a", "--name", "x")
    with pytest.raises(CommandError, match="--days"):
        call_command("gateway", "issue", "gw-a", "--name", "x", "--days", "0")
    assert ApiToken.objects.count() == 1
