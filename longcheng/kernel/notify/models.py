"""The outbox: a message is a row first and a delivery second, so nothing is sent for a change that
rolled back, and every attempt is on record."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from longcheng.kernel.access.scope import path_or_placeless_q


class Channel(models.TextChoices):
    INAPP = "inapp", _("In-app")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat template message")
    VOICE = "voice", _("Voice call")


class Status(models.TextChoices):
    PENDING = "pending", pgettext_lazy("message status", "Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Delivered")
    DEAD = "dead", _("Failed for good")


class Message(models.Model):
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                                       related_name="messages", verbose_name=_("user"))
    recipient_resident = models.ForeignKey("people.Resident", on_delete=models.CASCADE, null=True, blank=True,
                                           related_name="messages", verbose_name=_("resident"))
    address = models.CharField(_("address"), max_length=100, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    related_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    related_id = models.CharField(max_length=64, blank=True)
    dedupe_key = models.CharField(max_length=150, unique=True, null=True, blank=True)
    # The place path of what the message is about (its related object, else its resident), so the
    # notification log is scoped like everything else; empty: seen by city-wide roles only.
    place_path = models.CharField(max_length=255, blank=True, default="", db_default="", db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            # The sweep looks only at pending rows; a partial index keeps it fast as sent rows pile up.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="notify_pending_due"),
            models.Index(fields=["recipient_user", "-created_at"]),
            models.Index(fields=["related_type", "related_id"]),
        ]

    def __str__(self) -> str:
        return self.subject

    @staticmethod
    def scope_filter(paths: tuple[str, ...]) -> Q:
        return path_or_placeless_q("place_path", paths)


class DeliveryAttempt(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempts_log")
    at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField()
    detail = models.CharField(max_length=300, blank=True)
    provider_ref = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.message_id} {'ok' if self.ok else 'failed'} {self.at:%Y-%m-%d %H:%M}"
