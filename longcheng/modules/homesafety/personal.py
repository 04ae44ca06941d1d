"""What the home-safety service holds about a resident (the kernel's access report) and how long it
keeps each kind of record (the kernel's retention job); both registered in spec.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Max, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from longcheng.kernel.registry import DataSection, RecordClass

from .models import Alarm, AlarmEvent, DeadLetter, Device, Enrollee, Reading, SeqGap

ANONYMISED = "—"
YEAR = 365


def personal_data(person: Any) -> list[DataSection]:
    enrollee = Enrollee.objects.filter(person=person).first()
    if enrollee is None:
        return []
    profile: list[list[Any]] = [[_("lives alone"), enrollee.lives_alone], [_("health conditions"), enrollee.conditions],
               [_("risk"), enrollee.get_risk_display()], [_("home latitude"), enrollee.home_lat],
               [_("home longitude"), enrollee.home_lon], [_("safe zone"), enrollee.safe_zone or ""],
               [_("quiet hours from"), enrollee.quiet_start], [_("quiet hours to"), enrollee.quiet_end],
               [_("enrolled at"), enrollee.enrolled_at]]
    devices = [[d.serial, d.kind, d.installed_at, d.active, d.n or 0, d.last]
               for d in Device.objects.filter(enrollee=enrollee).annotate(n=Count("readings"),
                                                                          last=Max("readings__received_at"))]
    alarms = [[a.get_kind_display(), a.raised_at, a.get_status_display(), a.get_outcome_display(), a.notes]
              for a in Alarm.objects.filter(enrollee=enrollee).order_by("-raised_at")[:500]]
    return [
        DataSection(_("Home-safety enrolment"), [_("field"), _("value")], profile),
        DataSection(_("Devices and their readings"), [_("serial or IMEI"), _("device type"), _("installed at"),
                                                      _("active"), _("readings kept"), _("last reading")], devices),
        DataSection(_("Alarms"), [_("kind"), _("raised at"), _("status"), pgettext_lazy("alarm", "outcome"), _("notes")], alarms),
    ]


def _closed_alarms(cutoff: dt.datetime) -> QuerySet[Any]:
    return Alarm.objects.filter(is_open=False, resolved_at__lt=cutoff).exclude(notes=ANONYMISED)


def _anonymise_alarms(alarms: QuerySet[Any]) -> int:
    # The alarm stays (the service's figures count it); what was written about the person goes.
    AlarmEvent.objects.filter(alarm__in=alarms).update(note="")
    return int(alarms.update(notes=ANONYMISED, detail={}, dispatch_phone=""))


RETENTION = [
    RecordClass("homesafety.enrolment", _("Home-safety enrolments"),
                _("Kept while the person is enrolled: the devices and alarms depend on it."),
                of_person=lambda person: Enrollee.objects.filter(person=person)),
    RecordClass("homesafety.readings", _("Device readings"), _("Readings are kept 180 days."), days=180,
                expired=lambda cutoff: Reading.objects.filter(received_at__lt=cutoff),
                of_person=lambda person: Reading.objects.filter(device__homesafety__enrollee__person=person), erasable=True),
    RecordClass("homesafety.dead_letters", _("Rejected device messages"),
                _("Rejected messages are kept 90 days for diagnosis."), days=90,
                expired=lambda cutoff: DeadLetter.objects.filter(received_at__lt=cutoff)),
    RecordClass("homesafety.gaps", _("Sequence gaps"), _("Gaps in a device's messages are kept 180 days."),
                days=180, expired=lambda cutoff: SeqGap.objects.filter(detected_at__lt=cutoff)),
    RecordClass("homesafety.closed_alarms", _("Closed alarms"),
                _("A closed alarm's notes are anonymised 3 years after it was resolved (the alarm is counted "
                  "in the figures)."), days=3 * YEAR, action="anonymise", expired=_closed_alarms,
                anonymise=_anonymise_alarms),
]
