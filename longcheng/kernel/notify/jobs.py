"""Delivering queued messages: claim, send, record, retry with exponential backoff."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from longcheng.kernel.jobs.api import crontab, job, periodic_job

from .channels import Delivery, adapter_for
from .models import DeliveryAttempt, Message, Status

log = logging.getLogger("longcheng.notify")
MAX_BACKOFF = dt.timedelta(hours=1)
STUCK_AFTER = dt.timedelta(minutes=5)


def backoff(attempts: int) -> dt.timedelta:
    return min(dt.timedelta(seconds=settings.NOTIFY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def deliver(message_id: int) -> str:
    """One delivery attempt. Returns the message's new status (or 'skipped' if someone else has it)."""
    now = timezone.now()
    # Claim with a conditional update: of two workers given the same message, exactly one sends it.
    claimed = Message.objects.filter(pk=message_id, status=Status.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    ).update(status=Status.SENDING, claimed_at=now)
    if not claimed:
        return "skipped"
    message = Message.objects.get(pk=message_id)
    try:
        result = adapter_for(message.channel).send(message)
    except Exception as exc:
        log.exception("adapter crashed for message %s", message_id)
        result = Delivery(ok=False, detail=f"{type(exc).__name__}: {exc}"[:300])
    DeliveryAttempt.objects.create(message=message, ok=result.ok, detail=result.detail[:300],
                                   provider_ref=result.provider_ref[:100])
    attempts = message.attempts + 1
    if result.ok:
        Message.objects.filter(pk=message_id).update(status=Status.SENT, attempts=attempts, sent_at=timezone.now(),
                                                     last_error="")
        return Status.SENT
    if attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        Message.objects.filter(pk=message_id).update(status=Status.DEAD, attempts=attempts,
                                                     last_error=result.detail[:300])
        return Status.DEAD
    delay = backoff(attempts)
    Message.objects.filter(pk=message_id).update(status=Status.PENDING, attempts=attempts,
                                                 next_attempt_at=timezone.now() + delay,
                                                 last_error=result.detail[:300])
    deliver_message.schedule(args=(message_id,), delay=delay.total_seconds())
    return Status.PENDING


@job(retries=0)
def deliver_message(message_id: int) -> str:
    return deliver(message_id)


def sweep() -> int:
    """Deliver what is due: covers an enqueue lost in a crash, and frees messages stuck in 'sending'."""
    now = timezone.now()
    Message.objects.filter(status=Status.SENDING, claimed_at__lt=now - STUCK_AFTER).update(status=Status.PENDING)
    due = list(Message.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:500])
    for pk in due:
        deliver(pk)
    return len(due)


@periodic_job(crontab(minute="*"))
def sweep_outbox() -> int:
    return sweep()
