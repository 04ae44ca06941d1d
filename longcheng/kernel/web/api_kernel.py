"""The kernel's API routes: who am I, places, residents, organisations, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.params.functions import File

from longcheng.kernel import privacy, registry
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import access_object, permissions_of, require_perm, restrict
from longcheng.kernel.audit.display import describe_all
from longcheng.kernel.audit.forms import AuditFilterForm
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import NotFound
from longcheng.kernel.forms import refusal
from longcheng.kernel.orgs import actions as org_actions
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.people import actions as people_actions
from longcheng.kernel.people.models import Resident
from longcheng.kernel.places.importer import import_upload
from longcheng.kernel.places.models import Place
from longcheng.kernel.privacy import Kind

PAGE_MAX = 200
# A million pages of up to 200: beyond any list we hold, and an offset the database can take
# (a page number of 25 digits made SQLite refuse the OFFSET with a 500).
PAGE_NUMBER_MAX = 1_000_000


class Page(Schema):
    page: int = Field(1, ge=1, le=PAGE_NUMBER_MAX)
    size: int = Field(50, ge=1, le=PAGE_MAX)


def paginate(qs: Any, page: Page) -> dict[str, Any]:
    start = (page.page - 1) * page.size
    items = list(qs[start : start + page.size + 1])
    return {"page": page.page, "size": page.size, "has_next": len(items) > page.size, "items": items[: page.size]}


# --- me ---------------------------------------------------------------------------------------------
me_router = Router(tags=["me"])


class RoleOut(Schema):
    role: str
    label: str
    places: list[str]


class MeOut(Schema):
    username: str
    display_name: str
    permissions: list[str]
    roles: list[RoleOut]


@me_router.get("", response=MeOut)
def me(request: HttpRequest) -> Any:
    user = request.user
    defs = registry.roles()
    roles = [
        {"role": a.role, "label": str(defs[a.role].label) if a.role in defs else a.role,
         "places": [p.code for p in a.places.all()]}
        for a in user.role_assignments.prefetch_related("places")  # type: ignore[union-attr]
    ]
    return {"username": user.get_username(), "display_name": str(user), "permissions": sorted(permissions_of(user)),
            "roles": roles}


# --- places -----------------------------------------------------------------------------------------
places_router = Router(tags=["places"])


class PlaceOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None = Field(None, alias="parent.code")
    official_code: bool


@places_router.get("", response=list[PlaceOut])
def list_places(request: HttpRequest, parent: str | None = None) -> Any:
    require_perm(request.user, "places.view")
    qs = restrict(Place.objects.select_related("parent"), request.user, "places.view")
    if parent:
        qs = qs.filter(parent__code=parent)
    return list(qs.order_by("path")[:2000])


class PlacesImportRow(Schema):
    row: int
    code: str
    ok: bool
    outcome: str | None = None
    refusal: str | None = None
    message: str | None = None
    field: str | None = None


class PlacesImportOut(Schema):
    applied: bool
    failed: int
    counts: dict[str, int]
    rows: list[PlacesImportRow]


@places_router.post("/import", response={200: PlacesImportOut, 422: PlacesImportOut})
def import_places(request: StaffRequest, file: UploadedFile | None = File(None)) -> Any:  # noqa: B008
    """Load or update places and outlines from a GeoJSON FeatureCollection (multipart `file`). All or
    nothing: 422 with each row's refusal (`refusal` is its error code) when any row is refused."""
    require_perm(request.user, "places.manage")
    report = import_upload(file, request.user)
    return Status(200 if report["applied"] else 422, report)


@places_router.get("/{code}", response=PlaceOut)
def get_place(request: HttpRequest, code: str) -> Any:
    place = restrict(Place.objects.select_related("parent"), request.user, "places.view").filter(code=code).first()
    if place is None:
        raise NotFound()
    return place


# --- people -----------------------------------------------------------------------------------------
people_router = Router(tags=["people"])


class ResidentOut(Schema):
    """ID and phone numbers are always masked here; /reveal returns them, audited. The birth date
    is given as a year only: beside the place and the masked number, the full date would rebuild
    the number (kernel.privacy, docs/security.md). The address as the caller's role sees it."""

    id: int
    name: str
    resident_id: str
    phone: str
    gender: str
    birth_year: int
    place: str | None = None
    address: str
    died_on: dt.date | None


