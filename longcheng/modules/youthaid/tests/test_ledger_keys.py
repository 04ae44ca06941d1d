"""Issue 11 (2): a manual posting under the key of a payment does not take the payment's place."""

from __future__ import annotations

from typing import Any

from longcheng.kernel.ledger import actions as ledger
from longcheng.kernel.ledger.models import Account, Posting

from .. import actions
from ..models import Payment, PayStatus


def test_a_manual_entry_under_a_payments_key_does_not_pay_instead_of_it(
        active_case: Any, funded: Any, liyang: dict[str, Any], grant: Any, make_user: Any) -> None:
    reviewer = liyang["reviewer"]
    grant(active_case, "medical", 500_000)
    batch = actions.do_create_batch(title="十一月医疗救助", acting_user=reviewer)
    payment = Payment.objects.get(batch=batch)
    officer = make_user("fin_liyang", {"finance_officer": [liyang["city"]["liyang"]]})
    fund_code = funded.code
    claimed = ledger.do_manual_entry([(fund_code, -1), (f"{fund_code}:commitment", 1)], memo="1 分",
                                     acting_user=officer, idempotency_key=f"youthaid:pay:{payment.pk}")
    actions.do_pay_batch(batch, acting_user=reviewer)
    payment.refresh_from_db()
    assert payment.status == PayStatus.PAID and payment.entry_id != claimed.pk
    assert sorted(Posting.objects.filter(entry_id=payment.entry_id).values_list("account__code", "amount_fen")) == [
        ("ext:youthaid-beneficiaries", 500_000), (f"{fund_code}:commitment", -500_000)]
    assert Account.objects.get(code="ext:youthaid-beneficiaries").balance_fen == 500_000


def test_the_beneficiaries_account_belongs_to_the_fund(funded: Any) -> None:
    assert actions.beneficiaries().fund_id == funded.pk
