"""What the one-stop service holds about a resident (the cases they filed through their own account)
for the kernel's access report, and how long it keeps its cases (the kernel's retention job); both
registered in spec.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from longcheng.kernel.registry import DataSection, RecordClass

from .models import Case, CaseStatus

YEAR = 365
CLOSED = (CaseStatus.COMPLETED, CaseStatus.REJECTED, CaseStatus.WITHDRAWN)


def _cases(person: Any) -> QuerySet[Case]:
    # A resident appears in one-stop as the applicant: the account tied to them (User.resident).
    return Case.objects.filter(applicant__resident=person)


def personal_data(person: Any) -> list[DataSection]:
    rows = [[c.pk, c.service, c.enterprise.name, c.get_status_display(), c.submitted_at, c.completed_at,
             ", ".join(f"{k}={v}" for k, v in sorted(c.data.items()))]
            for c in _cases(person).select_related("enterprise").order_by("pk")]
    return [DataSection(_("One-stop cases filed"), [_("case"), _("service"), _("enterprise"), _("status"),
                                                    _("submitted at"), _("completed at"), _("form data")], rows)]


def _closed_cases(cutoff: dt.datetime) -> QuerySet[Any]:
    return Case.objects.filter(status__in=CLOSED, created_at__lt=cutoff).exclude(data={})


def _anonymise_cases(cases: QuerySet[Any]) -> int:
    # The case, its tasks and outcome stay (statistics, the enterprise's standing); the form's
    # personal answers go.
    return int(cases.update(data={}))


RETENTION = [
    RecordClass("onestop.cases", _("One-stop cases"),
                _("Administrative licensing files are kept 10 years after the case (archives rules)."),
                of_person=_cases),
    RecordClass("onestop.closed_case_forms", _("Form answers of closed cases"),
                _("A closed case's form answers are anonymised 10 years after it was started."), days=10 * YEAR,
                action="anonymise", expired=_closed_cases, anonymise=_anonymise_cases),
]
