"""What accident quick handling holds about a resident (the kernel's access report) and how long it
keeps a report (the kernel's retention job); both registered in spec.py.

A resident appears here as a driver (Party): through their own citizen account (User.resident), or
by their driving licence number, which in China is the resident ID number (道路交通安全法实施条例;
公安部令第162号 机动车驾驶证申领和使用规定), so a report typed in by the other driver is found too."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import pgettext_lazy

from longcheng.kernel.ledger.money import yuan
from longcheng.kernel.registry import DataSection, RecordClass

from .models import Handoff, Outcome, Party, Photo, Report

YEAR = 365
# A report that reached its end: signed and handed to the insurers, or taken to the scene (the
# ordinary procedure continues off the platform).
FINISHED = (Report.Status.HANDED_OFF, Report.Status.SCENE)
# A report that never came to anything: the second driver never joined, or quick handling was refused.
ABANDONED = (Report.Status.PAIRING, Report.Status.REFUSED)



def parties_of(person: Any) -> QuerySet[Party]:
    found = Q(user__resident=person)
    if person.resident_id:
        found |= Q(licence_no=person.resident_id)
    return Party.objects.filter(found)


def personal_data(person: Any) -> list[DataSection]:
    parties = list(parties_of(person).select_related("report", "insurer").order_by("report__started_at", "pk"))
    if not parties:
        return []
    reports = [[p.report_id, p.side, p.report.get_status_display(), p.report.started_at, p.report.lat,
                p.report.lon, _liability(p), p.signed_at] for p in parties]
    drivers = [[p.report_id, p.name, p.phone, p.licence_no, p.licence_class, p.plate,
                p.insurer.name if p.insurer else "", p.policy_no, yuan(p.loss_fen), p.injured,
                ", ".join(p.circumstances)] for p in parties]
    photos = [[ph.report_id, ph.get_shot_display(), ph.taken_at, ph.lat, ph.lon, ph.sha256]
              for ph in Photo.objects.filter(party__in=parties).order_by("pk")]
    handoffs = [[h.report_id, h.insurer.name, h.claim_no, h.get_status_display(), h.sent_at]
                for h in Handoff.objects.filter(party__in=parties).select_related("insurer").order_by("pk")]
    return [
        DataSection(pgettext_lazy("accidents", "Accident reports"), [pgettext_lazy("accidents", "report"), pgettext_lazy("accidents", "side"), pgettext_lazy("accidents", "status"), pgettext_lazy("accidents", "started at"),
                                             pgettext_lazy("accidents", "latitude"), pgettext_lazy("accidents", "longitude"), pgettext_lazy("accidents", "liability"), pgettext_lazy("accidents", "signed at")],
                    reports),
        DataSection(pgettext_lazy("accidents", "Driver's details"), [pgettext_lazy("accidents", "report"), pgettext_lazy("accidents", "name"), pgettext_lazy("accidents", "phone"), pgettext_lazy("accidents", "licence number"),
                                             pgettext_lazy("accidents", "licence class"), pgettext_lazy("accidents", "plate"), pgettext_lazy("accidents", "insurer"), pgettext_lazy("accidents", "policy number"),
                                             pgettext_lazy("accidents", "loss"), pgettext_lazy("accidents", "injured"), pgettext_lazy("accidents", "circumstances ticked")], drivers),
        DataSection(pgettext_lazy("accidents", "Photos"), [pgettext_lazy("accidents", "report"), pgettext_lazy("accidents", "shot"), pgettext_lazy("accidents", "taken at"), pgettext_lazy("accidents", "latitude"), pgettext_lazy("accidents", "longitude"),
                                   pgettext_lazy("accidents", "SHA-256")], photos),
        DataSection(pgettext_lazy("accidents", "Insurer hand-offs"), [pgettext_lazy("accidents", "report"), pgettext_lazy("accidents", "insurer"), pgettext_lazy("accidents", "claim number"), pgettext_lazy("accidents", "status"),
                                              pgettext_lazy("accidents", "sent at")], handoffs),
    ]


def _liability(party: Party) -> str:
    value = party.report.liability_a if party.side == "A" else party.report.liability_b
    return str(Outcome(value).label) if value else ""


def _finished(cutoff: dt.datetime) -> QuerySet[Any]:
    return Report.objects.filter(status__in=FINISHED, started_at__lt=cutoff)


def _abandoned(cutoff: dt.datetime) -> QuerySet[Any]:
    return Report.objects.filter(status__in=ABANDONED, started_at__lt=cutoff)


def purge_reports(reports: QuerySet[Any]) -> int:
    """Delete reports with everything under them, the photo files on disk included (a row's delete
    leaves its file behind). Hand-offs go first: they protect the party they were sent for."""
    with transaction.atomic():
        pks = list(reports.values_list("pk", flat=True))
        photos = list(Photo.objects.filter(report__in=pks))
        Handoff.objects.filter(report__in=pks).delete()
        Report.objects.filter(pk__in=pks).delete()
        # Files after the rows: if the transaction failed, no row would point at a missing file.
        transaction.on_commit(lambda: [p.file.delete(save=False) for p in photos if p.file])
    return len(pks)


RETENTION = [
    # The signed agreement (协议书) is the evidence of an insurance claim (保险法 art. 26: 2 years) and
    # of a civil claim (民法典 art. 188: 3 years from the accident); 道路交通事故处理程序规定 (公安部令
    # 第146号) has the traffic police archive accident files. 5 years covers both limitation periods
    # with margin: a placeholder until the traffic police confirm their archive period (operations.md).
    RecordClass("accidents.reports", pgettext_lazy("accidents", "Accident reports handled to the end"),
                pgettext_lazy("accidents", "A signed or scene-handled accident report, with its parties, photos and hand-offs, is "
                   "deleted 5 years after the accident (limitation periods: 民法典 art. 188, 保险法 art. 26; "
                   "placeholder until the traffic police archive period is confirmed)."),
                days=5 * YEAR, expired=_finished, purge=purge_reports,
                of_person=lambda person: Report.objects.filter(
                    status__in=FINISHED, pk__in=parties_of(person).values("report"))),
    # A report the second driver never joined, or one refused quick handling (the drivers were sent to
    # 110/122), proves nothing anyone relies on after a year. Reports waiting for an officer or a
    # signature are never touched: someone still has to act on them.
    RecordClass("accidents.abandoned", pgettext_lazy("accidents", "Accident reports that came to nothing"),
                pgettext_lazy("accidents", "A report never paired or refused quick handling is deleted 1 year after it was started "
                   "(placeholder)."),
                days=YEAR, expired=_abandoned, purge=purge_reports, erasable=True,
                of_person=lambda person: Report.objects.filter(
                    status__in=ABANDONED, pk__in=parties_of(person).values("report"))),
]