def resident_out(person: Resident, user: Any) -> dict[str, Any]:
    path = person.place.path if person.place else None
    return {"id": person.pk, "name": privacy.shown_name(user, person), "resident_id": person.masked_id,
            "phone": person.masked_phone,
            "gender": person.gender, "birth_year": person.birth_date.year,
            "place": person.place.code if person.place else None,
            "address": privacy.show(user, Kind.ADDRESS, person.address, path), "died_on": person.died_on}


class ResidentPage(Schema):
    page: int
    size: int
    has_next: bool
    items: list[ResidentOut]


class ResidentIn(Schema):
    resident_id: str
    name: str
    place: str = Field(description="code of a community or grid")
    phone: str = ""
    address: str = ""


class RevealIn(Schema):
    fields: list[str]
    reason: str


class DeathIn(Schema):
    died_on: dt.date
    reason: str = ""


class RelativeIn(Schema):
    relative_id: int
    kind: str
    is_guardian: bool = False
    is_family_contact: bool = False


class ConsentIn(Schema):
    given_by_id: int
    purpose: str
    scope: str
    sensitive: bool = False


class ConsentOut(Schema):
    id: int
    purpose: str
    scope: str
    sensitive: bool
    given_by_id: int
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None


def _place_for(user: Any, code: str, permission: str) -> Place:
    place = restrict(Place.objects.all(), user, permission).filter(code=code).first()
    if place is None:
        raise NotFound(field="place")
    return place


@people_router.get("/residents", response=ResidentPage)
def list_residents(request: StaffRequest, page: Query[Page], q: str = "", place: str = "", reason: str = "") -> Any:
    """`q`: the start of a name, or a full ID number. A search by ID number is a reveal (needs
    people.reveal and a `reason`, audited); without them it finds nothing."""
    require_perm(request.user, "people.view")
    qs = restrict(Resident.objects.select_related("place"), request.user, "people.view")
    if q and len(q.strip()) == 18:
        found = people_actions.do_search_by_id(q, reason=reason, acting_user=request.user)
        qs = qs.filter(pk__in=[p.pk for p in found])
    elif q:
        qs = qs.filter(name__startswith=q)
    if place:
        qs = qs.filter(place__path__startswith=_place_for(request.user, place, "people.view").path)
    result = paginate(qs.order_by("pk"), page)
    result["items"] = [resident_out(p, request.user) for p in result["items"]]
    return result


@people_router.post("/residents", response={201: ResidentOut})
def create_resident(request: StaffRequest, payload: ResidentIn) -> Any:
    require_perm(request.user, "people.manage")
    person = people_actions.do_register_resident(
        resident_id=payload.resident_id, name=payload.name, phone=payload.phone, address=payload.address,
        place=_place_for(request.user, payload.place, "people.manage"), acting_user=request.user,
    )
    return Status(201, resident_out(person, request.user))


@people_router.get("/residents/{pk}", response=ResidentOut)
def get_resident(request: HttpRequest, pk: int) -> Any:
    return resident_out(access_object(Resident, request.user, pk, "people.view",
                                      queryset=Resident.objects.select_related("place")), request.user)


@people_router.post("/residents/{pk}/reveal", response=dict[str, str])
def reveal_resident(request: StaffRequest, pk: int, payload: RevealIn) -> Any:
    person = access_object(Resident, request.user, pk, "people.reveal")
    return people_actions.do_reveal(person, fields=payload.fields, reason=payload.reason, acting_user=request.user)


@people_router.post("/residents/{pk}/death", response=ResidentOut)
def record_death(request: StaffRequest, pk: int, payload: DeathIn) -> Any:
    person = access_object(Resident, request.user, pk, "people.manage")
    return resident_out(people_actions.do_record_death(person, died_on=payload.died_on, reason=payload.reason,
                                                       acting_user=request.user), request.user)


@people_router.post("/residents/{pk}/relatives", response={201: dict[str, int]})
def link_relative(request: StaffRequest, pk: int, payload: RelativeIn) -> Any:
    person = access_object(Resident, request.user, pk, "people.manage")
    relative = access_object(Resident, request.user, payload.relative_id, "people.view")
    link = people_actions.do_link_relative(person, relative, kind=payload.kind, is_guardian=payload.is_guardian,
                                           is_family_contact=payload.is_family_contact, acting_user=request.user)
    return Status(201, {"id": link.pk})


