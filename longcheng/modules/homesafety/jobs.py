"""Background work of the alarm centre: telling people, escalating, noticing silent devices."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel.jobs.api import crontab, job, periodic_job, schedule_on_commit
from longcheng.kernel.notify.api import queue_message
from longcheng.kernel.people.models import Relationship
from longcheng.kernel.registry import roles

from . import (
    alarms,  # a module, not its names: alarms.py imports this one (they call each other)
    rulebook,
)
from .conf import conf
from .devices import DEVICE_TYPES
from .models import Alarm, AlarmEvent, AlarmKind, AlarmStatus, DeviceState, SeqGap, Severity, home_device
from .rules import Verdict

log = logging.getLogger("longcheng.homesafety")
# The periodic sweep leaves a round this long to its own scheduled job before running it itself.
SWEEP_GRACE_SECONDS = 20


def _subject(alarm: Alarm) -> str:
    return _("%(kind)s: %(name)s") % {"kind": alarm.get_kind_display(), "name": alarm.enrollee.person.name}


def notify(alarm_id: int) -> int:
    """In-app to the duty operators in scope; for a critical alarm also SMS to every family
    contact and in-app to their family accounts. Idempotent (dedupe keys), so a retry sends nothing twice."""
    alarm = Alarm.objects.select_related("enrollee__person__place", "device").get(pk=alarm_id)
    person = alarm.enrollee.person
    body = _("%(kind)s at %(place)s, %(address)s, since %(time)s.") % {
        "kind": alarm.get_kind_display(), "place": person.place.name if person.place else "",
        "address": person.address, "time": timezone.localtime(alarm.raised_at).strftime("%H:%M:%S")}
    sent = 0
    with transaction.atomic():
        for user in alarms.escalation_targets(alarm, 0):
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


def escalate(alarm_id: int, due: dt.datetime | str, now: dt.datetime | None = None) -> bool:
    """One escalation round of one alarm, run by the job scheduled for its due time: nobody has
    acknowledged it, so it goes up to the next level of HOMESAFETY_ESCALATION_ROLES that has someone
    in scope (a level with nobody is skipped, and the timeline says so), and everyone told so far is
    reminded. The next round is scheduled at once, HOMESAFETY_REMIND_SECONDS later. Returns False
    when there was nothing to do (acknowledged meanwhile, or this round already run)."""
    due = dt.datetime.fromisoformat(due) if isinstance(due, str) else due
    now = now or timezone.now()
    alarm = (Alarm.objects.filter(pk=alarm_id, status=AlarmStatus.RAISED, is_open=True, next_escalation_at=due)
             .select_related("enrollee__person__place").first())
    if alarm is None:
        return False
    place = alarm.enrollee.person.place
    chain, _version = rulebook.chain_for(place.path if place else None)
    targets = {lvl: alarms.escalation_targets(alarm, lvl, chain) for lvl in range(len(chain))}
    level, skipped = _next_level(alarm.escalation_level, targets, len(chain))
    # The next level's delay while there is one above, then the reminder interval.
    remind = dt.timedelta(seconds=chain[level + 1].after_s if level + 1 < len(chain)
                          else conf("HOMESAFETY_REMIND_SECONDS"))
    # Counted from the due time, not from when this ran, so rounds do not drift later and later.
    next_at = due + remind if due + remind > now else now + remind
    with transaction.atomic():
        # Claim this round: of two runs (a retry, the safety sweep), one moves the alarm on.
        claimed = Alarm.objects.filter(pk=alarm.pk, status=AlarmStatus.RAISED, is_open=True,
                                       next_escalation_at=due).update(escalation_level=level, next_escalation_at=next_at)
        if not claimed:
            return False
        round_no = AlarmEvent.objects.filter(alarm=alarm, step__in=("escalated", "reminded")).count() + 1
        _write_round(alarm, now, chain, skipped, level)
        _remind(alarm, targets, level, round_no, chain)
        schedule_escalation(alarm.pk, next_at)
    return True


def _next_level(current: int, targets: dict[int, list[Any]], levels: int) -> tuple[int, list[int]]:
    """The level this round goes up to (the first above `current` with someone in scope) and the
    levels skipped on the way; with nobody above, the current level and nothing skipped."""
    skipped: list[int] = []
    for candidate in range(current + 1, levels):
        if targets[candidate]:
            return candidate, skipped
        skipped.append(candidate)
    return current, []


def _write_round(alarm: Alarm, now: dt.datetime, chain: list[rulebook.Level], skipped: list[int],
                 level: int) -> None:
    """The round on the alarm's timeline: the levels skipped, then escalated or reminded."""
    role_names = roles()
    for lvl in skipped:
        role = role_names.get(chain[lvl].role)
        AlarmEvent.objects.create(alarm=alarm, at=now, step="level_skipped", note=_(
            "Level %(level)d (%(role)s) has nobody in scope; skipped.") % {
                "level": lvl, "role": role.label if role else chain[lvl].role})
    if level > alarm.escalation_level:
        AlarmEvent.objects.create(alarm=alarm, at=now, step="escalated",
                                  note=_("Not acknowledged; escalated to level %(level)d.") % {"level": level})
    else:
        AlarmEvent.objects.create(alarm=alarm, at=now, step="reminded",
                                  note=_("Not acknowledged; reminded again at level %(level)d.") % {"level": level})


