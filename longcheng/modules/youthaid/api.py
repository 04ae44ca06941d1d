"""youthaid's API (倾溧助): reports, the case registry, screening and follow-up, aid applications and
their review, payment batches and the fund's figures.

Every route checks its permission first (403 without it) and reaches objects through the caller's
scope (404 outside it). Changes go through the actions; money is integer fen; ID numbers are masked;
health data and bank details never appear here (only the masked bank account).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from longcheng.kernel import privacy
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import access_object, has_perm, require_perm, restrict
from longcheng.kernel.errors import KernelError, NotFound
from longcheng.kernel.ledger.models import Fund
from longcheng.kernel.ledger.money import MAX_AMOUNT_FEN
from longcheng.kernel.people.actions import has_consent
from longcheng.kernel.privacy import Kind
from longcheng.kernel.web.api_kernel import Page, paginate

from . import actions
from .actions import MANAGE, PAY, PURPOSE, REPORT, REVIEW, VIEW
from .conf import conf
from .models import Application, CaseStatus, LifeEvent, PaymentBatch, Report, Screening, Visit, Youth

router = Router(tags=["youthaid"])


# --- schemas ------------------------------------------------------------------------------------------


class ReportIn(Schema):
    resident_id: str
    name: str
    channel: str = Field(..., description="school, community, village or league")
    note: str


class ReportCreated(Schema):
    id: int
    youth_id: int
    status: str


class ReportOut(Schema):
    id: int
    youth_id: int
    name: str
    channel: str
    created_at: dt.datetime
    status: str
    status_label: str


class ReportPage(Schema):
    page: int
    size: int
    has_next: bool
    items: list[ReportOut]


class YouthaidCaseOut(Schema):
    id: int
    name: str
    masked_id: str
    place: str
    place_code: str
    age: int
    status: str
    risk: str
    next_visit_due: dt.date | None


class YouthaidCasePage(Schema):
    page: int
    size: int
    has_next: bool
    items: list[YouthaidCaseOut]


class ScreeningOut(Schema):
    id: int
    outcome: str
    reasons: list[dict[str, Any]]
    trigger: str
    at: dt.datetime


class ApplicationOut(Schema):
    id: int
    youth_id: int
    aid_type: str
    year: int
    status: str
    is_reaid: bool
    requested_fen: int
    recommended_fen: int | None
    approved_fen: int | None
    attachments: int
    created_at: dt.datetime


class YouthaidCaseDetail(YouthaidCaseOut):
    # The year only: beside the masked ID and the place, a full birth date would rebuild the number.
    birth_year: int
    parent_died_on: dt.date | None
    surviving_parent_status: str
    stage: str
    school: str
    grade: str
    university_admitted_year: int | None
    household_size: int | None
    monthly_income_fen: int | None
    hardship_grade: int
    needs: str
    last_visit_on: dt.date | None
    bank_account: str = Field(description="masked: the last four digits only")
    consent: bool
    sensitive_consent: bool
    reports: int
    screening: ScreeningOut | None
    applications: list[ApplicationOut]


class ScreenIn(Schema):
    note: str = ""


class VisitIn(Schema):
    visited_on: dt.date
    situation: str
    needs: str = ""
    risk: str = Field(..., description="low, medium or high")


class VisitOut(Schema):
    id: int
    youth_id: int
    visited_on: dt.date
    situation: str
    needs: str
    risk: str
    next_due: dt.date


class LifeEventIn(Schema):
    kind: str
    on: dt.date
    note: str = ""
    hardship_grade: int | None = None


class LifeEventOut(Schema):
    id: int
    youth_id: int
    kind: str
    on: dt.date
    note: str
    screening: ScreeningOut | None


class RecommendIn(Schema):
    recommend: bool
    amount_fen: int | None = Field(None, ge=1, le=MAX_AMOUNT_FEN)
    note: str


class DecisionIn(Schema):
    approve: bool
    amount_fen: int | None = Field(None, ge=1, le=MAX_AMOUNT_FEN)
    reason: str = ""


class BatchIn(Schema):
    title: str


class BatchOut(Schema):
    id: int
    code: str
    title: str
    status: str
    count: int
    total_fen: int
    created_at: dt.datetime
    paid_at: dt.datetime | None


class YouthaidFundOut(Schema):
    """The fund page's figures (actions.fund_figures): paid out in its two parts and in total."""

    code: str
    available_fen: int
    committed_fen: int
    paid_to_beneficiaries_fen: int = Field(description="Aid payments to the youths' accounts, less bank returns")
    paid_to_contractors_fen: int = Field(description="Dream rooms paid to their contractors")
    paid_fen: int = Field(description="Paid out in total: to beneficiaries plus to contractors")