@people_router.post("/residents/{pk}/consents", response={201: ConsentOut})
def record_consent(request: StaffRequest, pk: int, payload: ConsentIn) -> Any:
    subject = access_object(Resident, request.user, pk, "people.manage")
    given_by = Resident.objects.filter(pk=payload.given_by_id).first()
    if given_by is None:
        raise NotFound(field="given_by_id")
    consent = people_actions.do_record_consent(subject, given_by=given_by, purpose=payload.purpose,
                                               scope=payload.scope, sensitive=payload.sensitive,
                                               acting_user=request.user)
    return Status(201, consent)


# --- organisations -----------------------------------------------------------------------------------
orgs_router = Router(tags=["orgs"])


class OrgOut(Schema):
    id: int
    kind: str
    name: str
    uscc: str | None
    code: str | None
    place: str | None = Field(None, alias="place.code")
    closed_on: dt.date | None = None


class OrgIn(Schema):
    kind: str
    name: str
    uscc: str | None = None
    place: str | None = None
    address: str = ""
    phone: str = ""


class OrgPage(Schema):
    page: int
    size: int
    has_next: bool
    items: list[OrgOut]


@orgs_router.get("", response=OrgPage)
def list_orgs(request: HttpRequest, page: Query[Page], kind: str = "", q: str = "") -> Any:
    require_perm(request.user, "orgs.view")
    qs = restrict(Organisation.objects.select_related("place"), request.user, "orgs.view").order_by("pk")
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__contains=q)
    return paginate(qs, page)


@orgs_router.post("", response={201: OrgOut})
def create_org(request: StaffRequest, payload: OrgIn) -> Any:
    require_perm(request.user, "orgs.manage")
    place = _place_for(request.user, payload.place, "orgs.manage") if payload.place else None
    org = org_actions.do_register_organisation(kind=payload.kind, name=payload.name, uscc=payload.uscc, place=place,
                                               address=payload.address, phone=payload.phone, acting_user=request.user)
    return Status(201, org)


# --- audit ------------------------------------------------------------------------------------------
audit_router = Router(tags=["audit"])


class AuditLine(Schema):
    label: str
    value: str


class AuditOut(Schema):
    at: dt.datetime
    actor: str | None = Field(None, alias="actor.username")
    action: str
    action_label: str
    object_type: str = Field(alias="object_type.model")
    object_id: str
    object_repr: str = Field(alias="repr_shown")
    object_name: str
    before: Any = Field(None, alias="before_shown")
    after: Any = Field(None, alias="after_shown")
    before_lines: list[AuditLine]
    after_lines: list[AuditLine]
    reason: str
    is_read: bool


class AuditPage(Schema):
    page: int
    size: int
    has_next: bool
    items: list[AuditOut]


@audit_router.get("", response=AuditPage)
def list_audit(request: HttpRequest, page: Query[Page], object_type: str = "", object_id: str = "", since: str = "",
               until: str = "", actor: str = "", action: str = "", reads: bool = False) -> Any:
    """The audit rows of the caller's places, newest first, filtered like the audit page (`since`
    and `until` are days, YYYY-MM-DD, in Beijing time; `object_type` is `app_label.model`)."""
    require_perm(request.user, "audit.view")
    form = AuditFilterForm({"object_type": object_type, "object_id": object_id, "since": since, "until": until,
                            "actor": actor, "action": action, "reads": reads})
    if not form.is_valid():
        raise refusal(form)
    qs = form.apply(restrict(AuditEntry.objects.select_related("actor", "object_type"), request.user, "audit.view"))
    result = paginate(qs, page)
    items = describe_all([row.show_to(request.user) for row in result["items"]])
    for row in items:
        row.before_lines = [{"label": label, "value": value} for label, value in row.before_lines]
        row.after_lines = [{"label": label, "value": value} for label, value in row.after_lines]
    result["items"] = items
    return result


ROUTERS = [
    ("/me", me_router),
    ("/places", places_router),
    ("/people", people_router),
    ("/orgs", orgs_router),
    ("/audit", audit_router),
]

