"""What every youth aid action shares: the permissions, the field groups, today's date and the
text and number checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel import forms
from longcheng.kernel.errors import ErrorCode, KernelError
from longcheng.kernel.people.actions import GUARDIAN_CONSENT_AGE, has_consent
from longcheng.kernel.people.validators import age_on

from ..models import (
    Youth,
)

PURPOSE = "youthaid"  # the consent purpose for the registry
VIEW, REPORT, MANAGE, REVIEW, PAY, FUND = ("youthaid.view", "youthaid.report", "youthaid.manage", "youthaid.review",
                                           "youthaid.pay", "youthaid.fund")
HEALTH, BANK = "youthaid.health", "youthaid.bank"
PROFILE_FIELDS = ("risk", "deceased_parent_id", "parent_died_on", "surviving_parent_id", "surviving_parent_status",
                  "guardian_id", "stage", "school", "grade", "university_admitted_year", "household_size",
                  "monthly_income_fen", "hardship_grade", "needs")
HEALTH_FIELDS = ("serious_illness", "health_note")
BANK_FIELDS = ("bank_name", "bank_account")
PARENT_KINDS = ("father", "mother")


def _today() -> dt.date:
    return timezone.localdate()


def _text(value: Any, field: str, *, required: bool = True, limit: int = 2000, minimum: int = 1) -> str:
    # The kernel's rule and messages ("At least 4 characters."), shown after the field's label.
    return forms.text(value, field=field, required=required, minimum=minimum, limit=limit)


def consent_missing(youth: Youth, *, sensitive: bool = False) -> bool:
    return not has_consent(youth.person, PURPOSE, sensitive=sensitive)


def is_under_14(youth: Youth, on: dt.date | None = None) -> bool:
    return age_on(youth.person.birth_date, on or _today()) < GUARDIAN_CONSENT_AGE


def _int(value: Any, field: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise KernelError(_("A whole number is required."), field=field) from None


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise KernelError(_("A date such as 2026-09-01 is required."), code=ErrorCode.INVALID_DATE,
                          field=field) from None
