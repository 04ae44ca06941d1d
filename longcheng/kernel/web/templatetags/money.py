from __future__ import annotations

from django import template

from longcheng.kernel.ledger.money import format_fen

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Integer fen shown as yuan with two decimals: 123456 → ¥1,234.56."""
    return format_fen(fen)