def _remind(alarm: Alarm, targets: dict[int, list[Any]], level: int, round_no: int,
            chain: list[rulebook.Level]) -> None:
    """Tell everyone up to `level` (alarm.escalation_level is still the level before this round), each
    on the channels of their level (someone holding two levels' roles: the lower level's)."""
    told: dict[int, tuple[Any, tuple[str, ...]]] = {}
    for lvl in range(level + 1):
        for u in targets[lvl]:
            told.setdefault(u.pk, (u, chain[lvl].channels))
    subject = _("Unacknowledged: %(subject)s") % {"subject": _subject(alarm)}
    body = _("Nobody has acknowledged this alarm yet.")
    newly_up = {u.pk for u in targets[level]} if level > alarm.escalation_level else set()
    for user, channels in told.values():
        if "inapp" in channels:
            queue_message("inapp", subject=subject, body=body, to_user=user, related=alarm,
                          dedupe_key=f"hs:{alarm.pk}:remind:{round_no}:{user.pk}")
        # A reminder reaches the phone too: an operator away from the screen still hears it.
        if user.phone and "sms" in channels:
            queue_message("sms", subject=subject, body=body, address=user.phone, related=alarm,
                          dedupe_key=f"hs:{alarm.pk}:remind-sms:{round_no}:{user.pk}")
            # A critical alarm rings the level it has reached, once per level.
            if alarm.severity == Severity.CRITICAL and user.pk in newly_up and "voice" in channels:
                queue_message("voice", subject=subject, body=body, address=user.phone, related=alarm,
                              dedupe_key=f"hs:{alarm.pk}:call:{level}:{user.pk}")


def schedule_escalation(alarm_id: int, due: dt.datetime) -> None:
    """Queue the alarm's next escalation round for its due time, once the transaction commits."""
    schedule_on_commit(escalate_alarm, alarm_id, due.isoformat(), eta=due)


@job(retries=3, retry_delay=2)
def escalate_alarm(alarm_id: int, due: str) -> bool:
    return escalate(alarm_id, due)


def escalate_due(now: dt.datetime | None = None, *, grace: float = 0) -> int:
    """Every alarm whose round is overdue by more than `grace` seconds: the safety net for a round
    whose scheduled job was lost (a flushed queue, alarms raised before an upgrade)."""
    now = now or timezone.now()
    due = Alarm.objects.filter(status=AlarmStatus.RAISED, is_open=True,
                               next_escalation_at__lte=now - dt.timedelta(seconds=grace))
    return sum(escalate(pk, at, now) for pk, at in due.values_list("pk", "next_escalation_at") if at is not None)


@periodic_job(crontab(minute="*"))
def escalate_due_alarms() -> int:
    # Rounds run on time from their scheduled jobs; this sweep only catches those that were lost.
    return escalate_due(grace=SWEEP_GRACE_SECONDS)


def mark_offline(now: dt.datetime | None = None) -> int:
    """A device with no message within twice its heartbeat interval is offline: raise the alarm
    once (it clears by itself when the device speaks again)."""
    now = now or timezone.now()
    raised = 0
    for code, kind in DEVICE_TYPES.items():
        limit = now - dt.timedelta(seconds=kind.heartbeat_seconds * conf("HOMESAFETY_OFFLINE_FACTOR"))
        silent = DeviceState.objects.filter(online=True, device__kind=code, device__active=True,
                                            device__homesafety__enrollee__isnull=False, last_received_at__lt=limit)
        for state in silent.select_related("device__homesafety__enrollee"):
            with transaction.atomic():
                if not DeviceState.objects.filter(pk=state.pk, online=True).update(online=False):
                    continue
                verdict = Verdict(AlarmKind.OFFLINE, True, Severity.WARNING,
                                  {"last_seen": state.last_received_at.isoformat() if state.last_received_at else None})
                enrollee = state.device.homesafety.enrollee
                assert enrollee is not None
                alarms.raise_alarm(enrollee, state.device, verdict, now)
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
    now = now or timezone.now()
    due_before = (now - dt.timedelta(seconds=conf("HOMESAFETY_GAP_GRACE_SECONDS"))).timestamp()
    raised = 0
    # Only the rows with a gap past its grace are locked: pending gaps are common (two workers
    # reorder a device's stream) and the ingester locks the same rows with every batch.
    waiting = [pk for pk, gaps in DeviceState.objects.exclude(pending_gaps=[]).values_list("pk", "pending_gaps")
               if any(g[2] <= due_before for g in gaps)]
    for pk in waiting:
        with transaction.atomic():
            # Locked as the ingester locks it, which rewrites the list with each batch.
            state = DeviceState.objects.select_for_update(of=("self",)).select_related("device__homesafety__enrollee").get(pk=pk)
            due = [g for g in state.pending_gaps if g[2] <= due_before]
            if not due:
                continue
            state.pending_gaps = [g for g in state.pending_gaps if g[2] > due_before]
            state.save(update_fields=["pending_gaps"])
            SeqGap.objects.bulk_create([SeqGap.from_pending(pk, g, warned_at=now) for g in due])
            device = state.device
            home = home_device(device)
            if home is None or home.enrollee is None:
                continue
            verdict = Verdict(AlarmKind.MESSAGES_MISSING, True, Severity.WARNING,
                              {"first": min(g[0] for g in due), "last": max(g[1] for g in due),
                               "missing": sum(g[1] - g[0] + 1 for g in due)})
            raised += int(alarms.raise_alarm(home.enrollee, device, verdict, now)[1])
    return raised


@periodic_job(crontab(minute="*"))
def warn_sequence_gaps() -> int:
    return warn_gaps()
