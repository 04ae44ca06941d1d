"""What restoration by labour holds about a resident (the kernel's access report) and how long it
keeps each kind of record (the kernel's retention job); both registered in spec.py.

A resident appears here as the liable party of a case through their own account (Case.party_user,
whose User.resident is the person). A case's party is named only by `party_name` otherwise, which is
not enough to tell two people of the same name apart: such a case is not listed (a wrong match would
hand one person's case to another); the privacy officer finds it by the case number instead."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import pgettext_lazy

from longcheng.kernel.ledger.money import yuan
from longcheng.kernel.registry import DataSection, RecordClass

from .models import Case, Certificate, Obligation, Receipt, Shift

YEAR = 365



def cases_of(person: Any) -> QuerySet[Case]:
    return Case.objects.filter(party_user__resident=person)


def personal_data(person: Any) -> list[DataSection]:
    cases = list(cases_of(person).order_by("opened_on", "pk"))
    if not cases:
        return []
    rows = [[c.number, c.title, c.get_source_display(), c.source_organ, c.legal_basis, c.party_name,
             c.get_party_kind_display(), c.get_stage_display(), c.opened_on, c.decided_on] for c in cases]
    obligations = [[o.case.number, o.hours_owed, o.hours_credited, yuan(o.fen_per_hour), yuan(o.amount_offset_fen),
                    yuan(o.reverted_fen), o.consent, o.hardship_evidence, o.due_on, o.get_state_display()]
                   for o in Obligation.objects.filter(case__in=cases).select_related("case")]
    shifts = [[s.obligation.case.number, s.zone.name, s.starts_at, s.ends_at, s.get_state_display(),
               s.checked_in_at, s.checked_out_at, s.hours_credited, s.check_in_lat, s.check_in_lon,
               bool(s.check_in_photo), bool(s.check_out_photo)]
              for s in Shift.objects.filter(obligation__case__in=cases).select_related("obligation__case", "zone")]
    certificates = [[c.case.number, c.number, c.hours, yuan(c.amount_offset_fen), c.sent_to, c.issued_at]
                    for c in Certificate.objects.filter(case__in=cases).select_related("case")]
    receipts = [[r.case.number if r.case else "", r.get_kind_display(), yuan(r.amount_fen), r.payer, r.received_on,
                 _reversed(r)] for r in Receipt.objects.filter(case__in=cases).select_related("case", "reversal")]
    return [
        *_sections(rows, obligations, shifts, certificates),
        DataSection(pgettext_lazy("ecorestore", "Money received for the cases"), [
            pgettext_lazy("ecorestore", "case number"), pgettext_lazy("ecorestore", "kind"),
            pgettext_lazy("ecorestore", "amount"), pgettext_lazy("ecorestore", "paid by"),
            pgettext_lazy("ecorestore", "received on"), pgettext_lazy("ecorestore", "reversed (reason)")], receipts),
    ]


def _reversed(receipt: Receipt) -> str:
    reversal = getattr(receipt, "reversal", None)  # the reverse one-to-one: absent when not reversed
    return reversal.reason if reversal is not None else ""


def _sections(rows: list[Any], obligations: list[Any], shifts: list[Any], certificates: list[Any]) -> list[DataSection]:
    return [
        DataSection(pgettext_lazy("ecorestore", "Damage cases"), [pgettext_lazy("ecorestore", "case number"), pgettext_lazy("ecorestore", "title"), pgettext_lazy("ecorestore", "source"), pgettext_lazy("ecorestore", "organ"),
                                         pgettext_lazy("ecorestore", "legal basis"), pgettext_lazy("ecorestore", "party"), pgettext_lazy("ecorestore", "party kind"), pgettext_lazy("ecorestore", "stage"),
                                         pgettext_lazy("ecorestore", "opened on"), pgettext_lazy("ecorestore", "decided on")], rows),
        DataSection(pgettext_lazy("ecorestore", "Labour obligations"), [pgettext_lazy("ecorestore", "case number"), pgettext_lazy("ecorestore", "hours owed"), pgettext_lazy("ecorestore", "hours credited"),
                                               pgettext_lazy("ecorestore", "rate per hour"), pgettext_lazy("ecorestore", "amount offset"), pgettext_lazy("ecorestore", "reverted to money"),
                                               pgettext_lazy("ecorestore", "consent"), pgettext_lazy("ecorestore", "hardship evidence"), pgettext_lazy("ecorestore", "due on"), pgettext_lazy("ecorestore", "state")],
                    obligations),
        DataSection(pgettext_lazy("ecorestore", "Shifts"), [pgettext_lazy("ecorestore", "case number"), pgettext_lazy("ecorestore", "zone"), pgettext_lazy("ecorestore", "starts at"), pgettext_lazy("ecorestore", "ends at"), pgettext_lazy("ecorestore", "state"),
                                   pgettext_lazy("ecorestore", "checked in at"), pgettext_lazy("ecorestore", "checked out at"), pgettext_lazy("ecorestore", "hours credited"),
                                   pgettext_lazy("ecorestore", "check-in latitude"), pgettext_lazy("ecorestore", "check-in longitude"),
                                   pgettext_lazy("ecorestore", "photo at check-in"), pgettext_lazy("ecorestore", "photo at check-out")], shifts),
        DataSection(pgettext_lazy("ecorestore", "Certificates"), [pgettext_lazy("ecorestore", "case number"), pgettext_lazy("ecorestore", "certificate"), pgettext_lazy("ecorestore", "hours"), pgettext_lazy("ecorestore", "amount offset"),
                                         pgettext_lazy("ecorestore", "sent to"), pgettext_lazy("ecorestore", "issued at")], certificates),
    ]


def _old_check_ins(cutoff: dt.datetime) -> QuerySet[Any]:
    return Shift.objects.filter(ends_at__lt=cutoff, check_in_lat__isnull=False)


def _forget_check_ins(shifts: QuerySet[Any]) -> int:
    # The shift stays (the hours it credited are part of the certificate); where the phone stood goes.
    return int(shifts.update(check_in_lat=None, check_in_lon=None))


def _old_photos(cutoff: dt.datetime) -> QuerySet[Any]:
    return Shift.objects.filter(ends_at__lt=cutoff).exclude(check_in_photo="", check_out_photo="")


def _forget_photos(shifts: QuerySet[Any]) -> int:
    # The files go from the disk once the rows no longer name them; the shift and its hours stay.
    rows = list(shifts)
    files = [f for s in rows for f in (s.check_in_photo, s.check_out_photo) if f]
    with transaction.atomic():
        done = int(Shift.objects.filter(pk__in=[s.pk for s in rows]).update(check_in_photo="", check_out_photo=""))
        transaction.on_commit(lambda: [f.delete(save=False) for f in files])
    return done


RETENTION = [
    # The case is the record of how a judgement or a 磋商 agreement was performed (生态环境损害赔偿
    # 管理规定, 环法规〔2022〕31号): the certificate goes back to the court or procuratorate, which keeps
    # the file under its own archive rules. The platform keeps its copy; no period of its own yet
    # (placeholder in operations.md until the procuratorate states one).
    RecordClass("ecorestore.cases", pgettext_lazy("ecorestore", "Damage cases, obligations, shifts and certificates"),
                pgettext_lazy("ecorestore", "The record of how a judgement or agreement was performed: kept (the court's or "
                   "procuratorate's archive rules decide; placeholder)."),
                of_person=cases_of),
    # The check-in position proves the person was at the base; once the certificate could be
    # challenged no more (民法典 art. 188: 3 years), the time and the supervisor's signature suffice.
    RecordClass("ecorestore.check_in_positions", pgettext_lazy("ecorestore", "Check-in positions of shifts"),
                pgettext_lazy("ecorestore", "Where a shift was checked in is forgotten 3 years after the shift (placeholder)."),
                days=3 * YEAR, action="anonymise", expired=_old_check_ins, anonymise=_forget_check_ins),
    # The photos at check-in and check-out prove the same as the position, for the same time.
    RecordClass("ecorestore.shift_photos", pgettext_lazy("ecorestore", "Photos at check-in and check-out of shifts"),
                pgettext_lazy("ecorestore", "A shift's photos are deleted 3 years after the shift (placeholder)."),
                days=3 * YEAR, action="anonymise", expired=_old_photos, anonymise=_forget_photos),
]
