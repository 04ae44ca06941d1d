"""The demo city's general charity fund: idempotent by idempotency keys."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.places.models import Level, Place

from . import actions
from .models import Fund

CODE = "city-charity-general"


def build(**options: Any) -> None:
    if Fund.objects.filter(code=CODE).exists():
        fund = Fund.objects.get(code=CODE)
    else:
        owner = Organisation.objects.filter(name__contains="慈善总会").order_by("pk").first()
        with transaction.atomic():
            fund = actions.do_create_fund(code=CODE, name="常州市慈善总会 综合救助基金", owner=owner,
                                          place=Place.objects.filter(level=Level.CITY).first(), acting_user=None)
    start = dt.datetime(2026, 1, 10, 10, 0, tzinfo=actions.SHANGHAI)
    actions.do_donate(fund, 120_000_000, donor_name="年度慈善募捐", acting_user=None,
                      idempotency_key="demo:general:donation", at=start)
    actions.do_commit(fund, 1_500_000, memo="困难家庭临时救助（第一批）", acting_user=None,
                      idempotency_key="demo:general:commit-1", at=start + dt.timedelta(days=30))
    payee = actions.external_account("beneficiaries", "受助人银行账户", fund=fund)
    actions.do_pay_from_commitment(fund, 1_200_000, payee=payee, memo="临时救助发放（第一批）", acting_user=None,
                                   idempotency_key="demo:general:pay-1", at=start + dt.timedelta(days=35))
