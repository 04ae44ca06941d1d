"""The park's money on the kernel ledger: a restoration fee or compensation recovered goes into the
base's fund under `ecorestore:receipt:<id>`, a payment out of it under `ecorestore:spend:<id>`, in
whole fen; a spend beyond the balance, a bad amount or a prosecutor of another place changes nothing
(every row a step may touch compared), on the action and on the page alike."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, PermissionDenied
from longcheng.kernel.ledger.actions import InsufficientFunds
from longcheng.kernel.ledger.models import Account, Fund, JournalEntry, Posting
from longcheng.modules.ecorestore import actions, actions_money
from longcheng.modules.ecorestore.actions_money import NewReceipt, NewSpend
from longcheng.modules.ecorestore.models import Base, Receipt, Spend

from .support import new_case, restoration_scene, staff

TABLES: tuple[Any, ...] = (Base, Receipt, Spend, Fund, Account, JournalEntry, Posting, AuditEntry)
ON = dt.date(2024, 9, 1)


def state() -> dict[str, list[dict[str, Any]]]:
    return {table.__name__: list(table.objects.order_by("pk").values()) for table in TABLES}


@pytest.fixture
def scene(city: dict[str, Any]) -> dict[str, Any]:
    zones, prosecutor, case = restoration_scene(city)
    elsewhere = staff("elsewhere", {"ecorestore_prosecutor": [city["b"]]})
    return {"base": zones["labour"].base, "zones": zones, "case": case, "prosecutor": prosecutor,
            "elsewhere": elsewhere}


def _receive(scene: dict[str, Any], amount: int = 50_000, user: Any = None) -> Receipt:
    return actions_money.do_record_receipt(scene["base"], NewReceipt(
        kind="compensation", amount_fen=amount, payer="张某", received_on=ON, case=scene["case"]),
        acting_user=user or scene["prosecutor"])


def _balance(base: Base) -> int:
    base.refresh_from_db()
    return actions_money.fund_figures(base)["balance"]


def test_a_receipt_goes_into_the_bases_fund_under_its_key(scene: dict[str, Any]) -> None:
    receipt = _receive(scene)
    base = scene["base"]
    assert _balance(base) == 50_000
    assert base.fund is not None and base.fund.code == f"ecorestore-base-{base.pk}"
    assert base.fund.place_id == base.place_id
    entry = JournalEntry.objects.get(idempotency_key=f"ecorestore:receipt:{receipt.pk}")
    assert receipt.entry_id == entry.pk
    assert sorted(Posting.objects.filter(entry=entry).values_list("amount_fen", flat=True)) == [-50_000, 50_000]
    assert AuditEntry.objects.filter(action="ecorestore.money.receive", object_id=str(receipt.pk)).exists()
    _receive(scene, 1)  # a second receipt, one fen: the same fund, its own key
    assert Fund.objects.count() == 1 and _balance(base) == 50_001


def test_a_spend_comes_out_of_the_fund_under_its_key(scene: dict[str, Any]) -> None:
    _receive(scene)
    spend = actions_money.do_record_spend(scene["base"], NewSpend(
        purpose="fry", description="鲫鱼苗 5000 尾", amount_fen=15_000, payee="武进区水产站", spent_on=ON,
        zone=scene["zones"]["planting"]), acting_user=scene["prosecutor"])
    assert JournalEntry.objects.get(idempotency_key=f"ecorestore:spend:{spend.pk}").pk == spend.entry_id
    assert actions_money.fund_figures(scene["base"]) == {"received": 50_000, "spent": 15_000, "balance": 35_000}


def test_a_spend_beyond_the_balance_writes_nothing(scene: dict[str, Any]) -> None:
    _receive(scene)
    before = state()
    with pytest.raises(InsufficientFunds):
        actions_money.do_record_spend(scene["base"], NewSpend(
            purpose="seedlings", description="香樟苗 100 株", amount_fen=50_001, payee="苗圃", spent_on=ON),
            acting_user=scene["prosecutor"])
    assert state() == before


def test_the_first_spend_with_no_fund_yet_writes_nothing(scene: dict[str, Any]) -> None:
    before = state()
    with pytest.raises(InsufficientFunds):
        actions_money.do_record_spend(scene["base"], NewSpend(
            purpose="other", description="围栏", amount_fen=100, payee="施工队", spent_on=ON),
            acting_user=scene["prosecutor"])
    assert state() == before  # not even the fund is opened


@pytest.mark.parametrize("amount", [0, -100])
def test_no_amount_below_one_fen(scene: dict[str, Any], amount: int) -> None:
    before = state()
    with pytest.raises(KernelError) as refused:
        _receive(scene, amount)
    assert refused.value.field == "amount" and refused.value.code == "invalid_amount"
    assert state() == before


def test_a_prosecutor_of_another_place_records_nothing(scene: dict[str, Any]) -> None:
    _receive(scene)
    before = state()
    with pytest.raises(PermissionDenied):
        _receive(scene, 100, scene["elsewhere"])
    with pytest.raises(PermissionDenied):
        actions_money.do_record_spend(scene["base"], NewSpend(
            purpose="other", description="围栏", amount_fen=100, payee="施工队", spent_on=ON),
            acting_user=scene["elsewhere"])
    assert state() == before


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_money_page_records_and_refuses(scene: dict[str, Any]) -> None:
    base, client = scene["base"], _client(scene["prosecutor"])
    url = f"/ecorestore/bases/{base.pk}/money/"
    response = client.post(url + "receive/", {"kind": "fee", "amount": "1234.56", "payer": "某某公司",
                                              "received_on": "2024-09-01", "case": scene["case"].pk})
    assert response.status_code == 302
    assert Receipt.objects.get().amount_fen == 123_456
    before = state()
    response = client.post(url + "spend/", {"purpose": "fry", "description": "鱼苗", "amount": "2000",
                                            "payee": "水产站", "spent_on": "2024-09-02"})
    page = html.unescape(response.content.decode())
    assert response.status_code == 409
    assert "cannot be taken from it" in page and 'value="鱼苗"' in page
    response = client.post(url + "receive/", {"kind": "fee", "amount": "12.345", "payer": "某某公司",
                                              "received_on": "2024-09-01"})
    assert response.status_code == 400
    assert "Amount (yuan)" in html.unescape(response.content.decode())
    assert state() == before
    page = html.unescape(client.get(url).content.decode())
    assert "¥1,234.56" in page or "1,234.56" in page
    response = client.post(url + "spend/", {"purpose": "fry", "description": "鱼苗", "amount": "200",
                                            "payee": "水产站", "spent_on": "2024-09-02"})
    assert response.status_code == 302
    assert actions_money.fund_figures(base)["balance"] == 103_456


def test_a_receipt_for_a_case_out_of_scope_is_refused_on_the_page(scene: dict[str, Any], city: Any) -> None:
    liyang = staff("liyang", {"ecorestore_prosecutor": [city["liyang"]]})
    other = actions.do_open_case(new_case(city["liyang_town"], number="JK-L-1"), acting_user=liyang)
    before = state()
    response = _client(scene["prosecutor"]).post(f"/ecorestore/bases/{scene['base'].pk}/money/receive/", {
        "kind": "fee", "amount": "10", "payer": "某", "received_on": "2024-09-01", "case": other.pk})
    assert response.status_code in (400, 403, 404)
    assert state() == before
