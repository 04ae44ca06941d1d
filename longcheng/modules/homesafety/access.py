"""Fetch and authorise in one call: what an actor may touch, through kernel.access.scope. An object
outside the actor's scope is the same NotFound as one that does not exist."""

from __future__ import annotations

from typing import Any

from longcheng.kernel.access.scope import access_object

from .models import Alarm

HANDLE = "homesafety.handle"


def alarm_to_handle(user: Any, alarm_id: int) -> Alarm:
    """An alarm the user may take a step on (homesafety.handle where the enrollee lives)."""
    return access_object(Alarm, user, alarm_id, HANDLE)
