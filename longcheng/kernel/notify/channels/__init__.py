"""Notification channels behind one registry. Each channel module declares its typed configuration,
how it validates an address, and the adapters that can carry it. The default adapter, "local",
records the delivery in the database, so the demo and the tests run offline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import inapp, sms, voice, wechat


@dataclass(frozen=True)
class Delivery:
    ok: bool
    detail: str = ""
    provider_ref: str = ""


class Adapter(Protocol):
    def send(self, message: Any) -> Delivery: ...


class LocalAdapter:
    """Records the message as delivered, here. No network."""

    def send(self, message: Any) -> Delivery:
        return Delivery(ok=True, detail="recorded locally", provider_ref=f"local-{message.pk}")


class FailingAdapter:
    """Always fails: used by tests of retries and by operators to rehearse an outage."""

    def send(self, message: Any) -> Delivery:
        return Delivery(ok=False, detail="adapter 'failing' refuses every message")


ADAPTERS: dict[str, type[Adapter]] = {"local": LocalAdapter, "failing": FailingAdapter}


def adapter_for(channel: str) -> Adapter:
    name = settings.NOTIFY_ADAPTERS.get(channel, "local")
    try:
        return ADAPTERS[name]()
    except KeyError:
        raise ImproperlyConfigured(
            f"NOTIFY_{channel.upper()}_ADAPTER={name!r}: unknown adapter (known: {', '.join(sorted(ADAPTERS))})"
        ) from None


def channel_spec(channel: str) -> Any:
    return {"inapp": inapp, "sms": sms, "wechat": wechat, "voice": voice}[channel]
