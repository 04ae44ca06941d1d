"""Queueing and reading notifications. queue_message() is called by actions inside their transaction;
delivery happens in a background job after commit, with retries and backoff (see jobs.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import path_of
from longcheng.kernel.errors import ErrorCode, KernelError, NotFound

from .channels import channel_spec
from .jobs import deliver_message
from .models import Channel, Message, Status


class OutsideTransaction(RuntimeError):
    """queue_message() must be part of the action's transaction, or a rolled-back change could
    still send its message."""


def queue_message(
    channel: str, *, subject: str, body: str, to_user: Any = None, to_resident: Any = None, address: str = "",
    related: models.Model | None = None, dedupe_key: str | None = None, place_path: str | None = None,
) -> Message:
    if not connection.in_atomic_block:
        raise OutsideTransaction("queue_message() must be called inside the action's transaction.atomic()")
    if channel not in Channel.values:
        raise KernelError(_("Unknown channel."), field="channel")
    spec = channel_spec(channel)
    if spec.NEEDS_USER and to_user is None:
        raise KernelError(_("An in-app message needs a user account to go to."), code=ErrorCode.REQUIRED,
                          field="to_user")
    if not spec.NEEDS_USER:
        if not address and to_resident is not None:
            address = to_resident.phone
        address = spec.validate_address(address)
    if not (subject or "").strip():
        raise KernelError(_("A message needs a subject."), code=ErrorCode.REQUIRED, field="subject")
    if dedupe_key:
        existing = Message.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    if place_path is None:
        # Scoped like what it is about: the related object's place, else the resident's.
        place_path = path_of(related) if related is not None else ""
        if not place_path and to_resident is not None:
            place_path = path_of(to_resident)
    message = Message.objects.create(
        channel=channel, recipient_user=to_user, recipient_resident=to_resident, address=address,
        subject=subject.strip()[:200], body=body, next_attempt_at=timezone.now(),
        related_type=ContentType.objects.get_for_model(related) if related is not None else None,
        related_id=str(related.pk) if related is not None else "", dedupe_key=dedupe_key or None,
        place_path=place_path,
        # In-app messages are delivered by being stored; the inbox reads them at once.
        **({"status": Status.SENT, "sent_at": timezone.now()} if channel == Channel.INAPP else {}),
    )
    if channel != Channel.INAPP:
        transaction.on_commit(lambda: deliver_message(message.pk))
    return message


def inbox(user: Any) -> models.QuerySet[Message]:
    return Message.objects.filter(recipient_user=user, channel=Channel.INAPP).order_by("-created_at", "-pk")


def unread_count(user: Any) -> int:
    return inbox(user).filter(read_at__isnull=True).count()


def do_mark_read(message_id: int, *, acting_user: User) -> Message:
    """Only the recipient can mark their own message read; anyone else gets not-found."""
    Message.objects.filter(pk=message_id, recipient_user=acting_user, channel=Channel.INAPP,
                           read_at__isnull=True).update(read_at=timezone.now())
    message = Message.objects.filter(pk=message_id, recipient_user=acting_user).first()
    if message is None:
        raise NotFound()
    return message


def delivery_status(obj: models.Model) -> models.QuerySet[Message]:
    """The messages sent about an object (an alarm, a case) with their status, for its page."""
    return Message.objects.filter(related_type=ContentType.objects.get_for_model(obj), related_id=str(obj.pk)
                                  ).order_by("created_at")
