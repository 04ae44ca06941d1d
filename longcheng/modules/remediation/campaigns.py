"""The 排查整治 campaigns, each declared once as data (as onestop's catalogue declares its services).

A campaign names its target (a firm, or a site such as a host's premises), its checklist (each item
with the evidence it needs), its scoring axes and the score that makes a firm a target, its remedies
(停搬提并转, each with the evidence its 销号 needs), the stages a case may move between, and the days
after 销号 at which the site is checked again (回头看). A new campaign is one declaration here and its
translations. Declarations are checked at import: an unknown stage, remedy or evidence kind stops the
process from starting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from django.utils.functional import Promise

    Label = str | Promise
else:
    Label = Any


class DeclarationError(ValueError):
    """A campaign declaration that cannot work; raised at import."""


# Stages of a case. A campaign declares which moves between them it allows.
SCREENED, DETERMINED, PLANNED, ACCEPTED, CLOSED, DISMISSED, REOPENED = (
    "screened", "determined", "planned", "accepted", "closed", "dismissed", "reopened")
STAGES: dict[str, Label] = {
    SCREENED: pgettext_lazy("remediation", "Screened"),
    DETERMINED: pgettext_lazy("remediation", "Determined"),
    PLANNED: pgettext_lazy("remediation", "Under remediation"),
    ACCEPTED: pgettext_lazy("remediation", "Accepted by the bureau"),
    CLOSED: pgettext_lazy("remediation", "Closed (销号)"),
    DISMISSED: pgettext_lazy("remediation", "Not a target"),
    REOPENED: pgettext_lazy("remediation", "Reopened (rebound)"),
}
# A case in one of these stages is finished; any other stage is open (one open case per firm and campaign).
FINISHED = (CLOSED, DISMISSED)

EVIDENCE: dict[str, Label] = {
    "site_photo": pgettext_lazy("remediation", "Photos of the cleared site (raw materials, products, equipment)"),
    "utility_cutoff": pgettext_lazy("remediation", "The utility's water and power cut-off record"),
    "park_record": pgettext_lazy("remediation", "The receiving park's record"),
    "test_report": pgettext_lazy("remediation", "Test report"),
    "permit": pgettext_lazy("remediation", "Permit"),
    "agreement": pgettext_lazy("remediation", "Merger or transfer agreement"),
    "fire_door": pgettext_lazy("remediation", "Photos of the fire doors installed"),
    "gas_contract": pgettext_lazy("remediation", "Piped gas or power supply contract"),
}


@dataclass(frozen=True)
class CheckItem:
    code: str
    label: Label
    evidence: tuple[str, ...] = ("site_photo",)


@dataclass(frozen=True)
class Axis:
    code: str
    label: Label


@dataclass(frozen=True)
class Remedy:
    """A remedy and what its 销号 needs: every group in `needs` satisfied by at least one evidence
    kind of the group (("test_report", "permit"): a report or a permit)."""

    code: str
    label: Label
    needs: tuple[tuple[str, ...], ...]


REMEDIES: dict[str, Remedy] = {r.code: r for r in (
    # 两断三清: water and power cut (the utility's record), materials, products and equipment cleared (photos).
    Remedy("close", pgettext_lazy("remediation", "停 Close"), (("utility_cutoff",), ("site_photo",))),
    Remedy("relocate", pgettext_lazy("remediation", "搬 Relocate into a park"), (("park_record",),)),
    Remedy("upgrade", pgettext_lazy("remediation", "提 Upgrade"), (("test_report", "permit"),)),
    Remedy("merge", pgettext_lazy("remediation", "并 Merge"), (("agreement",),)),
    Remedy("transform", pgettext_lazy("remediation", "转 Transform"), (("permit", "test_report"), ("site_photo",))),
    Remedy("fire_door", pgettext_lazy("remediation", "Install compliant fire doors"), (("fire_door",),)),
    Remedy("piped_gas", pgettext_lazy("remediation", "Bottled gas to piped gas, gas to electric"),
           (("gas_contract",), ("site_photo",))),
)}

# The usual path of a case; a campaign may declare a shorter one.
FULL_PATH: dict[str, tuple[str, ...]] = {
    SCREENED: (DETERMINED, DISMISSED),
    DETERMINED: (PLANNED,),
    PLANNED: (ACCEPTED,),
    ACCEPTED: (CLOSED, PLANNED),
    CLOSED: (REOPENED,),
    REOPENED: (PLANNED, ACCEPTED),
}
# Special campaigns need no determination: what the inspection found is the finding.
DIRECT_PATH: dict[str, tuple[str, ...]] = {
    SCREENED: (PLANNED, DISMISSED),
    PLANNED: (ACCEPTED,),
    ACCEPTED: (CLOSED, PLANNED),
    CLOSED: (REOPENED,),
    REOPENED: (PLANNED, ACCEPTED),
}


@dataclass(frozen=True)
class Campaign:
    code: str
    label: Label
    target: str  # "firm" or "site"
    checklist: tuple[CheckItem, ...]
    axes: tuple[Axis, ...]
    remedies: tuple[str, ...]
    transitions: dict[str, tuple[str, ...]]
    # A firm is a target when any axis scores at least this (scores run 0 to 3).
    target_score: int = 2
    rebound_days: tuple[int, ...] = (30, 90, 180)

    def allows(self, src: str, dst: str) -> bool:
        return dst in self.transitions.get(src, ())


FIVE_AXES = (
    Axis("danger", pgettext_lazy("remediation", "危 Safety hazards")),
    Axis("pollution", pgettext_lazy("remediation", "污 Exceedances and illegal discharge")),
    Axis("disorder", pgettext_lazy("remediation", "乱 Permits, land and building legality")),
    Axis("scattered", pgettext_lazy("remediation", "散 Outside a park")),
    Axis("low", pgettext_lazy("remediation", "低 Tax and output per mu below the thresholds")),
)

CAMPAIGNS: dict[str, Campaign] = {}


def declare(campaign: Campaign) -> Campaign:
    if campaign.code in CAMPAIGNS:
        raise DeclarationError(f"campaign {campaign.code} declared twice")
    if campaign.target not in ("firm", "site"):
        raise DeclarationError(f"{campaign.code}: unknown target {campaign.target}")
    for src, dsts in campaign.transitions.items():
        if src not in STAGES or any(d not in STAGES for d in dsts):
            raise DeclarationError(f"{campaign.code}: unknown stage in {src} -> {dsts}")
    for code in campaign.remedies:
        if code not in REMEDIES:
            raise DeclarationError(f"{campaign.code}: unknown remedy {code}")
    for item in campaign.checklist:
        if any(kind not in EVIDENCE for kind in item.evidence):
            raise DeclarationError(f"{campaign.code}: unknown evidence in {item.code}")
    CAMPAIGNS[campaign.code] = campaign
    return campaign


declare(Campaign(
    "wuluan", pgettext_lazy("remediation", "危污乱散低 (dangerous, polluting, disorderly, scattered, low-yield)"),
    "firm",
    (CheckItem("safety", pgettext_lazy("remediation", "Safety hazards checked")),
     CheckItem("discharge", pgettext_lazy("remediation", "Discharges and emissions checked"), ("site_photo", "test_report")),
     CheckItem("permits", pgettext_lazy("remediation", "Permits, land and building checked"), ("permit",)),
     CheckItem("yield", pgettext_lazy("remediation", "Tax and output per mu checked"), ())),
    FIVE_AXES, ("close", "relocate", "upgrade", "merge", "transform"), FULL_PATH,
))
declare(Campaign(
    "hidden_factory", pgettext_lazy("remediation", "厂中厂 (a factory hidden inside another)"), "site",
    (CheckItem("tenants", pgettext_lazy("remediation", "Every tenant on the premises listed")),
     CheckItem("licence", pgettext_lazy("remediation", "Each tenant's licence and safety agreement"), ("permit",))),
    (Axis("danger", pgettext_lazy("remediation", "危 Safety hazards")),),
    ("close", "relocate", "upgrade"), DIRECT_PATH, target_score=1,
))
declare(Campaign(
    "fire_door", pgettext_lazy("remediation", "防火门专项治理 (fire doors)"), "site",
    (CheckItem("doors", pgettext_lazy("remediation", "Fire doors present, closing and unobstructed")),),
    (Axis("danger", pgettext_lazy("remediation", "危 Safety hazards")),),
    ("fire_door",), DIRECT_PATH, target_score=1, rebound_days=(30, 180),
))
declare(Campaign(
    "gas_switch", pgettext_lazy("remediation", "瓶改管、气改电 (bottled gas to piped gas, gas to electric)"), "site",
    (CheckItem("cylinders", pgettext_lazy("remediation", "Gas cylinders on the premises counted")),),
    (Axis("danger", pgettext_lazy("remediation", "危 Safety hazards")),),
    ("piped_gas",), DIRECT_PATH, target_score=1, rebound_days=(30, 90),
))

POLLUTANTS: dict[str, Label] = {
    "cod": pgettext_lazy("remediation", "COD"),
    "ammonia": pgettext_lazy("remediation", "Ammonia nitrogen"),
    "so2": pgettext_lazy("remediation", "Sulphur dioxide"),
    "nox": pgettext_lazy("remediation", "Nitrogen oxides"),
    "voc": pgettext_lazy("remediation", "VOCs"),
}

# The district's lead agencies a plan may name.
AGENCIES: dict[str, Label] = {
    "ecology": pgettext_lazy("remediation", "Ecology and environment bureau"),
    "emergency": pgettext_lazy("remediation", "Emergency management bureau"),
    "industry": pgettext_lazy("remediation", "Industry and information technology bureau"),
    "natural_resources": pgettext_lazy("remediation", "Natural resources bureau"),
    "street": pgettext_lazy("remediation", "Street / town"),
}


def campaign(code: str) -> Campaign | None:
    return CAMPAIGNS.get(code)
