"""The outbox: sent only after commit, retried with backoff, claimed once, read only by its recipient."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from longcheng.kernel.errors import KernelError, NotFound
from longcheng.kernel.notify import api as notify
from longcheng.kernel.notify import jobs
from longcheng.kernel.notify.models import DeliveryAttempt, Message


def test_an_sms_is_delivered_only_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        message = notify.queue_message("sms", subject="告警", body="烟感报警", address="13800138000")
    assert message.status == "pending" and not DeliveryAttempt.objects.exists()
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 1
    assert DeliveryAttempt.objects.get(message=message).provider_ref == f"local-{message.pk}"


def test_a_rolled_back_action_sends_nothing(db, django_capture_on_commit_callbacks):
    class Boom(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom), transaction.atomic():
        notify.queue_message("sms", subject="告警", body="x", address="13800138000")
        raise Boom
    assert callbacks == [] and not Message.objects.exists()


def test_queueing_outside_a_transaction_is_a_programming_error(transactional_db):
    with pytest.raises(notify.OutsideTransaction):
        notify.queue_message("sms", subject="x", body="x", address="13800138000")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"channel": "fax"}, "channel"), ({"address": "12345"}, "address"), ({"subject": " "}, "subject"),
     ({"channel": "inapp"}, "to_user"), ({"channel": "wechat", "address": "bad id!"}, "address")],
)
def test_bad_input_names_the_field_and_writes_nothing(db, kwargs, field):
    args = {"channel": "sms", "subject": "告警", "body": "x", "address": "13800138000", **kwargs}
    with pytest.raises(KernelError) as info, transaction.atomic():
        notify.queue_message(args.pop("channel"), **args)
    assert info.value.field == field
    assert not Message.objects.exists()


@override_settings(NOTIFY_ADAPTERS={"sms": "failing"}, NOTIFY_MAX_ATTEMPTS=3, NOTIFY_BACKOFF_SECONDS=30)
def test_failures_retry_with_growing_backoff_then_give_up(db, django_capture_on_commit_callbacks):
    with transaction.atomic():
        message = notify.queue_message("sms", subject="告警", body="x", address="13800138000")
    waits = []
    for _ in range(3):
        Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        before = timezone.now()
        jobs.deliver(message.pk)
        message.refresh_from_db()
        if message.status == "pending":
            assert message.next_attempt_at is not None
            waits.append(round((message.next_attempt_at - before).total_seconds()))
    assert waits == [30, 60]
    assert message.status == "dead" and message.attempts == 3
    assert DeliveryAttempt.objects.filter(message=message, ok=False).count() == 3
    assert "failing" in message.last_error


def test_a_message_not_yet_due_or_already_claimed_is_not_sent_twice(db, django_capture_on_commit_callbacks):
    with transaction.atomic():
        message = notify.queue_message("sms", subject="告警", body="x", address="13800138000")
    assert jobs.deliver(message.pk) == "sent"
    assert jobs.deliver(message.pk) == "skipped"
    assert DeliveryAttempt.objects.filter(message=message).count() == 1


def test_the_sweep_delivers_lost_and_stuck_messages(db):
    with transaction.atomic():
        lost = notify.queue_message("sms", subject="a", body="x", address="13800138000")
        stuck = notify.queue_message("sms", subject="b", body="x", address="13800138001")
    Message.objects.filter(pk=stuck.pk).update(status="sending", claimed_at=timezone.now() - dt.timedelta(minutes=10))
    assert jobs.sweep() == 2
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}
    assert lost.pk


def test_dedupe_key_queues_once(db):
    with transaction.atomic():
        first = notify.queue_message("sms", subject="a", body="x", address="13800138000", dedupe_key="alarm-1")
        again = notify.queue_message("sms", subject="a", body="x", address="13800138000", dedupe_key="alarm-1")
    assert first.pk == again.pk and Message.objects.count() == 1


def test_inbox_and_mark_read_belong_to_the_recipient(db, worker_a, worker_b):
    with transaction.atomic():
        message = notify.queue_message("inapp", to_user=worker_a, subject="派单", body="请上门查看")
    assert list(notify.inbox(worker_a)) == [message] and notify.unread_count(worker_a) == 1
    assert list(notify.inbox(worker_b)) == []
    with pytest.raises(NotFound):
        notify.do_mark_read(message.pk, acting_user=worker_b)
    message.refresh_from_db()
    assert message.read_at is None
    notify.do_mark_read(message.pk, acting_user=worker_a)
    assert notify.unread_count(worker_a) == 0


def test_delivery_status_per_object(db, worker_a):
    with transaction.atomic():
        notify.queue_message("inapp", to_user=worker_a, subject="a", body="x", related=worker_a)
    assert [m.subject for m in notify.delivery_status(worker_a)] == ["a"]
