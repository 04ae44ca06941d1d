"""What the remediation campaigns hold about a resident (the kernel's access report) and how long
they keep it (the kernel's retention job); both registered in spec.py.

Most of what this module holds is about firms (a legal person's site, case, plan and evidence are
not personal data). Three kinds of row do name or belong to a natural person, so the module declares
a personal-data hook rather than none:
- an individual business (个体工商户, OrgKind.INDIVIDUAL_BUSINESS) is its owner: its sites and cases
  are the owner's data; the owner is found through their own account (User.resident) belonging to
  the firm (User.organisation);
- a plan's `responsible` names the person answerable for the remediation (a name, free text);
- every piece of evidence records the account that uploaded it.
A plan naming the person is listed only when it is their own firm's: a name alone cannot tell two
people apart, and a wrong match would hand one person's case to another."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import pgettext_lazy

from longcheng.kernel.access.models import User
from longcheng.kernel.orgs.models import OrgKind
from longcheng.kernel.registry import DataSection, RecordClass

from .campaigns import FINISHED
from .models import Case, Evidence, Plan

YEAR = 365
ANONYMISED = "—"



def _firms(person: Any) -> QuerySet[Any]:
    return User.objects.filter(resident=person, organisation__isnull=False).values("organisation")


def own_business_cases(person: Any) -> QuerySet[Case]:
    return Case.objects.filter(firm__in=_firms(person), firm__kind=OrgKind.INDIVIDUAL_BUSINESS)


def personal_data(person: Any) -> list[DataSection]:
    cases = [[c.pk, c.firm.name, c.site.address, c.site.parcel, c.campaign, c.get_status_display(),
              c.opened_at, c.closed_at]
             for c in own_business_cases(person).select_related("firm", "site").order_by("pk")]
    plans = [[p.case_id, p.case.firm.name, p.responsible, p.get_remedy_display(), p.created_at]
             for p in Plan.objects.filter(Q(case__in=own_business_cases(person)) | Q(
                 case__firm__in=_firms(person), responsible=person.name)).select_related("case__firm").order_by("pk")]
    uploads = [[e.case_id, e.case.firm.name, e.get_kind_display(), e.name, e.uploaded_at]
               for e in Evidence.objects.filter(uploaded_by__resident=person).select_related("case__firm")
               .order_by("pk")]
    return [
        DataSection(pgettext_lazy("remediation", "Cases of one's individual business"), [pgettext_lazy("remediation", "case"), pgettext_lazy("remediation", "firm"), pgettext_lazy("remediation", "address"),
                                                                pgettext_lazy("remediation", "land parcel"), pgettext_lazy("remediation", "campaign"), pgettext_lazy("remediation", "stage"),
                                                                pgettext_lazy("remediation", "opened at"), pgettext_lazy("remediation", "closed at")], cases),
        DataSection(pgettext_lazy("remediation", "Remediation plans"), [pgettext_lazy("remediation", "case"), pgettext_lazy("remediation", "firm"), pgettext_lazy("remediation", "responsible person"), pgettext_lazy("remediation", "remedy"),
                                              pgettext_lazy("remediation", "created at")], plans),
        DataSection(pgettext_lazy("remediation", "Evidence uploaded"), [pgettext_lazy("remediation", "case"), pgettext_lazy("remediation", "firm"), pgettext_lazy("remediation", "kind"), pgettext_lazy("remediation", "file name"),
                                              pgettext_lazy("remediation", "uploaded at")], uploads),
    ]


def _old_plans(cutoff: dt.datetime) -> QuerySet[Any]:
    return Plan.objects.filter(case__status__in=FINISHED, case__closed_at__lt=cutoff).exclude(
        responsible=ANONYMISED)


def _anonymise_plans(plans: QuerySet[Any]) -> int:
    # The plan stays (its figures make the campaign's totals); the person's name goes.
    return int(plans.update(responsible=ANONYMISED))


RETENTION = [
    # A case is an administrative enforcement file (行政执法案卷) of the bureau that closed it (销号) and
    # the ground of a rebound check (回头看); the campaign's totals are computed from it. Kept, like
    # onestop's licensing files (10 years by the archives rules), with no period of its own yet:
    # a placeholder in operations.md until the ecology bureau states its archive period.
    RecordClass("remediation.cases", pgettext_lazy("remediation", "Remediation cases"),
                pgettext_lazy("remediation", "A case is an administrative enforcement file: kept (archives rules; placeholder)."),
                of_person=own_business_cases),
    # The responsible person's name serves the remediation and its acceptance; 10 years after the case
    # closed (onestop's archives period, placeholder) the name goes and the plan's figures stay.
    RecordClass("remediation.plan_responsible", pgettext_lazy("remediation", "Responsible persons named in plans of closed cases"),
                pgettext_lazy("remediation", "The responsible person's name is anonymised 10 years after the case closed (placeholder)."),
                days=10 * YEAR, action="anonymise", expired=_old_plans, anonymise=_anonymise_plans),
]
