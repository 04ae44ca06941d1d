"""Figures over payments and cases, for the dashboard and the figures page, and the fund's figures
for the fund page and the API (`fund_figures`: one base for both)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, Sum

from longcheng.kernel.ledger.models import Account, AccountKind, Fund

from ..models import (
    AppStatus,
    Payment,
    PayStatus,
)

BENEFICIARIES, CONTRACTORS = "ext:youthaid-beneficiaries", "ext:youthaid-contractors"  # the payees' ledger accounts


@dataclass(frozen=True)
class FundFigures:
    """The fund's money, all read from the ledger's balances: what is available, what is committed
    (approved, not yet paid), and what has been paid out, in two named parts: to the beneficiaries
    (aid payments less bank returns) and to the contractors (dream rooms)."""

    available_fen: int = 0
    committed_fen: int = 0
    to_beneficiaries_fen: int = 0
    to_contractors_fen: int = 0

    @property
    def paid_total_fen(self) -> int:
        return self.to_beneficiaries_fen + self.to_contractors_fen


def fund_figures(fund: Fund | None) -> FundFigures:
    """The figures of the youth aid fund (all zero for a fund not opened yet): the fund page and the
    API's /fund show these, and nothing else computes them."""
    if fund is None:
        return FundFigures()
    balances = {(kind, code): balance for kind, code, balance in
                Account.objects.filter(fund=fund).values_list("kind", "code", "balance_fen")}
    by_kind = {kind: balance for (kind, _code), balance in balances.items() if kind != AccountKind.EXTERNAL}
    return FundFigures(available_fen=by_kind.get(AccountKind.FUND, 0),
                       committed_fen=by_kind.get(AccountKind.COMMITMENT, 0),
                       to_beneficiaries_fen=balances.get((AccountKind.EXTERNAL, BENEFICIARIES), 0),
                       to_contractors_fen=balances.get((AccountKind.EXTERNAL, CONTRACTORS), 0))


def paid_total(qs: Any = None) -> int:
    qs = Payment.objects.all() if qs is None else qs
    return qs.filter(status__in=[PayStatus.PAID]).aggregate(s=Sum("amount_fen"))["s"] or 0


def reaided_count(youths: Any) -> int:
    """Youths granted aid again after an earlier payment (a re-aid application approved or paid)."""
    return youths.filter(Q(applications__is_reaid=True,
                           applications__status__in=[AppStatus.APPROVED, AppStatus.PAID])).distinct().count()
