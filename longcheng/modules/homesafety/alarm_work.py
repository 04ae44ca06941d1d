"""Working on an alarm besides its steps: the comment thread and the assignee. Like the steps
(actions.py), each checks permission and scope, writes the audit row in the same transaction and
refuses with the field named; a refused call changes nothing."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import access_object
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import ErrorCode, KernelError, NotFound

from .access import HANDLE, alarm_to_handle
from .alarms import users_over
from .models import Alarm, AlarmComment, AlarmEvent

# Who may be given an alarm to follow: the roles that handle alarms where the person lives.
ASSIGNABLE_ROLES = ["homesafety_operator", "homesafety_community_head", "homesafety_street_officer"]
COMMENT_LIMIT = 2000


def _alarm_to_comment(user: Any, alarm_id: int) -> Alarm:
    """Whoever handles alarms where the person lives, or the worker the alarm was sent to (who may
    hold no home-safety role: the community worker at the door)."""
    try:
        return alarm_to_handle(user, alarm_id)
    except NotFound:
        alarm = Alarm.objects.filter(pk=alarm_id).first() if str(alarm_id).isdigit() else None
        if alarm is None or user is None or alarm.dispatched_to_id != getattr(user, "pk", None):
            raise
        return alarm


def do_comment(alarm_id: int, *, text: str, acting_user: User) -> AlarmComment:
    """Add a line to the alarm's thread (open or closed: what was learnt afterwards belongs there)."""
    alarm = _alarm_to_comment(acting_user, alarm_id)
    text = (text or "").strip()
    if not text:
        raise KernelError(_("Write the comment."), code=ErrorCode.REQUIRED, field="text")
    if len(text) > COMMENT_LIMIT:
        raise KernelError(_("A comment has at most %(n)s characters.") % {"n": COMMENT_LIMIT},
                          code=ErrorCode.INVALID, field="text")
    with transaction.atomic():
        comment = AlarmComment.objects.create(alarm=alarm, at=timezone.now(), author=acting_user, text=text)
        record(acting_user, "homesafety.alarm.comment", alarm, after={"comment": comment.pk, "text": text})
    return comment


def assignable(alarm: Alarm) -> list[Any]:
    return users_over(alarm.enrollee.person.place, ASSIGNABLE_ROLES)


def do_assign(alarm_id: int, *, to_user: Any, acting_user: User) -> Alarm:
    """Give the alarm to one handler to follow (or take it back: to_user None), on the timeline
    and audited with who had it before."""
    alarm = alarm_to_handle(acting_user, alarm_id)
    alarm = access_object(Alarm, acting_user, alarm.pk, HANDLE,
                          queryset=Alarm.objects.select_related("enrollee__person__place"))
    if to_user is not None and to_user.pk not in {u.pk for u in assignable(alarm)}:
        raise KernelError(_("Choose someone who handles alarms where this person lives."), code=ErrorCode.INVALID,
                          field="assignee")
    new_id = to_user.pk if to_user is not None else None
    if new_id == alarm.assignee_id:
        return alarm
    with transaction.atomic():
        before = alarm.assignee_id
        Alarm.objects.filter(pk=alarm.pk).update(assignee=to_user)
        alarm.refresh_from_db()
        AlarmEvent.objects.create(alarm=alarm, at=timezone.now(), step="assign", actor=acting_user,
                                  note=str(to_user) if to_user is not None else "—")
        record(acting_user, "homesafety.alarm.assign", alarm, before={"assignee": before},
               after={"assignee": alarm.assignee_id})
    return alarm
