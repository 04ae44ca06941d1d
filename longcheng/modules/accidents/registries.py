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


def adapter() -> RegistryAdapter | None:
    return ADAPTERS.get(getattr(settings, "ACCIDENTS_REGISTRY", "") or "")


def checks(party: Any) -> list[tuple[str, str, str]]:
    """(check code, its label, the result's label) for a confirmed party; "unverified" throughout
    without an adapter or before the driver confirmed."""
    source = adapter()
    out = []
    for code, label in CHECKS.items():
        result = "unverified"
        if source is not None and party.confirmed_at:
            result = source.check(code, licence_no=party.licence_no, licence_class=party.licence_class,
                                  plate=party.plate, policy_no=party.policy_no,
                                  insurer_code=party.insurer.code if party.insurer else "")
            result = result if result in RESULTS else "unverified"
        out.append((code, str(label), str(RESULTS[result])))
    return out
