"""Money received for a case reduces what the case still owes in money, on the action, the case page
and the API; a receipt beyond what is owed is refused by its amount field and writes nothing (no
receipt, no fund, no ledger entry, no audit row)."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from longcheng.kernel.errors import KernelError
from longcheng.modules.ecorestore import actions, actions_money
from longcheng.modules.ecorestore.actions_money import NewReceipt

from .support import restoration_scene
from .test_money import state

ON = dt.date(2024, 9, 1)


@pytest.fixture
def scene(city: dict[str, Any]) -> dict[str, Any]:
    zones, prosecutor, case = restoration_scene(city)
    return {"base": zones["labour"].base, "case": case, "prosecutor": prosecutor}


def _receive(scene: dict[str, Any], amount: int) -> Any:
    return actions_money.do_record_receipt(scene["base"], NewReceipt(
        kind="compensation", amount_fen=amount, payer="张某", received_on=ON, case=scene["case"]),
        acting_user=scene["prosecutor"])


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _owed_on_page(client: Client, case: Any) -> str:
    page = html.unescape(client.get(f"/ecorestore/cases/{case.pk}/").content.decode())
    found = re.search(r'<dd id="money-owed">([^<]*)</dd>', page)
    assert found is not None
    return found.group(1)


def test_a_receipt_reduces_what_the_case_owes(scene: dict[str, Any]) -> None:
    case, client = scene["case"], _client(scene["prosecutor"])
    damage = case.damage_fen
    assert actions.money_owed(case) == damage and damage > 100_000
    _receive(scene, 100_000)
    assert actions.money_owed(case) == damage - 100_000
    assert _owed_on_page(client, case).replace(",", "").endswith(f"{(damage - 100_000) / 100:.2f}")
    _receive(scene, damage - 100_000)  # exactly the rest: accepted
    assert actions.money_owed(case) == 0
    assert _owed_on_page(client, case).endswith("0.00")


def test_a_receipt_beyond_what_is_owed_writes_nothing(scene: dict[str, Any]) -> None:
    case = scene["case"]
    _receive(scene, 100_000)
    rest = actions.money_owed(case)
    before = state()
    with pytest.raises(KernelError) as refused:
        _receive(scene, rest + 1)
    assert refused.value.field == "amount"
    assert state() == before and actions.money_owed(case) == rest


def test_a_receipt_beyond_what_is_owed_with_no_fund_yet_opens_nothing(scene: dict[str, Any]) -> None:
    before = state()
    with pytest.raises(KernelError) as refused:
        _receive(scene, scene["case"].damage_fen + 1)
    assert refused.value.field == "amount"
    assert state() == before


def test_the_money_page_refuses_a_receipt_beyond_what_is_owed(scene: dict[str, Any]) -> None:
    case, client = scene["case"], _client(scene["prosecutor"])
    too_much = f"{(case.damage_fen + 1) / 100:.2f}"
    before = state()
    response = client.post(f"/ecorestore/bases/{scene['base'].pk}/money/receive/", {
        "kind": "fee", "amount": too_much, "payer": "某某公司", "received_on": "2024-09-01", "case": case.pk})
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "more than what the case still owes in money" in page and f'value="{too_much}"' in page
    assert state() == before
    assert actions.money_owed(case) == case.damage_fen


def test_money_received_is_no_longer_convertible_to_labour(scene: dict[str, Any]) -> None:
    case = scene["case"]
    _receive(scene, case.damage_fen - 5_000)  # 50 yuan left
    before = state()
    with pytest.raises(KernelError) as refused:
        actions.do_convert_to_labour(case, amount_fen=20_000, consent=True, hardship="低保户证明",
                                     due_on=dt.date(2024, 12, 31), acting_user=scene["prosecutor"])
    assert refused.value.field == "amount"
    assert state() == before and not case.obligations.exists()
