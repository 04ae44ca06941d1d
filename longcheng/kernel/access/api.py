"""The API of running the platform, under /api/v1/access/: the same actions as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.files import UploadedFile
from ninja.params.functions import (
    File,  # the plain function: strict mypy rejects `ninja.File` (a generic alias) as a default
)

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.errors import KernelError, NotFound
from longcheng.kernel.places.codes import place_by_code, places_by_codes
from longcheng.kernel.places.models import Place

from . import actions
from .models import RoleAssignment, User
from .scope import require_perm
from .views import place_choices as choices

router = Router(tags=["access"])
MANAGE = actions.MANAGE


class AssignmentOut(Schema):
    id: int
    role: str
    places: list[str]
    ends_at: dt.datetime | None
    reason: str
    active: bool


class StaffOut(Schema):
    id: int
    username: str
    display_name: str
    phone: str
    place: str | None
    is_active: bool
    must_change_password: bool
    assignments: list[AssignmentOut]


class StaffPage(Schema):
    page: int
    size: int
    has_next: bool
    items: list[StaffOut]


class StaffIn(Schema):
    username: str
    display_name: str = ""
    phone: str = ""
    place: str | None = None
    password: str = ""


class StaffPatch(Schema):
    display_name: str
    phone: str = ""
    place: str | None = None


class StaffReasonIn(Schema):
    reason: str = ""


class AssignIn(Schema):
    role: str
    places: list[str]
    ends_at: dt.datetime | None = None
    reason: str = ""


class PlaceChoice(Schema):
    code: str
    label: str


class ImportRow(Schema):
    row: int
    username: str
    ok: bool
    outcome: str | None = None
    code: str | None = None
    message: str | None = None
    field: str | None = None


class ImportOut(Schema):
    applied: bool
    failed: int
    rows: list[ImportRow]


class PasswordIn(Schema):
    old_password: str
    new_password: str


def _assignment(a: RoleAssignment) -> dict[str, Any]:
    return {"id": a.pk, "role": a.role, "places": sorted(p.code for p in a.places.all()), "ends_at": a.ends_at,
            "reason": a.reason, "active": a.in_force}


def _staff(user: User) -> dict[str, Any]:
    return {"id": user.pk, "username": user.username, "display_name": user.display_name, "phone": user.phone,
            "place": user.place.code if user.place else None, "is_active": user.is_active,
            "must_change_password": user.must_change_password,
            "assignments": [_assignment(a) for a in user.role_assignments.prefetch_related("places").order_by("role")]}


def _place(code: str | None, field: str) -> Place | None:
    try:
        return place_by_code(code or "", field=field)
    except KernelError as error:
        raise NotFound(error.message, field=field) from None


@router.get("/staff", response=StaffPage)
def list_staff(request: HttpRequest, page: int = 1, size: int = 50, q: str = "", role: str = "", place: str = "",
               status: str = "") -> Any:
    require_perm(request.user, MANAGE)
    page, size = max(page, 1), min(max(size, 1), 200)
    qs = actions.filter_staff(request.user, q=q, role=role, place=place, status=status)
    start = (page - 1) * size
    items = list(qs[start : start + size + 1])
    return {"page": page, "size": size, "has_next": len(items) > size, "items": [_staff(u) for u in items[:size]]}


@router.post("/staff", response={201: StaffOut})
def create_staff(request: StaffRequest, payload: StaffIn) -> Any:
    require_perm(request.user, MANAGE)
    user = actions.do_create_staff(username=payload.username, display_name=payload.display_name,
                                   phone=payload.phone, place=_place(payload.place, "place"),
                                   password=payload.password, acting_user=request.user)
    return Status(201, _staff(user))


@router.post("/staff/import", response={200: ImportOut, 422: ImportOut})
def import_staff(request: StaffRequest, file: UploadedFile | None = File(None)) -> Any:  # noqa: B008
    """All or nothing; 422 with each row's refusal when any row is refused."""
    require_perm(request.user, MANAGE)
    if file is None:
        raise KernelError(_("Send the XLSX workbook as `file`."), code="required", field="file")
    report = actions.do_import_staff(actions.read_import_rows(file.read()), base_url=request.build_absolute_uri("/"),
                                     acting_user=request.user)
    return Status(200 if report["applied"] else 422, report)