# --- helpers ------------------------------------------------------------------------------------------


def _youths(user: Any, permission: str = VIEW) -> Any:
    return restrict(Youth.objects.select_related("person__place"), user, permission)


def _case_out(youth: Youth, user: Any) -> dict[str, Any]:
    """Names through the kernel's policy: case workers and reviewers serve the youth and see them,
    an observer sees them masked."""
    person = youth.person
    path = person.place.path if person.place else None
    return {"id": youth.pk, "name": privacy.show(user, Kind.MINOR, person.name, path),
            "masked_id": person.masked_id,
            "place": person.place.name if person.place else "", "place_code": person.place.code if person.place else "",
            "age": person.age(), "status": youth.status, "risk": youth.risk, "next_visit_due": youth.next_visit_due}


def _screening_out(screening: Screening | None) -> dict[str, Any] | None:
    if screening is None:
        return None
    return {"id": screening.pk, "outcome": screening.outcome, "reasons": screening.reasons,
            "trigger": screening.trigger, "at": screening.at}


def _application_out(app: Application) -> dict[str, Any]:
    return {"id": app.pk, "youth_id": app.youth_id, "aid_type": app.aid_type.code, "year": app.year,
            "status": app.status, "is_reaid": app.is_reaid, "requested_fen": app.requested_fen,
            "recommended_fen": app.recommended_fen, "approved_fen": app.approved_fen,
            "attachments": app.attachments.count(), "created_at": app.created_at}


def _case_detail(youth: Youth, user: Any) -> dict[str, Any]:
    apps = youth.applications.select_related("aid_type").order_by("-year", "-pk")
    if not has_perm(user, "youthaid.health"):  # a medical application would tell a serious illness
        apps = apps.exclude(aid_type__condition="serious_illness")
    return {
        **_case_out(youth, user),
        "birth_year": youth.person.birth_date.year, "parent_died_on": youth.parent_died_on,
        "surviving_parent_status": youth.surviving_parent_status, "stage": youth.stage, "school": youth.school,
        "grade": youth.grade, "university_admitted_year": youth.university_admitted_year,
        "household_size": youth.household_size, "monthly_income_fen": youth.monthly_income_fen,
        "hardship_grade": youth.hardship_grade,
        "needs": privacy.show(user, Kind.NOTES, youth.needs, youth.person.place.path if youth.person.place else None),
        "last_visit_on": youth.last_visit_on,
        "bank_account": actions.mask_account(youth.bank_account),
        "consent": has_consent(youth.person, PURPOSE), "sensitive_consent": has_consent(youth.person, PURPOSE,
                                                                                       sensitive=True),
        "reports": youth.reports.count(),
        "screening": _screening_out(youth.screenings.order_by("-at", "-pk").first()),
        "applications": [_application_out(a) for a in apps],
    }


def _application(user: Any, pk: int, permission: str) -> Application:
    require_perm(user, permission)
    return access_object(Application, user, pk, permission, queryset=Application.objects.select_related("aid_type"))


# --- reports ------------------------------------------------------------------------------------------


