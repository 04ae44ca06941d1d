"""What a viewer sees of a party: their own details plainly, anyone else's through the kernel's
masking policy (kernel/privacy.py) at the report's place."""

from __future__ import annotations

from typing import Any

from longcheng.kernel.privacy import Kind, show

from .models import Party


def party_view(user: Any, party: Party, path: str) -> dict[str, Any]:
    own = party.user_id == user.pk

    def see(kind: Kind, value: Any) -> Any:
        return value if own else show(user, kind, value, path)

    return {"side": party.side, "name": party.name, "own": own,
            "phone": see(Kind.CONTACT, party.phone), "licence_no": see(Kind.IDENTIFIER, party.licence_no),
            "plate": see(Kind.IDENTIFIER, party.plate), "licence_class": party.licence_class,
            "insurer": party.insurer.name if party.insurer else "", "policy_no": party.policy_no,
            "loss_fen": party.loss_fen, "confirmed": party.confirmed_at is not None,
            "circumstances": list(party.circumstances), "ticked": party.ticked_at is not None,
            "signed": party.signed_at is not None}


def parties_view(user: Any, report: Any) -> list[dict[str, Any]]:
    return [party_view(user, p, report.place.path)
            for p in report.parties.select_related("insurer").order_by("side")]