@router.get("/staff/{pk}", response=StaffOut)
def get_staff(request: HttpRequest, pk: int) -> Any:
    require_perm(request.user, MANAGE)
    return _staff(actions.get_staff(request.user, pk))


@router.patch("/staff/{pk}", response=StaffOut)
def update_staff(request: StaffRequest, pk: int, payload: StaffPatch) -> Any:
    require_perm(request.user, MANAGE)
    user = actions.do_update_staff(actions.get_staff(request.user, pk), display_name=payload.display_name,
                                   phone=payload.phone, place=_place(payload.place, "place"),
                                   acting_user=request.user)
    return _staff(user)


@router.post("/staff/{pk}/deactivate", response=StaffOut)
def deactivate_staff(request: StaffRequest, pk: int, payload: StaffReasonIn) -> Any:
    require_perm(request.user, MANAGE)
    return _staff(actions.do_deactivate_staff(actions.get_staff(request.user, pk), reason=payload.reason,
                                              acting_user=request.user))


@router.post("/staff/{pk}/reactivate", response=StaffOut)
def reactivate_staff(request: StaffRequest, pk: int, payload: StaffReasonIn) -> Any:
    require_perm(request.user, MANAGE)
    return _staff(actions.do_reactivate_staff(actions.get_staff(request.user, pk), reason=payload.reason,
                                              acting_user=request.user))


@router.post("/staff/{pk}/reset-password", response={202: dict})
def reset_password(request: StaffRequest, pk: int, payload: StaffReasonIn) -> Any:
    """Sends a one-time link to the account's phone; the link itself is never returned."""
    require_perm(request.user, MANAGE)
    message = actions.do_reset_password(actions.get_staff(request.user, pk), base_url=request.build_absolute_uri("/"),
                                        reason=payload.reason, acting_user=request.user)
    return Status(202, {"message_id": message.pk})


@router.post("/staff/{pk}/assignments", response={201: AssignmentOut})
def assign_role(request: StaffRequest, pk: int, payload: AssignIn) -> Any:
    require_perm(request.user, MANAGE)
    places = places_by_codes(payload.places, field="places")
    assignment = actions.do_assign_role(actions.get_staff(request.user, pk), role=payload.role, places=places,
                                        ends_at=payload.ends_at, reason=payload.reason, acting_user=request.user)
    return Status(201, _assignment(assignment))


@router.post("/assignments/{pk}/end", response=AssignmentOut)
def end_assignment(request: StaffRequest, pk: int, payload: StaffReasonIn) -> Any:
    require_perm(request.user, MANAGE)
    assignment = actions.do_end_assignment(actions.get_assignment(request.user, pk), reason=payload.reason,
                                           acting_user=request.user)
    return _assignment(assignment)


@router.get("/places", response=list[PlaceChoice])
def place_choices(request: HttpRequest, q: str = "") -> Any:
    """The place chooser: places the caller manages whose whole path contains `q` (at most 50)."""
    require_perm(request.user, MANAGE)

    return [{"code": code, "label": label} for code, label in choices(request.user, (q or "").strip(), 50)]


@router.post("/password", response={204: None})
def change_password(request: HttpRequest, payload: PasswordIn) -> Any:
    """One's own password: the old one, then the new one through Django's password validators."""
    user: Any = request.user
    if not user.check_password(payload.old_password):
        raise KernelError(_("Your old password was entered incorrectly."), code="wrong_password",
                          field="old_password")
    try:
        actions.do_change_password(user, new_password=payload.new_password, acting_user=user)
    except KernelError as error:
        error.field = "new_password" if error.field == "new_password1" else error.field
        raise
    return Status(204, None)