@router.post("/reports", response={201: ReportCreated})
def create_report(request: StaffRequest, payload: ReportIn) -> Any:
    """Report a youth who lost a parent, registered in the reporter's area. A youth already on the
    registry joins the existing case; the same reporter reporting the same youth twice is refused
    (code conflict, field resident_id). A number not registered in the reporter's area is 404
    `not_found` on `resident_id`, the same answer whatever the registry holds elsewhere."""
    report = actions.do_report(resident_id=payload.resident_id, name=payload.name, channel=payload.channel,
                               note=payload.note, acting_user=request.user)
    return Status(201, {"id": report.pk, "youth_id": report.youth_id, "status": report.youth.status})


@router.get("/reports", response=ReportPage)
def list_reports(request: StaffRequest, page: Query[Page]) -> Any:
    """The caller's own reports, newest first, with the case's status."""
    require_perm(request.user, REPORT)
    qs = (Report.objects.filter(reporter_id=request.user.pk).select_related("youth__person")
          .order_by("-created_at", "-pk"))
    result = paginate(qs, page)
    result["items"] = [
        {"id": r.pk, "youth_id": r.youth_id, "name": r.youth.person.name, "channel": r.channel,
         "created_at": r.created_at, "status": r.youth.status, "status_label": str(r.youth.get_status_display())}
        for r in result["items"]]
    return result


# --- cases --------------------------------------------------------------------------------------------


@router.get("/cases", response=YouthaidCasePage)
def list_cases(request: StaffRequest, page: Query[Page], status: str = "", overdue: bool | None = None) -> Any:
    """Cases in the caller's scope. `overdue=true`: under monitoring with the follow-up visit past due;
    `overdue=false`: all others."""
    require_perm(request.user, VIEW)
    qs = _youths(request.user)
    if status:
        if status not in CaseStatus.values:
            raise KernelError(_("Unknown status; one of: %(values)s.") % {"values": ", ".join(CaseStatus.values)},
                              field="status")
        qs = qs.filter(status=status)
    if overdue is not None:
        late = {"status": CaseStatus.ACTIVE, "next_visit_due__lt": timezone.localdate()}
        qs = qs.filter(**late) if overdue else qs.exclude(**late)
    qs = qs.order_by(F("next_visit_due").asc(nulls_last=True), "pk")
    result = paginate(qs, page)
    result["items"] = [_case_out(y, request.user) for y in result["items"]]
    return result


@router.get("/cases/{pk}", response=YouthaidCaseDetail)
def get_case(request: StaffRequest, pk: int) -> Any:
    """One case: the registry data (ID masked, no health, bank account masked), the latest screening
    with its reasons, and the applications."""
    require_perm(request.user, VIEW)
    return _case_detail(access_object(Youth, request.user, pk, VIEW, queryset=_youths(request.user)), request.user)


@router.post("/cases/{pk}/screen", response=ScreeningOut)
def screen_case(request: StaffRequest, pk: int, payload: ScreenIn) -> Any:
    """Check the criteria: eligible (monitoring starts), not eligible, or more information needed,
    with every reason."""
    require_perm(request.user, MANAGE)
    youth = access_object(Youth, request.user, pk, MANAGE)
    return _screening_out(actions.do_screen(youth.pk, note=payload.note, acting_user=request.user))


@router.post("/cases/{pk}/visits", response={201: VisitOut})
def record_visit(request: StaffRequest, pk: int, payload: VisitIn) -> Any:
    require_perm(request.user, MANAGE)
    youth = access_object(Youth, request.user, pk, MANAGE)
    visit: Visit = actions.do_record_visit(youth.pk, visited_on=payload.visited_on, situation=payload.situation,
                                           needs=payload.needs, risk=payload.risk, acting_user=request.user)
    return Status(201, {"id": visit.pk, "youth_id": visit.youth_id, "visited_on": visit.visited_on,
                        "situation": visit.situation, "needs": visit.needs, "risk": visit.risk,
                        "next_due": visit.next_due})


