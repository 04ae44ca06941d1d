"""Dream rooms across the city: the federation's approval and sign-off."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from longcheng.kernel import privacy
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm, restrict
from longcheng.kernel.errors import KernelError, parse_id
from longcheng.kernel.forms import refusal, yuan_text
from longcheng.kernel.web.decorators import staff_view

from .. import actions
from ..forms import AdvanceRoomForm, refused
from ..models import (
    RoomProject,
    RoomStatus,
)
from .common import REVIEW, VIEW, _youth_name

# The dream-room moves offered on the rooms page: the federation's approval and sign-off (the case
# worker's moves are on the case page). Mirrors do_advance_room's permission, so only buttons that
# can work are shown.
ROOM_MOVES: dict[str, tuple[str, ...]] = {
    RoomStatus.PROPOSED: (RoomStatus.APPROVED, RoomStatus.RETURNED, RoomStatus.REJECTED),
    RoomStatus.IN_PROGRESS: (RoomStatus.DONE,),
}


# --- dream rooms ----------------------------------------------------------------------------------------------------


def _rooms_context(request: StaffRequest) -> dict[str, Any]:
    user = request.user
    qs = restrict(RoomProject.objects.all(), user, VIEW)
    totals = {row["status"]: row for row in qs.order_by().values("status").annotate(
        n=Count("pk"), budget=Sum("budget_fen"), spent=Sum("spent_fen"))}
    status = request.GET.get("status", "")
    rows = list((qs.filter(status=status) if status in RoomStatus.values else qs)
                .select_related("youth__person__place").order_by("-updated_at", "-pk")[:500])
    can_review = has_perm(user, REVIEW)
    for room in rows:
        room.moves = [(to, RoomStatus(to).label) for to in ROOM_MOVES.get(room.status, ())  # type: ignore[attr-defined]
                      if can_review]
        room.budget_text = yuan_text(room.budget_fen)  # type: ignore[attr-defined]
        # Names and notes about the home through the kernel's policy: an observer sees the name
        # masked and no notes (docs/security.md).
        path = room.youth.person.place.path if room.youth.person.place else None
        room.shown_name = _youth_name(user, room.youth)  # type: ignore[attr-defined]
        room.shown_before = privacy.show(user, privacy.Kind.NOTES, room.before_note, path)  # type: ignore[attr-defined]
        room.shown_after = privacy.show(user, privacy.Kind.NOTES, room.after_note, path)  # type: ignore[attr-defined]
    return {
        "rooms": rows, "status": status, "can_review": can_review, "typed": {},
        "totals": [(value, label, totals.get(value, {"n": 0, "budget": 0, "spent": 0}))
                   for value, label in RoomStatus.choices],
        "total_n": sum(t["n"] for t in totals.values()),
        "total_budget": sum(t["budget"] or 0 for t in totals.values()),
        "total_spent": sum(t["spent"] or 0 for t in totals.values()),
    }


@staff_view(VIEW)
@require_safe
def rooms(request: StaffRequest) -> HttpResponse:
    return render(request, "youthaid/rooms.html", _rooms_context(request))


@staff_view(VIEW)
@require_POST
def room_advance(request: StaffRequest) -> HttpResponse:
    """The federation's step of a dream room (youthaid:room_advance): a refusal is the rooms page
    again with the message naming the field, the typed values kept, nothing written."""
    form = AdvanceRoomForm(request.POST)
    try:
        if not form.is_valid():
            raise refusal(form)
        data = form.cleaned_data
        room = actions.do_advance_room(parse_id(data["room"], field="room"), to=data["to"], spent_fen=data["spent"],
                                       after_note=data["after_note"], reason=data["reason"], acting_user=request.user)
    except KernelError as error:
        if error.status == 404:
            raise
        messages.error(request, refused(error, form))
        context = {**_rooms_context(request), "typed": {key: form.data.get(key, "") for key in form.fields}}
        return render(request, "youthaid/rooms.html", context,
                      status=error.status if error.status in (400, 403, 409, 422) else 400)
    messages.success(request, _("The dream room of %(name)s: %(status)s.") % {
        "name": room.youth.person.name, "status": room.get_status_display()})
    return redirect(reverse("youthaid:rooms"))
