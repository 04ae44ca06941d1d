"""The seven stages of a cleaner-production audit (清洁生产审核办法, NDRC/MEE order 38) and the
artefacts each must hold before it closes, the review steps after them, and the option classes.
Plain data: rules.py, models.py and the pages read it; no database here."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Stage:
    code: str
    number: int
    label: Promise
    # Artefact kinds (ARTEFACTS) that must be on file before the stage closes.
    artefacts: tuple[str, ...]


ARTEFACTS: dict[str, Promise] = {
    "team": pgettext_lazy("cleanaudit", "Audit team"),
    "plan": pgettext_lazy("cleanaudit", "Work plan"),
    "targets": pgettext_lazy("cleanaudit", "Audit focus and targets"),
    "balance_report": pgettext_lazy("cleanaudit", "Material balance report"),
    "screening": pgettext_lazy("cleanaudit", "Option screening record"),
    "feasibility": pgettext_lazy("cleanaudit", "Feasibility study"),
    "implementation": pgettext_lazy("cleanaudit", "Implementation evidence"),
    "continuous_plan": pgettext_lazy("cleanaudit", "Continuous cleaner-production plan"),
}

STAGES: tuple[Stage, ...] = (
    Stage("planning", 1, pgettext_lazy("cleanaudit", "Planning and organisation (筹划与组织)"), ("team", "plan")),
    Stage("preaudit", 2, pgettext_lazy("cleanaudit", "Pre-audit (预审核)"), ("targets",)),
    Stage("audit", 3, pgettext_lazy("cleanaudit", "Audit (审核)"), ("balance_report",)),
    Stage("options", 4, pgettext_lazy("cleanaudit", "Option generation and screening (方案的产生和筛选)"),
          ("screening",)),
    Stage("feasibility", 5, pgettext_lazy("cleanaudit", "Option decision / feasibility (方案的确定)"),
          ("feasibility",)),
    Stage("implementation", 6, pgettext_lazy("cleanaudit", "Implementation (方案实施)"), ("implementation",)),
    Stage("continuous", 7, pgettext_lazy("cleanaudit", "Continuous cleaner production (持续清洁生产)"),
          ("continuous_plan",)),
)
STAGE_BY_CODE = {s.code: s for s in STAGES}

# After the seven stages: the bureau's assessment (评估) and, once the medium/high-cost options are
# in, the acceptance (验收). A round's `status` runs through these codes.
STATUSES: dict[str, Promise] = {
    **{s.code: s.label for s in STAGES},
    "assessment": pgettext_lazy("cleanaudit", "Awaiting assessment (评估)"),
    "assessed": pgettext_lazy("cleanaudit", "Assessed, passed (评估合格)"),
    "acceptance": pgettext_lazy("cleanaudit", "Awaiting acceptance (验收)"),
    "accepted": pgettext_lazy("cleanaudit", "Accepted (验收合格)"),
    "failed": pgettext_lazy("cleanaudit", "Failed (不合格)"),
}
FIRST, LAST = STAGES[0].code, STAGES[-1].code

TRIGGERS: dict[str, Promise] = {
    "discharge": pgettext_lazy("cleanaudit", "Exceeds discharge standard or load cap (双超)"),
    "energy": pgettext_lazy("cleanaudit", "Exceeds unit energy-consumption limit (高耗能)"),
    "hazardous": pgettext_lazy("cleanaudit", "Uses or emits toxic and hazardous substances (双有)"),
    "voluntary": pgettext_lazy("cleanaudit", "Voluntary (自愿)"),
}
MODES: dict[str, Promise] = {
    "self": pgettext_lazy("cleanaudit", "Self-audit"),
    "consultancy": pgettext_lazy("cleanaudit", "By a consultancy"),
}
INDUSTRIES: dict[str, Promise] = {
    "coatings": pgettext_lazy("cleanaudit", "Coatings"),
    "electroplating": pgettext_lazy("cleanaudit", "Electroplating"),
    "machinery": pgettext_lazy("cleanaudit", "Machinery"),
    "textiles": pgettext_lazy("cleanaudit", "Textiles"),
}
# Repeat cycles (清洁生产审核办法 and the provinces' practice): a firm under mandatory audit is listed again
# every 2 years in a heavy-metal industry, every 3 in an over-capacity one, every 5 for other heavy
# polluters. Each industry says which it is; a new industry adds itself here.
CYCLE_YEARS: dict[str, int] = {"heavy_metal": 2, "overcapacity": 3, "polluting": 5}
INDUSTRY_CYCLE: dict[str, str] = {"coatings": "polluting", "electroplating": "heavy_metal", "machinery": "polluting",
                                  "textiles": "polluting"}

COST_CLASSES: dict[str, Promise] = {
    "low": pgettext_lazy("cleanaudit", "No or low cost (无/低费)"),
    "high": pgettext_lazy("cleanaudit", "Medium or high cost (中/高费)"),
}
OPTION_STATUSES: dict[str, Promise] = {
    "proposed": pgettext_lazy("cleanaudit", "Proposed"),
    "adopted": pgettext_lazy("cleanaudit", "Adopted"),
    "implemented": pgettext_lazy("cleanaudit", "Implemented"),
    "dropped": pgettext_lazy("cleanaudit", "Dropped"),
}
SIDES: dict[str, Promise] = {
    "firm": pgettext_lazy("cleanaudit", "Firm"),
    "park": pgettext_lazy("cleanaudit", "Park"),
    "expert": pgettext_lazy("cleanaudit", "Technical team"),
}
