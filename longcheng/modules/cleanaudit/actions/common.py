"""What the cleanaudit actions share: the party check and the round's facts for the gates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import pgettext

from longcheng.kernel.errors import Conflict, KernelError
from longcheng.kernel.ledger.money import MAX_AMOUNT_FEN

from .. import rules
from ..errors import ErrorCode
from ..models import AuditRound, Balance, Figures, Option
from ..stages import STAGE_BY_CODE

PARTY_SIDES = ("firm",)


def must_be_party(side: str) -> None:
    """Only the firm (or its consultancy) carries out the audit; the park and experts guide it."""
    if side not in PARTY_SIDES:
        raise KernelError(pgettext("cleanaudit", "Only the firm carrying out the audit (or its consultancy) may do this."),
                          code=ErrorCode.NOT_PARTY, field="round")


def must_be_in_stage(audit: AuditRound, stage: str | None = None) -> None:
    """The round is still in one of the seven stages (and, if given, in `stage`)."""
    if audit.status not in STAGE_BY_CODE or (stage is not None and audit.status != stage):
        raise Conflict(pgettext("cleanaudit", "The round is at “%(now)s”: this belongs to another stage.") % {
            "now": audit.status_label}, code=ErrorCode.WRONG_STAGE, field="stage")


def option_facts(options: Any) -> tuple[rules.OptionFacts, ...]:
    return tuple(rules.OptionFacts(o.cost_class, o.status, o.investment_fen, o.yearly_saving_fen, o.life_years,
                                   o.measured_saving_fen) for o in options)


def facts_of(audit: AuditRound) -> rules.RoundFacts:
    periods = set(Figures.objects.filter(round=audit).values_list("period", flat=True))
    balance = Balance.objects.filter(round=audit).first()
    return rules.RoundFacts(
        artefacts=frozenset(audit.artefacts.values_list("kind", flat=True)),
        has_before="before" in periods, has_after="after" in periods,
        balance=(balance.inputs_t, balance.products_t, balance.byproducts_t, balance.losses_t) if balance else None,
        options=option_facts(Option.objects.filter(round=audit).order_by("pk")),
        registered=audit.registered_on is not None)


def decimal_of(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e11"):
        raise KernelError(pgettext("cleanaudit", "A number of 0 or more is required."), code=ErrorCode.FIGURES,
                          field=field)
    return amount


def fen_of(value: Any, field: str) -> int:
    """An amount of money as integer fen, 0 up to the ledger's MAX_AMOUNT_FEN (a page reads yuan text into
    fen with the kernel's YuanField; the API sends fen)."""
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError:
            value = -1
    if not 0 <= value <= MAX_AMOUNT_FEN:
        raise KernelError(pgettext("cleanaudit", "An amount in fen, 0 or more, is required."), code=ErrorCode.FIGURES,
                          field=field)
    return value
