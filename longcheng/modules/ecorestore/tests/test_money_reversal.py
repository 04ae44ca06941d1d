"""A receipt or a spend recorded in error is undone by a reversing entry on the fund's ledger (its lines
negated, `reverses` naming the entry, key `ecorestore:<receipt|spend>:<id>:reverse`), never an edit or
a delete: the case owes again what a reversed receipt paid, the fund's balance and figures follow, the
case page shows it; a second reversal, no reason, a fund that no longer holds the money, or a user
without the procuratorate's right over the base changes nothing (every row a step may touch compared)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, PermissionDenied
from longcheng.kernel.ledger.actions import InsufficientFunds
from longcheng.kernel.ledger.models import Account, Fund, JournalEntry, Posting
from longcheng.modules.ecorestore import actions, actions_money
from longcheng.modules.ecorestore.actions_money import NewReceipt, NewSpend
from longcheng.modules.ecorestore.models import Base, MoneyReversal, Receipt, Spend

from .support import restoration_scene, staff
from .test_pages_steps import _client, text

TABLES: tuple[Any, ...] = (Base, Receipt, Spend, MoneyReversal, Fund, Account, JournalEntry, Posting, AuditEntry)
ON = dt.date(2024, 9, 1)


def state() -> dict[str, list[dict[str, Any]]]:
    return {table.__name__: list(table.objects.order_by("pk").values()) for table in TABLES}


@pytest.fixture
def scene(city: dict[str, Any]) -> dict[str, Any]:
    zones, prosecutor, case = restoration_scene(city)
    base = zones["labour"].base
    receipt = actions_money.do_record_receipt(base, NewReceipt(
        kind="compensation", amount_fen=50_000, payer="张某", received_on=ON, case=case), acting_user=prosecutor)
    return {"base": base, "case": case, "prosecutor": prosecutor, "receipt": receipt, "city": city}


def _spend(scene: dict[str, Any], amount: int = 15_000) -> Spend:
    return actions_money.do_record_spend(scene["base"], NewSpend(
        purpose="fry", description="鲫鱼苗", amount_fen=amount, payee="武进区水产站", spent_on=ON),
        acting_user=scene["prosecutor"])


def _owed(scene: dict[str, Any]) -> int:
    scene["case"].refresh_from_db()
    return actions.money_owed(scene["case"])


def test_reversing_a_receipt_posts_the_negated_entry_and_the_case_owes_it_again(scene: dict[str, Any]) -> None:
    receipt, owed_before_receipt = scene["receipt"], _owed(scene) + 50_000
    reversal = actions_money.do_reverse_receipt(receipt, reason="金额录入错误，重新登记", acting_user=scene["prosecutor"])
    entry = JournalEntry.objects.get(idempotency_key=f"ecorestore:receipt:{receipt.pk}:reverse")
    assert reversal.entry == entry and entry.reverses_id == receipt.entry_id and entry.kind == "reversal"
    original = dict(Posting.objects.filter(entry_id=receipt.entry_id).values_list("account_id", "amount_fen"))
    undone = dict(Posting.objects.filter(entry=entry).values_list("account_id", "amount_fen"))
    assert undone == {account: -amount for account, amount in original.items()}
    assert _owed(scene) == owed_before_receipt
    assert actions_money.fund_figures(scene["base"]) == {"received": 0, "spent": 0, "balance": 0}
    receipt.refresh_from_db()
    assert receipt.amount_fen == 50_000 and receipt.entry_id is not None  # the row itself is untouched
    audit = AuditEntry.objects.get(action="ecorestore.money.reverse", object_id=str(receipt.pk))
    assert audit.before == {"amount_fen": 50_000}
    assert audit.after is not None and audit.after["reason"] == "金额录入错误，重新登记"


def test_reversing_a_spend_puts_the_money_back_into_the_fund(scene: dict[str, Any]) -> None:
    spend = _spend(scene)
    actions_money.do_reverse_spend(spend, reason="重复登记", acting_user=scene["prosecutor"])
    assert actions_money.fund_figures(scene["base"]) == {"received": 50_000, "spent": 0, "balance": 50_000}
    assert JournalEntry.objects.get(idempotency_key=f"ecorestore:spend:{spend.pk}:reverse").reverses_id == spend.entry_id


def test_a_record_is_reversed_once_and_a_bad_reversal_writes_nothing(scene: dict[str, Any]) -> None:
    receipt = scene["receipt"]
    _spend(scene, 40_000)  # the fund now holds ¥100 of the ¥500 received
    before = state()
    with pytest.raises(InsufficientFunds):
        actions_money.do_reverse_receipt(receipt, reason="金额录入错误", acting_user=scene["prosecutor"])
    with pytest.raises(KernelError) as refused:
        actions_money.do_reverse_receipt(receipt, reason="错", acting_user=scene["prosecutor"])
    assert refused.value.field == "reason"
    assert state() == before
    spend = Spend.objects.get()
    actions_money.do_reverse_spend(spend, reason="重复登记", acting_user=scene["prosecutor"])
    after_one = state()
    with pytest.raises(KernelError) as twice:
        actions_money.do_reverse_spend(spend, reason="再次冲销", acting_user=scene["prosecutor"])
    assert twice.value.status == 409 and state() == after_one


def test_a_denied_role_changes_nothing(scene: dict[str, Any]) -> None:
    city, receipt = scene["city"], scene["receipt"]
    judge = staff("judge", {"ecorestore_court": [city["a"]]})
    supervisor = staff("supervisor", {"ecorestore_supervisor": [city["a"]]})
    elsewhere = staff("elsewhere", {"ecorestore_prosecutor": [city["b"]]})
    owed, before = _owed(scene), state()
    for user in (judge, supervisor, elsewhere):
        with pytest.raises(PermissionDenied):
            actions_money.do_reverse_receipt(receipt, reason="金额录入错误", acting_user=user)
        response = _client(user).post(f"/ecorestore/bases/{scene['base'].pk}/money/receipts/{receipt.pk}/reverse/",
                                      {"reason": "金额录入错误"})
        assert response.status_code in (403, 404)
    assert state() == before and _owed(scene) == owed


def test_the_pages_reverse_and_show_it_and_a_refusal_keeps_the_typing(scene: dict[str, Any]) -> None:
    base, receipt, case = scene["base"], scene["receipt"], scene["case"]
    client = _client(scene["prosecutor"])
    url = f"/ecorestore/bases/{base.pk}/money/receipts/{receipt.pk}/reverse/"
    assert client.get(url).status_code == 405
    before = state()
    refused = client.post(url, {"reason": "错"})
    assert refused.status_code == 400 and 'id="error-reason"' in refused.content.decode()
    assert "Reason for the correction" in text(refused) and state() == before
    assert client.post(f"/ecorestore/bases/{base.pk}/money/receipts/{receipt.pk + 99}/reverse/",
                       {"reason": "金额录入错误"}).status_code == 404
    assert client.post(url, {"reason": "金额录入错误"}).status_code == 302
    money = text(client.get(f"/ecorestore/bases/{base.pk}/money/"))
    assert f'id="reversed-receipt-{receipt.pk}"' in money and "金额录入错误" in money
    page = text(client.get(f"/ecorestore/cases/{case.pk}/"))
    assert f'id="reversed-receipt-{receipt.pk}"' in page and "金额录入错误" in page
    again = client.post(url, {"reason": "再次冲销"})
    assert again.status_code == 409 and MoneyReversal.objects.count() == 1


def test_the_partys_access_report_shows_the_reversal(scene: dict[str, Any], rid: Any) -> None:
    from longcheng.kernel.people.models import Resident
    from longcheng.modules.ecorestore import personal

    person = Resident.objects.create(resident_id=rid(seq=41), name="张某", gender="M", birth_date=dt.date(1980, 1, 1),
                                     place=scene["city"]["a"])
    party = staff("party", {})
    party.resident = person
    party.save()
    scene["case"].__class__.objects.filter(pk=scene["case"].pk).update(party_user=party)
    actions_money.do_reverse_receipt(scene["receipt"], reason="金额录入错误", acting_user=scene["prosecutor"])
    money = next(s for s in personal.personal_data(person) if s.rows and len(s.rows[0]) == 6)
    assert money.rows[0][-1] == "金额录入错误"
