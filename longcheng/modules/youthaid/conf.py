"""The module's settings, from environment variables (typed, failing loudly), overridable in tests
through Django settings of the same name."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from longcheng.env import env_int, env_str

DEFAULTS: dict[str, Any] = {
    # The kernel fund the aid is paid from (created on first use, owned by 溧阳市慈善总会).
    "YOUTHAID_FUND_CODE": env_str("YOUTHAID_FUND_CODE", "liyang-youth-aid"),
    # A student is helped up to this age (university); a youth not in school up to 18.
    "YOUTHAID_STUDENT_MAX_AGE": env_int("YOUTHAID_STUDENT_MAX_AGE", 25, minimum=18, maximum=30),
    # "Relative difficulty": household income per person per month below this line (fen). The charity
    # federation sets it; 1,800 yuan is the demo's assumption (about 1.6 × Liyang's minimum living standard).
    "YOUTHAID_INCOME_LINE_FEN": env_int("YOUTHAID_INCOME_LINE_FEN", 180_000, minimum=0, maximum=10_000_000),
    # Days between follow-up visits by risk level.
    "YOUTHAID_VISIT_DAYS_HIGH": env_int("YOUTHAID_VISIT_DAYS_HIGH", 30, minimum=1, maximum=365),
    "YOUTHAID_VISIT_DAYS_MEDIUM": env_int("YOUTHAID_VISIT_DAYS_MEDIUM", 60, minimum=1, maximum=365),
    "YOUTHAID_VISIT_DAYS_LOW": env_int("YOUTHAID_VISIT_DAYS_LOW", 90, minimum=1, maximum=365),
    # Largest budget of one dream room (fen): a renovation of a youth's room, not a house (50,000 yuan).
    "YOUTHAID_ROOM_MAX_FEN": env_int("YOUTHAID_ROOM_MAX_FEN", 5_000_000, minimum=100, maximum=100_000_000),
    # Largest proof file accepted (bytes).
    "YOUTHAID_MAX_UPLOAD_BYTES": env_int("YOUTHAID_MAX_UPLOAD_BYTES", 10 * 1024 * 1024, minimum=1024,
                                         maximum=100 * 1024 * 1024),
}


def conf(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


def visit_days(risk: str) -> int:
    return int(conf(f"YOUTHAID_VISIT_DAYS_{risk.upper()}"))
