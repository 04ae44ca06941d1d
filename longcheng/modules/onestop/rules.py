"""onestop's pure decisions (no I/O). Most of the service's rules are declarations (catalogue.py)
and checks that read the enterprise's standing (prechecks.py) or the calendar (clock.py); what needs
nothing but its arguments is here."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from longcheng.kernel.errors import ErrorCode, KernelError

from .models import TaskStatus

TEXT_LIMIT = 500
FINISHED_TASK = (TaskStatus.DONE, TaskStatus.REJECTED, TaskStatus.CLOSED)


def _text(value: Any, field: str, *, limit: int = TEXT_LIMIT) -> str:
    text = str(value or "").strip()
    if not text:
        raise KernelError(_("This field is required."), code=ErrorCode.REQUIRED, field=field)
    if len(text) > limit:
        raise KernelError(_("At most %(n)d characters.") % {"n": limit}, field=field)
    return text
