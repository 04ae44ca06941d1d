"""Background work of the alarm centre: telling people, escalating, noticing silent devices."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel.jobs.api import crontab, job, periodic_job

from .conf import conf
from .models import Alarm, AlarmEvent, AlarmStatus, DeviceState, Severity

log = logging.getLogger("longcheng.homesafety")


def _subject(alarm: Alarm) -> str:
    return _("%(kind)s: %(name)s") % {"kind": alarm.get_kind_display(), "name": alarm.enrollee.person.name}


def notify(alarm_id: int) -> int:
    """In-app to the duty operators in scope; for a critical alarm also SMS to every family
    contact and in-app to their family accounts. Idempotent (dedupe keys), so a retry sends nothing twice."""
    from longcheng.kernel.notify.api import queue_message
    from longcheng.kernel.people.models import Relationship

    from .alarms import escalation_targets

    alarm = Alarm.objects.select_related("enrollee__person__place", "device").get(pk=alarm_id)
    person = alarm.enrollee.person
    body = _("%(kind)s at %(place)s, %(address)s, since %(time)s.") % {
        "kind": alarm.get_kind_display(), "place": person.place.name if person.place else "",
        "address": person.address, "time": timezone.localtime(alarm.raised_at).strftime("%H:%M:%S")}
    sent = 0
    with transaction.atomic():
        for user in escalation_targets(alarm, 0):
            queue_message("inapp", subject=_subject(alarm), body=body, to_user=user, related=alarm,
                          dedupe_key=f"hs:{alarm.pk}:op:{user.pk}")
            sent += 1
        if alarm.severity == Severity.CRITICAL:
            contacts = (Relationship.objects.filter(person=person, is_family_contact=True)
                        .select_related("relative").order_by("contact_order"))
            for link in contacts:
                relative = link.relative
                if relative.phone:
                    queue_message("sms", subject=_subject(alarm), body=body, to_resident=relative, related=alarm,
                                  dedupe_key=f"hs:{alarm.pk}:sms:{relative.pk}")
                    sent += 1
                # The relative's own login (a family account is tied to the resident it belongs to).
                account = getattr(relative, "account", None)
                if account is not None and account.is_active:
                    queue_message("inapp", subject=_subject(alarm), body=body, to_user=account, related=alarm,
                                  dedupe_key=f"hs:{alarm.pk}:family:{account.pk}")
                    sent += 1
    return sent


@job(retries=3, retry_delay=5)
def notify_alarm(alarm_id: int) -> int:
    return notify(alarm_id)


def escalate_due(now: dt.datetime | None = None) -> int:
    """Alarms nobody acknowledged in time go one level up (duty operator → community head → street
    office), and everyone already told is reminded, again and again until someone acknowledges."""
    from longcheng.kernel.notify.api import queue_message

    from .alarms import escalation_targets

    now = now or timezone.now()
    done = 0
    for alarm in Alarm.objects.filter(status=AlarmStatus.RAISED, is_open=True, next_escalation_at__lte=now).select_related(
            "enrollee__person__place"):
        chain = conf("HOMESAFETY_ESCALATION_ROLES")
        level = min(alarm.escalation_level + 1, len(chain) - 1)
        with transaction.atomic():
            # Claim this escalation step: of two workers, one moves the alarm on.
            claimed = Alarm.objects.filter(pk=alarm.pk, status=AlarmStatus.RAISED,
                                           next_escalation_at=alarm.next_escalation_at).update(
                escalation_level=level, next_escalation_at=now + dt.timedelta(seconds=conf("HOMESAFETY_REMIND_SECONDS")))
            if not claimed:
                continue
            round_no = AlarmEvent.objects.filter(alarm=alarm, step="escalated").count() + 1
            AlarmEvent.objects.create(alarm=alarm, at=now, step="escalated",
                                      note=_("Not acknowledged; escalated to level %(level)d.") % {"level": level})
            told = {u.pk: u for lvl in range(level + 1) for u in escalation_targets(alarm, lvl)}
            subject = _("Unacknowledged: %(subject)s") % {"subject": _subject(alarm)}
            body = _("Nobody has acknowledged this alarm yet.")
            newly_up = {u.pk for u in escalation_targets(alarm, level)}
            for user in told.values():
                # A reminder reaches the phone too: an operator away from the screen still hears it.
                queue_message("inapp", subject=subject, body=body, to_user=user, related=alarm,
                              dedupe_key=f"hs:{alarm.pk}:remind:{round_no}:{user.pk}")
                if user.phone:
                    queue_message("sms", subject=subject, body=body, address=user.phone, related=alarm,
                                  dedupe_key=f"hs:{alarm.pk}:remind-sms:{round_no}:{user.pk}")
                    # A critical alarm rings the level it has reached, once per level.
                    if alarm.severity == Severity.CRITICAL and user.pk in newly_up:
                        queue_message("voice", subject=subject, body=body, address=user.phone, related=alarm,
                                      dedupe_key=f"hs:{alarm.pk}:call:{level}:{user.pk}")
            done += 1
    return done


@periodic_job(crontab(minute="*"))
def escalate_due_alarms() -> int:
    return escalate_due()


def mark_offline(now: dt.datetime | None = None) -> int:
    """A device with no message within twice its heartbeat interval is offline: raise the alarm
    once (it clears by itself when the device speaks again)."""
    from .alarms import raise_alarm
    from .devices import DEVICE_TYPES
    from .models import AlarmKind
    from .rules import Verdict

    now = now or timezone.now()
    raised = 0
    for code, kind in DEVICE_TYPES.items():
        limit = now - dt.timedelta(seconds=kind.heartbeat_seconds * conf("HOMESAFETY_OFFLINE_FACTOR"))
        silent = DeviceState.objects.filter(online=True, device__kind=code, device__active=True,
                                            device__enrollee__isnull=False, last_received_at__lt=limit)
        for state in silent.select_related("device__enrollee"):
            with transaction.atomic():
                if not DeviceState.objects.filter(pk=state.pk, online=True).update(online=False):
                    continue
                verdict = Verdict(AlarmKind.OFFLINE, True, Severity.WARNING,
                                  {"last_seen": state.last_received_at.isoformat() if state.last_received_at else None})
                assert state.device.enrollee is not None
                raise_alarm(state.device.enrollee, state.device, verdict, now)
                raised += 1
    return raised


@periodic_job(crontab(minute="*"))
def mark_offline_devices() -> int:
    return mark_offline()


def warn_gaps(now: dt.datetime | None = None) -> int:
    """Gaps still missing messages a grace period after they were seen are recorded (SeqGap) and
    become one "messages missing" warning per device: the platform cannot know what a missing
    message was, so any of them may have been an SOS. A gap filled within the grace was a
    reordering (events overtake readings in the inbox; two workers share a device's stream) and
    warns nobody."""
    from .alarms import raise_alarm
    from .models import AlarmKind, SeqGap
    from .rules import Verdict

    now = now or timezone.now()
    due_before = (now - dt.timedelta(seconds=conf("HOMESAFETY_GAP_GRACE_SECONDS"))).timestamp()
    raised = 0
    waiting = DeviceState.objects.exclude(pending_gaps=[]).values_list("pk", flat=True)
    for pk in list(waiting):
        with transaction.atomic():
            # Locked as the ingester locks it, which rewrites the list with each batch.
            state = DeviceState.objects.select_for_update(of=("self",)).select_related("device__enrollee").get(pk=pk)
            due = [g for g in state.pending_gaps if g[2] <= due_before]
            if not due:
                continue
            state.pending_gaps = [g for g in state.pending_gaps if g[2] > due_before]
            state.save(update_fields=["pending_gaps"])
            SeqGap.objects.bulk_create([
                SeqGap(device_id=pk, first_seq=first, last_seq=last, count=last - first + 1, missing=last - first + 1,
                       detected_at=dt.datetime.fromtimestamp(seen, tz=dt.UTC), warned_at=now)
                for first, last, seen in due])
            device = state.device
            if device.enrollee is None:
                continue
            verdict = Verdict(AlarmKind.MESSAGES_MISSING, True, Severity.WARNING,
                              {"first": min(g[0] for g in due), "last": max(g[1] for g in due),
                               "missing": sum(g[1] - g[0] + 1 for g in due)})
            raised += int(raise_alarm(device.enrollee, device, verdict, now)[1])
    return raised


@periodic_job(crontab(minute="*"))
def warn_sequence_gaps() -> int:
    return warn_gaps()
