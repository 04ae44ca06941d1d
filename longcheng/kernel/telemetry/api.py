"""The kernel's telemetry over HTTP: `POST /api/v1/telemetry/ingest`, a gateway's batch for the
devices of any module. A module's older route (home safety's `/api/v1/homesafety/telemetry`) is the
same path under another name."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from longcheng.kernel.access.scope import has_perm
from longcheng.kernel.errors import PermissionDenied

from .batch import ingest
from .envelope import Incoming
from .plug import ingest_permissions

router = Router(tags=["telemetry"])

MAX_BATCH = 1000


class TelemetryIn(Schema):
    messages: list[dict[str, Any]] = Field(..., min_length=1, max_length=MAX_BATCH,
                                           description="Device messages, each {device, seq, ts, metrics, event}")


class TelemetryOut(Schema):
    stored: int
    duplicates: int
    rejected: int
    raised: int
    cleared: int
    reasons: dict[str, int]
    errors: list[dict[str, Any]]


def ingest_http(request: HttpRequest, payload: TelemetryIn) -> dict[str, Any]:
    """A gateway account's batch: stored, each rejected message listed with its index and reason."""
    if not any(has_perm(request.user, permission) for permission in ingest_permissions()):
        # The kernel's refusal: a JSON 403 like every API refusal (Django's would be an HTML page).
        raise PermissionDenied(_("This account may not send telemetry."))
    received = dt.datetime.now(dt.UTC)
    return ingest([Incoming(payload=m, received_at=received) for m in payload.messages], source="http",
                  gateway=request.user).as_dict()


@router.post("/ingest", response=TelemetryOut)
def post_ingest(request: HttpRequest, payload: TelemetryIn) -> Any:
    """A gateway's batch (up to 1,000 messages) for the devices of any module. The same validation
    and ingest path as MQTT; each rejected message is listed with its index and reason, the others
    are stored. The account needs a module's ingest permission (home safety: `homesafety.ingest`)
    where the device is bound; a device outside that scope is refused (`device_out_of_scope`)."""
    return ingest_http(request, payload)
