"""Two-way guidance: threads on a stage (and an artefact) between the firm, the park and the technical
team, answered and closed; the experts' visits. The other side is told in the app."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import Conflict, KernelError, NotFound
from longcheng.kernel.notify.api import queue_message

from .. import access
from ..errors import ErrorCode
from ..models import Artefact, AuditRound, Message, Thread, Visit
from ..stages import STAGE_BY_CODE

BODY_LIMIT = 4000


def _body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise KernelError(pgettext("cleanaudit", "Write the question or the advice."), code=ErrorCode.EMPTY_MESSAGE,
                          field="body")
    if len(text) > BODY_LIMIT:
        raise KernelError(pgettext("cleanaudit", "At most 4,000 characters."), code=ErrorCode.EMPTY_MESSAGE,
                          field="body")
    return text


def _tell_other_side(thread: Thread, audit: AuditRound, author: User, side: str) -> None:
    """Everyone else who has written in the thread, and whoever opened it, hears of a new message."""
    others = {m.author for m in thread.messages.select_related("author") if m.author_id != author.pk}
    if thread.opened_by_id != author.pk:
        others.add(thread.opened_by)
    subject = pgettext("cleanaudit", "Cleaner-production guidance: %(subject)s") % {"subject": thread.subject}
    for user in sorted(others, key=lambda u: u.pk):
        queue_message("inapp", subject=subject, body=f"{audit.firm.name}: {thread.subject}", to_user=user,
                      related=audit)


def do_open_thread(round_id: int, *, stage: str, subject: str, body: str, artefact_id: int | None = None,
                   acting_user: User) -> Thread:
    if stage not in STAGE_BY_CODE:
        raise KernelError(pgettext("cleanaudit", "Choose one of the seven stages."), code="invalid", field="stage")
    if not subject.strip() or len(subject.strip()) > 200:
        raise KernelError(pgettext("cleanaudit", "A subject of at most 200 characters is required."), code="required",
                          field="subject")
    text = _body(body)
    with transaction.atomic():
        audit, side = access.lock_round(acting_user, round_id)
        artefact = None
        if artefact_id is not None:
            artefact = Artefact.objects.filter(pk=artefact_id, round=audit).first()
            if artefact is None:
                raise NotFound(field="artefact")
        now = timezone.now()
        thread = Thread.objects.create(round=audit, stage=stage, artefact=artefact, subject=subject.strip(),
                                       opened_by=acting_user, opened_at=now)
        Message.objects.create(thread=thread, author=acting_user, side=side, body=text, at=now)
        record(acting_user, "cleanaudit.thread.open", audit, after={"thread": thread.pk, "stage": stage, "side": side})
    return thread


def _lock_thread(thread_id: int, acting_user: User) -> tuple[Thread, AuditRound, str]:
    round_id = Thread.objects.filter(pk=thread_id).values_list("round_id", flat=True).first()
    if round_id is None:
        raise NotFound(field="thread")
    audit, side = access.lock_round(acting_user, round_id)
    thread = Thread.objects.select_for_update().get(pk=thread_id)
    if thread.closed_at is not None:
        raise Conflict(pgettext("cleanaudit", "This thread is closed."), code=ErrorCode.THREAD_CLOSED, field="thread")
    return thread, audit, side


def do_reply(thread_id: int, *, body: str, acting_user: User) -> Message:
    text = _body(body)
    with transaction.atomic():
        thread, audit, side = _lock_thread(thread_id, acting_user)
        message = Message.objects.create(thread=thread, author=acting_user, side=side, body=text, at=timezone.now())
        _tell_other_side(thread, audit, acting_user, side)
        record(acting_user, "cleanaudit.thread.reply", audit, after={"thread": thread.pk, "side": side})
    return message


def do_close_thread(thread_id: int, *, acting_user: User) -> Thread:
    """Settled: closed by whoever opened it, or by the technical team."""
    with transaction.atomic():
        thread, audit, side = _lock_thread(thread_id, acting_user)
        if thread.opened_by_id != acting_user.pk and side != "expert":
            raise KernelError(pgettext("cleanaudit", "Only who opened the thread, or the technical team, closes it."),
                              code=ErrorCode.WRONG_SIDE, field="thread")
        thread.closed_at, thread.closed_by = timezone.now(), acting_user
        thread.save(update_fields=["closed_at", "closed_by"])
        record(acting_user, "cleanaudit.thread.close", audit, after={"thread": thread.pk})
    return thread


def do_log_visit(round_id: int, *, on: dt.date, note: str = "", acting_user: User) -> Visit:
    """An expert's visit to the firm."""
    if on > timezone.localdate():
        raise KernelError(pgettext("cleanaudit", "A visit is logged on or after the day it took place."),
                          code="invalid_date", field="on")
    with transaction.atomic():
        audit, side = access.lock_round(acting_user, round_id)
        if side != "expert":
            raise KernelError(pgettext("cleanaudit", "Only the technical team logs visits."),
                              code=ErrorCode.WRONG_SIDE, field="round")
        visit = Visit.objects.create(round=audit, expert=acting_user, on=on, note=note[:500])
        record(acting_user, "cleanaudit.visit.log", audit, after={"visit": visit.pk, "on": on.isoformat()})
    return visit
