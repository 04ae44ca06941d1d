"""Dream rooms: a youth's room proposed, approved, built and paid."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from longcheng.kernel.access.models import User
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import ErrorCode, KernelError, NotFound
from longcheng.kernel.ledger import actions as ledger
from longcheng.kernel.people.validators import mask_name

from ..access import _lock
from ..conf import conf
from ..errors import ErrorCode as Code
from ..models import (
    CaseStatus,
    RoomProject,
    RoomStatus,
    Youth,
)
from .common import MANAGE, REVIEW, _text
from .fund import youth_fund


def _check_budget(budget_fen: Any) -> int:
    """A dream room's budget: more than zero, at most YOUTHAID_ROOM_MAX_FEN (a room, not a house)."""
    if not isinstance(budget_fen, int) or isinstance(budget_fen, bool) or budget_fen <= 0:
        raise KernelError(_("An amount must be more than zero."), code=ErrorCode.INVALID_AMOUNT, field="budget_fen")
    ceiling = int(conf("YOUTHAID_ROOM_MAX_FEN"))
    if budget_fen > ceiling:
        raise KernelError(_("A dream room's budget is at most %(max)s; %(asked)s was asked.") % {
            "max": ledger.format_fen(ceiling), "asked": ledger.format_fen(budget_fen)},
            code=ErrorCode.INVALID_AMOUNT, field="budget_fen")
    return budget_fen


def do_propose_room(youth: Youth | int, *, budget_fen: int, contractor: str, before_note: str,
                    acting_user: User) -> RoomProject:
    contractor = _text(contractor, "contractor", limit=100)
    before_note = _text(before_note, "before_note", minimum=4)
    _check_budget(budget_fen)
    with transaction.atomic():
        locked = _lock(youth, acting_user, MANAGE)
        if locked.status != CaseStatus.ACTIVE:
            raise KernelError(_("Dream rooms are for youths under monitoring."), code=Code.CASE_NOT_MONITORED, field="youth")
        room = RoomProject.objects.create(youth=locked, budget_fen=budget_fen, contractor=contractor,
                                          before_note=before_note, created_by=acting_user)
        record(acting_user, "youthaid.room", locked, after={"room": room.pk, "budget_fen": budget_fen})
    return room


def _lock_room(room: RoomProject | int, user: Any, permission: str) -> RoomProject:
    pk = room.pk if isinstance(room, RoomProject) else room
    found = RoomProject.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    _lock(found.youth_id, user, permission)
    return RoomProject.objects.select_for_update(of=("self",)).select_related("youth__person").get(pk=pk)


# Where a room may go from each status; the federation's moves need REVIEW, the case worker's MANAGE.
ROOM_STEPS = {RoomStatus.PROPOSED: (RoomStatus.APPROVED, RoomStatus.RETURNED, RoomStatus.REJECTED, RoomStatus.CANCELLED),
              RoomStatus.RETURNED: (RoomStatus.PROPOSED, RoomStatus.CANCELLED),
              RoomStatus.APPROVED: (RoomStatus.IN_PROGRESS, RoomStatus.CANCELLED),
              RoomStatus.IN_PROGRESS: (RoomStatus.DONE, RoomStatus.CANCELLED)}
REVIEW_STEPS = (RoomStatus.APPROVED, RoomStatus.RETURNED, RoomStatus.REJECTED, RoomStatus.DONE)


def do_advance_room(room: RoomProject | int, *, to: str, acting_user: User, after_note: str = "",
                    spent_fen: int | None = None, reason: str = "", budget_fen: int | None = None) -> RoomProject:
    """proposed → approved (the federation commits the budget from the fund) → in progress → done
    (the contractor is paid what was spent, at most the budget; the rest goes back) or cancelled
    (a committed budget goes back). The federation may instead return a proposal for changes or
    reject it, each with its reason; a returned proposal is proposed again by the case worker (with
    a changed budget, if given)."""
    permission = REVIEW if to in REVIEW_STEPS else MANAGE
    if to in (RoomStatus.RETURNED, RoomStatus.REJECTED):
        reason = _text(reason, "reason", minimum=4, limit=500)
    if to == RoomStatus.PROPOSED and budget_fen is not None:
        _check_budget(budget_fen)
    with transaction.atomic():
        locked = _lock_room(room, acting_user, permission)
        if to not in ROOM_STEPS.get(RoomStatus(locked.status), ()):
            raise KernelError(_("A room project cannot go from %(a)s to %(b)s.") % {
                "a": locked.get_status_display(), "b": RoomStatus(to).label if to in RoomStatus.values else to},
                code=Code.ROOM_STEP_REFUSED, field="status")
        fund = youth_fund()
        name = mask_name(locked.youth.person.name)
        if to == RoomStatus.APPROVED:
            _check_budget(locked.budget_fen)  # the ceiling may have been lowered since the proposal
            ledger.do_commit(fund, locked.budget_fen, acting_user=acting_user, idempotency_key=f"youthaid:room:{locked.pk}",
                             memo=_("Dream room for %(name)s") % {"name": name})
        elif to == RoomStatus.DONE:
            after_note = _text(after_note, "after_note", minimum=4)
            if not isinstance(spent_fen, int) or not 0 < spent_fen <= locked.budget_fen:
                raise KernelError(_("What was spent lies between ¥0.01 and the budget (%(budget)s).")
                                  % {"budget": ledger.format_fen(locked.budget_fen)}, code=ErrorCode.INVALID_AMOUNT,
                                  field="spent_fen")
            contractor = ledger.external_account("youthaid-contractors", "倾溧助 梦想小屋施工方", fund=fund)
            ledger.do_pay_from_commitment(fund, spent_fen, payee=contractor, acting_user=acting_user,
                                          idempotency_key=f"youthaid:room-pay:{locked.pk}",
                                          memo=_("Dream room for %(name)s, paid to %(who)s") % {
                                              "name": name, "who": locked.contractor})
            if spent_fen < locked.budget_fen:
                ledger.do_release_commitment(fund, locked.budget_fen - spent_fen, acting_user=acting_user,
                                             idempotency_key=f"youthaid:room-rest:{locked.pk}",
                                             memo=_("Dream room for %(name)s: unspent budget") % {"name": name})
            locked.spent_fen, locked.after_note = spent_fen, after_note
        elif to == RoomStatus.CANCELLED and locked.status in (RoomStatus.APPROVED, RoomStatus.IN_PROGRESS):
            ledger.do_release_commitment(fund, locked.budget_fen, acting_user=acting_user,
                                         idempotency_key=f"youthaid:room-cancel:{locked.pk}",
                                         memo=_("Dream room for %(name)s cancelled") % {"name": name})
        elif to in (RoomStatus.RETURNED, RoomStatus.REJECTED):
            locked.review_reason = reason
        elif to == RoomStatus.PROPOSED and budget_fen is not None:
            locked.budget_fen = budget_fen
        before = locked.status
        locked.status = to
        locked.save()
        record(acting_user, "youthaid.room_status", locked.youth, before={"room": locked.pk, "status": before},
               after={"room": locked.pk, "status": to, "spent_fen": locked.spent_fen, "budget_fen": locked.budget_fen},
               reason=reason[:200])
    return locked
