"""Registry checks of a driver's confirmed details (licence valid and its class, plate, inspection
mark, insurance in force) through one named seam. The kernel has no vehicle or licence registry, so
each check goes through an adapter; where none is configured (ACCIDENTS_REGISTRY unset, the
default) every check is "unverified" and the officer sees that, rather than a silent pass.
The demo adapter stands in for the traffic police's registry in the demo and tests only."""

from __future__ import annotations

from typing import Any, Protocol

from django.conf import settings
from django.utils.translation import pgettext_lazy

CHECKS = {
    "licence": pgettext_lazy("accidents", "Licence valid for its class"),
    "plate": pgettext_lazy("accidents", "Plate registered"),
    "inspection": pgettext_lazy("accidents", "Inspection mark valid"),
    "insurance": pgettext_lazy("accidents", "Insurance in force"),
}
RESULTS = {
    "valid": pgettext_lazy("accidents", "verified"),
    "invalid": pgettext_lazy("accidents", "failed"),
    "unverified": pgettext_lazy("accidents", "unverified (no registry connected)"),
}


class RegistryAdapter(Protocol):
    def check(self, check: str, *, licence_no: str, licence_class: str, plate: str, policy_no: str,
              insurer_code: str) -> str:
        """"valid", "invalid" or "unverified" for one check."""


class DemoRegistry:
    """Deterministic stand-in: a plate ending in 0 fails its inspection, a policy number starting
    with "X" is not in force; everything else verifies."""

    def check(self, check: str, *, licence_no: str, licence_class: str, plate: str, policy_no: str,
              insurer_code: str) -> str:
        if check == "inspection" and plate.endswith("0"):
            return "invalid"
        if check == "insurance" and policy_no.upper().startswith("X"):
            return "invalid"
        return "valid" if (licence_no and plate) else "unverified"


ADAPTERS: dict[str, RegistryAdapter] = {"demo": DemoRegistry()}


def adapter_name() -> str:
    name = getattr(settings, "ACCIDENTS_REGISTRY", "") or ""
    return name if name in ADAPTERS else ""


def adapter() -> RegistryAdapter | None:
    return ADAPTERS.get(adapter_name())


def run(values: dict[str, Any]) -> dict[str, str]:
    """{check code: "valid" | "invalid" | "unverified"} for a driver's confirmed details (the cleaned
    values of actions._party_values); "unverified" throughout without an adapter."""
    source = adapter()
    out = {}
    for code in CHECKS:
        result = "unverified"
        if source is not None:
            result = source.check(code, licence_no=values["licence_no"], licence_class=values["licence_class"],
                                  plate=values["plate"], policy_no=values["policy_no"],
                                  insurer_code=values["insurer"].code if values.get("insurer") else "")
        out[code] = result if result in RESULTS else "unverified"
    return out


def stored(party: Any) -> list[dict[str, Any]]:
    """The checks recorded at the party's latest confirmation, in words: an empty list before it."""
    rows = [r for r in party.registry_checks.all() if r.checked_at == party.confirmed_at]
    order = list(CHECKS)
    return [{"code": r.item, "label": str(CHECKS.get(r.item, r.item)), "result": r.result,
             "result_label": str(RESULTS.get(r.result, r.result)), "checked_at": r.checked_at, "source": r.source}
            for r in sorted(rows, key=lambda r: order.index(r.item) if r.item in order else len(order))]