@router.post("/cases/{pk}/life-events", response={201: LifeEventOut})
def record_life_event(request: StaffRequest, pk: int, payload: LifeEventIn) -> Any:
    """A change in the youth's life; a case under screening or monitoring is re-checked at once."""
    require_perm(request.user, MANAGE)
    youth = access_object(Youth, request.user, pk, MANAGE)
    event: LifeEvent = actions.do_life_event(youth.pk, kind=payload.kind, on=payload.on, note=payload.note,
                                             hardship_grade=payload.hardship_grade, acting_user=request.user)
    return Status(201, {"id": event.pk, "youth_id": event.youth_id, "kind": event.kind, "on": event.on,
                        "note": event.note, "screening": _screening_out(event.screening)})


@router.post("/cases/{pk}/applications", response={201: ApplicationOut})
def apply(request: StaffRequest, pk: int, aid_type: Form[str], amount_fen: Form[int], reason: Form[str],
          year: Form[int | None] = None, proof: File[list[UploadedFile] | None] = None) -> Any:
    """An aid application (multipart form): aid_type is the aid type's code; proof files as `proof`."""
    require_perm(request.user, MANAGE)
    youth = access_object(Youth, request.user, pk, MANAGE)
    app = actions.do_apply(youth.pk, aid_type=aid_type.strip(), amount_fen=amount_fen, reason=reason, year=year,
                           attachments=proof or [], acting_user=request.user)
    return Status(201, _application_out(app))


# --- applications -------------------------------------------------------------------------------------


@router.post("/applications/{pk}/recommendation", response=ApplicationOut)
def recommend(request: StaffRequest, pk: int, payload: RecommendIn) -> Any:
    app = _application(request.user, pk, MANAGE)
    return _application_out(actions.do_recommend(app.pk, recommend=payload.recommend, amount_fen=payload.amount_fen,
                                                 note=payload.note, acting_user=request.user))


@router.post("/applications/{pk}/decision", response=ApplicationOut)
def decide(request: StaffRequest, pk: int, payload: DecisionIn) -> Any:
    """Approve (commits the amount on the fund; refused when the fund cannot cover it) or reject."""
    app = _application(request.user, pk, REVIEW)
    return _application_out(actions.do_decide(app.pk, approve=payload.approve, amount_fen=payload.amount_fen,
                                              reason=payload.reason, acting_user=request.user))


# --- payment batches and the fund -----------------------------------------------------------------------


def _batch_out(batch: PaymentBatch) -> dict[str, Any]:
    return {"id": batch.pk, "code": batch.code, "title": batch.title, "status": batch.status, "count": batch.count,
            "total_fen": batch.total_fen, "created_at": batch.created_at, "paid_at": batch.paid_at}


@router.post("/batches", response={201: BatchOut})
def create_batch(request: StaffRequest, payload: BatchIn) -> Any:
    """A batch of every approved application in the caller's scope not yet in a batch."""
    require_perm(request.user, PAY)
    return Status(201, _batch_out(actions.do_create_batch(title=payload.title, acting_user=request.user)))


@router.post("/batches/{pk}/pay", response=BatchOut)
def pay_batch(request: StaffRequest, pk: int) -> Any:
    """Pay the batch. Idempotent: paying a paid batch returns it and pays nobody again."""
    require_perm(request.user, PAY)
    batch = actions.do_pay_batch(pk, acting_user=request.user)
    batch.refresh_from_db()
    return _batch_out(batch)


@router.get("/fund", response=YouthaidFundOut)
def fund(request: StaffRequest) -> Any:
    """The youth aid fund on the ledger, the figures of the fund page: available, committed (approved,
    not yet paid) and paid out, to beneficiaries (aid payments less bank returns), to contractors
    (dream rooms) and in total."""
    require_perm(request.user, VIEW)
    code = conf("YOUTHAID_FUND_CODE")
    found = None
    if Fund.objects.filter(code=code).exists():
        found = restrict(Fund.objects.filter(code=code), request.user, VIEW).first()
        if found is None:
            raise NotFound()
    figures = actions.fund_figures(found)
    return {"code": code, "available_fen": figures.available_fen, "committed_fen": figures.committed_fen,
            "paid_to_beneficiaries_fen": figures.to_beneficiaries_fen,
            "paid_to_contractors_fen": figures.to_contractors_fen, "paid_fen": figures.paid_total_fen}
