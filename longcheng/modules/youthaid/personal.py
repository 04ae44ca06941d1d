"""What youth aid holds about a resident (the kernel's access report) and how long it keeps each kind
of record (the kernel's retention job); both registered in spec.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from longcheng.kernel.ledger.money import yuan
from longcheng.kernel.registry import DataSection, RecordClass

from .models import Application, CaseStatus, Payment, Report, Visit, Youth

ANONYMISED = "—"
YEAR = 365


def _case(youth: Youth) -> DataSection:
    rows: list[list[Any]] = [[_("status"), youth.get_status_display()], [_("risk level"), youth.get_risk_display()],
            [_("parent who died"), youth.deceased_parent.name if youth.deceased_parent else ""],
            [_("surviving parent"), youth.surviving_parent.name if youth.surviving_parent else ""],
            [_("guardian"), youth.guardian.name if youth.guardian else ""],
            [_("school"), youth.school], [_("grade"), youth.grade], [_("household size"), youth.household_size],
            [_("household income per month"), yuan(youth.monthly_income_fen) if youth.monthly_income_fen else ""],
            [_("needs"), youth.needs], [_("serious illness"), youth.serious_illness],
            [_("health"), youth.health_note], [_("bank"), youth.bank_name], [_("bank account"), youth.bank_account],
            [_("last visit"), youth.last_visit_on], [_("next visit due"), youth.next_visit_due]]
    return DataSection(_("Youth aid case"), [_("field"), _("value")], rows)


def personal_data(person: Any) -> list[DataSection]:
    sections = []
    youth = Youth.objects.filter(person=person).select_related(
        "deceased_parent", "surviving_parent", "guardian").first()
    if youth is not None:
        reports = [[r.get_channel_display(), r.created_at, r.note] for r in Report.objects.filter(youth=youth)]
        visits = [[v.visited_on, v.situation, v.needs, v.get_risk_display()] for v in Visit.objects.filter(youth=youth)]
        apps = [[a.aid_type.name, a.year, yuan(a.requested_fen), a.get_status_display(), a.reason]
                for a in Application.objects.filter(youth=youth).select_related("aid_type")]
        pays = [[p.aid_type.name, yuan(p.amount_fen), p.get_status_display(), p.bank_account, p.created_at]
                for p in Payment.objects.filter(youth=youth).select_related("aid_type")]
        sections += [_case(youth),
                     DataSection(_("Reports"), [_("channel"), _("reported at"), _("what the reporter saw")], reports),
                     DataSection(_("Visits"), [_("visited on"), _("situation"), _("needs"), _("risk level")], visits),
                     DataSection(_("Applications"), [_("aid type"), _("year"), _("amount asked"), _("status"),
                                                     _("reason")], apps),
                     DataSection(_("Payments"), [_("aid type"), _("amount"), _("status"), _("bank account"),
                                                 _("created")], pays)]
    named = [[str(y.person.name), _("parent who died") if y.deceased_parent_id == person.pk
              else _("surviving parent") if y.surviving_parent_id == person.pk else _("guardian")]
             for y in _named_in(person).select_related("person")]
    if named:
        sections.append(DataSection(_("Named in a youth's case"), [_("youth"), _("as")], named))
    return sections


def _named_in(person: Any) -> QuerySet[Youth]:
    return Youth.objects.filter(Q(deceased_parent=person) | Q(surviving_parent=person) | Q(guardian=person))


def _closed_case_visits(cutoff: dt.datetime) -> QuerySet[Any]:
    return Visit.objects.filter(youth__status=CaseStatus.CLOSED, youth__updated_at__lt=cutoff).exclude(
        situation=ANONYMISED)


def _anonymise_visits(visits: QuerySet[Any]) -> int:
    return int(visits.update(situation=ANONYMISED, needs=""))


RETENTION = [
    RecordClass("youthaid.cases", _("Youth aid cases"),
                _("A youth's case file is kept until 5 years after the case closes (civil affairs archives)."),
                of_person=lambda person: Youth.objects.filter(Q(person=person) | Q(pk__in=_named_in(person)))),
    RecordClass("youthaid.payments", _("Aid payments"),
                _("Payments are ledger postings: accounting records are kept 30 years and never removed."),
                of_person=lambda person: Payment.objects.filter(youth__person=person)),
    RecordClass("youthaid.closed_visits", _("Visit notes of closed cases"),
                _("Visit notes are anonymised 5 years after the case closed."), days=5 * YEAR,
                action="anonymise", expired=_closed_case_visits, anonymise=_anonymise_visits),
]
