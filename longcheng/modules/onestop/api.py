"""onestop's API (一件事): the service declarations, an enterprise's applications (draft, pre-checks,
submission, corrections) and the departments' queues and decisions.

Every route checks its permission first (403 without it) and reaches objects through the caller's
scope (404 outside it, or for a task not in the caller's queue). Changes go through the actions.
A submission refused by the pre-checks answers 422 with code `precheck_failed` and every blocker.
Times are aware (ISO 8601); working days are numbers in half-day steps.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm, require_perm, restrict
from longcheng.kernel.errors import KernelError, NotFound, PermissionDenied
from longcheng.kernel.forms import refusal
from longcheng.kernel.web.api_kernel import Page, paginate
from longcheng.kernel.workdays.api import working_days_between

from . import actions, clock
from .catalogue import DEPARTMENTS, OFFICES, ServiceSpec, service, services
from .forms import AttachForm
from .models import Case, CaseStatus, Correction, Document, Pause, Task, TaskStatus
from .spec import APPLY, VIEW

router = Router(tags=["onestop"])


# --- schemas ------------------------------------------------------------------------------------------


class ChoiceOut(Schema):
    value: str
    label: str


class FieldOut(Schema):
    name: str
    label: str
    kind: str
    required: bool
    choices: list[ChoiceOut]


class TaskSpecOut(Schema):
    code: str
    label: str
    department: str
    office: str
    side: str
    limit_days: float
    after: list[str]
    required: bool
    # The form field that makes an optional task required when the applicant fills it in.
    requested_by: str | None = None
    writes: list[str]


class ServiceOut(Schema):
    code: str
    label: str
    limit_days: float
    form: list[FieldOut]
    prechecks: list[str]
    tasks: list[TaskSpecOut]


class CaseIn(Schema):
    service: str
    uscc: str
    data: dict[str, Any] = Field(default_factory=dict)
    # Fill and submit in one step: a failing form or pre-check answers 422 and leaves no draft.
    submit: bool = False


class BlockerOut(Schema):
    check: str
    message: str
    remedy: str
    field: str | None = None


class PrecheckOut(Schema):
    blockers: list[BlockerOut]


class PrecheckError(Schema):
    code: str
    message: str
    field: str | None = None
    blockers: list[BlockerOut]


class CorrectionOut(Schema):
    id: int
    task_id: int
    request: str
    answer: str
    asked_at: dt.datetime
    answered_at: dt.datetime | None


class TaskOut(Schema):
    id: int
    case_id: int
    code: str
    label: str
    department: str
    department_label: str
    office: str
    place: str
    place_code: str
    required: bool
    status: str
    status_label: str
    limit_days: float
    opened_at: dt.datetime | None
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    paused_days: float
    working_days_left: float | None = Field(description="while the clock runs: working days to the due time "
                                                        "(negative when overdue); null otherwise")
    due_soon: bool
    overdue: bool
    escalated_at: dt.datetime | None
    result: dict[str, Any]


class TaskDetail(TaskOut):
    corrections: list[CorrectionOut]


class CaseOut(Schema):
    id: int
    service: str
    service_label: str
    enterprise: str
    uscc: str
    place_code: str
    status: str
    status_label: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    due_at: dt.datetime | None
    completed_at: dt.datetime | None


class CasePage(Schema):
    page: int
    size: int
    has_next: bool
    items: list[CaseOut]


class DocumentOut(Schema):
    id: int
    code: str
    label: str
    name: str
    size: int
    uploaded_at: dt.datetime


class CaseDetail(CaseOut):
    data: dict[str, Any]
    outcome: dict[str, Any]
    paused: bool
    paused_days: float
    working_days_left: float | None
    due_soon: bool
    overdue: bool
    reject_reason: str
    tasks: list[TaskDetail]
    documents: list[DocumentOut]


class QueueItem(TaskOut):
    service: str
    enterprise: str
    uscc: str


class QueuePage(Schema):
    page: int
    size: int
    has_next: bool
    items: list[QueueItem]


class ResultIn(Schema):
    result: dict[str, Any] = Field(default_factory=dict)


class AcceptItem(Schema):
    task: int
    result: dict[str, Any] = Field(default_factory=dict)


class AcceptBatchIn(Schema):
    items: list[AcceptItem]


class AcceptBatchOut(Schema):
    accepted: list[int]
    completed_cases: list[int]


class RequestIn(Schema):
    request: str


class AnswerIn(Schema):
    answer: str
    data: dict[str, Any] | None = Field(None, description="corrected form fields (places cannot change)")


class ReasonIn(Schema):
    reason: str


# --- helpers ------------------------------------------------------------------------------------------


def _service_out(spec: ServiceSpec) -> dict[str, Any]:
    return {
        "code": spec.code, "label": str(spec.label), "limit_days": float(spec.limit_days),
        "form": [{"name": f.name, "label": str(f.label), "kind": f.kind, "required": f.required,
                  "choices": [{"value": v, "label": str(label)} for v, label in f.choices]} for f in spec.form],
        "prechecks": list(spec.prechecks),
        "tasks": [{"code": t.code, "label": str(t.label), "department": t.department,
                   "office": DEPARTMENTS[t.department].office, "side": DEPARTMENTS[t.department].side,
                   "limit_days": float(t.limit_days), "after": list(t.after), "required": t.required,
                   "requested_by": t.requested_by or None, "writes": list(t.writes)} for t in spec.tasks],
    }


def _left(due_at: dt.datetime | None, running: bool, at: dt.datetime) -> float | None:
    if not running or due_at is None:
        return None
    if at > due_at:
        return -float(working_days_between(due_at, at))
    return float(working_days_between(at, due_at))


def _task_out(task: Task, at: dt.datetime) -> dict[str, Any]:
    spec = service(task.case.service)
    department = DEPARTMENTS[task.department]
    running = task.status == TaskStatus.OPEN
    return {
        "id": task.pk, "case_id": task.case_id, "code": task.code, "label": str(spec.task(task.code).label),
        "department": task.department, "department_label": str(department.label), "office": department.office,
        "place": task.place.name, "place_code": task.place.code, "required": task.required,
        "status": task.status, "status_label": str(TaskStatus(task.status).label), "limit_days": float(task.limit_days),
        "opened_at": task.opened_at, "due_at": task.due_at, "done_at": task.done_at,
        "paused_days": float(task.paused_days), "working_days_left": _left(task.due_at, running, at),
        "due_soon": clock.due_soon(task, at), "overdue": clock.overdue(task, at), "escalated_at": task.escalated_at,
        "result": task.result,
    }


def _correction_out(c: Correction) -> dict[str, Any]:
    return {"id": c.pk, "task_id": c.task_id, "request": c.request, "answer": c.answer, "asked_at": c.asked_at,
            "answered_at": c.answered_at}


def _case_out(case: Case) -> dict[str, Any]:
    return {"id": case.pk, "service": case.service, "service_label": str(service(case.service).label),
            "enterprise": case.enterprise.name, "uscc": case.enterprise.uscc or "", "place_code": case.place.code,
            "status": case.status, "status_label": str(CaseStatus(case.status).label), "created_at": case.created_at,
            "submitted_at": case.submitted_at, "due_at": case.due_at, "completed_at": case.completed_at}


def _case_detail(case: Case) -> dict[str, Any]:
    at = clock.now()
    corrections: dict[int, list[Correction]] = {}
    paused = Pause.objects.filter(case=case, task__isnull=True, ended_at__isnull=True).exists()
    tasks = list(Task.objects.filter(case=case).select_related("place").order_by("pk"))
    for t in tasks:
        t.case = case
    for c in Correction.objects.filter(task__case=case).order_by("asked_at", "pk"):
        corrections.setdefault(c.task_id, []).append(c)
    documents = list(Document.objects.filter(case=case).order_by("uploaded_at", "pk"))
    for d in documents:
        d.case = case
    running = case.status == CaseStatus.SUBMITTED and not paused
    return {
        **_case_out(case), "data": case.data, "outcome": case.outcome, "paused": paused,
        "paused_days": float(case.paused_days), "working_days_left": _left(case.due_at, running, at),
        "due_soon": clock.due_soon(case, at, running=running), "overdue": clock.overdue(case, at, running=running),
        "reject_reason": case.reject_reason,
        "tasks": [{**_task_out(t, at), "corrections": [_correction_out(c) for c in corrections.get(t.pk, [])]}
                  for t in tasks],
        "documents": [_document_out(d) for d in documents],
    }


def _document_out(d: Document) -> dict[str, Any]:
    spec = service(d.case.service)
    try:
        label = str(spec.document(d.code).label)
    except KeyError:  # a kind no longer declared: the file stays readable under its code
        label = d.code
    return {"id": d.pk, "code": d.code, "label": label, "name": d.name, "size": d.size, "uploaded_at": d.uploaded_at}


def _cases(user: Any) -> QuerySet[Case]:
    """The cases the caller may see: their own enterprise's (onestop.apply) and those in their
    onestop.view scope."""
    if not (has_perm(user, APPLY) or has_perm(user, VIEW)):
        raise PermissionDenied()
    qs = Case.objects.none()
    if has_perm(user, APPLY) and getattr(user, "organisation_id", None):
        qs = qs | actions.cases_of(user).order_by()
    if has_perm(user, VIEW):
        qs = qs | restrict(Case.objects.all(), user, VIEW)
    return qs.select_related("enterprise", "place")


def _own_case(user: Any, pk: int) -> Case:
    require_perm(user, APPLY)
    case = actions.cases_of(user).select_related("enterprise", "place").filter(pk=pk).first()
    if case is None:
        raise NotFound()
    return case


def _require_handler(user: Any) -> None:
    if not actions.offices_of(user):
        raise PermissionDenied()


def _task(pk: int) -> Task:
    return Task.objects.select_related("case", "place").get(pk=pk)


# --- services -----------------------------------------------------------------------------------------


@router.get("/services", response=list[ServiceOut])
def list_services(request: HttpRequest) -> Any:
    """The services on offer: the form, the pre-checks, the department tasks with what each waits for
    and its time limit in working days. Any signed-in user."""
    return [_service_out(spec) for spec in services()]


# --- the applicant ------------------------------------------------------------------------------------


@router.post("/cases", response={201: CaseDetail, 422: PrecheckError})
def start_case(request: StaffRequest, payload: CaseIn) -> Any:
    """A draft application for the caller's own enterprise (identified by its credit code); with
    `submit`, filled and submitted at once (every pre-check must pass, otherwise 422 with every
    blocker and nothing written, not even the draft)."""
    require_perm(request.user, APPLY)
    try:
        case = actions.do_start(payload.service.strip(), payload.uscc, payload.data, acting_user=request.user,
                                submit=payload.submit)
    except actions.PrecheckFailed as exc:
        return Status(exc.status, {**exc.as_dict(), "blockers": [b.as_dict() for b in exc.blockers]})
    return Status(201, _case_detail(case))  # its enterprise and place are loaded already


@router.get("/cases", response=CasePage)
def list_cases(request: HttpRequest, page: Query[Page], status: str = "") -> Any:
    """The caller's enterprise's applications and the cases in their scope, newest first."""
    qs = _cases(request.user)
    if status:
        if status not in CaseStatus.values:
            raise KernelError(_("Unknown status; one of: %(values)s.") % {"values": ", ".join(CaseStatus.values)},
                              field="status")
        qs = qs.filter(status=status)
    result = paginate(qs.order_by("-created_at", "-pk"), page)
    result["items"] = [_case_out(c) for c in result["items"]]
    return result


@router.get("/cases/{pk}", response=CaseDetail)
def get_case(request: HttpRequest, pk: int) -> Any:
    """One case with its tasks (states, due times, working days left) and corrections."""
    case = _cases(request.user).filter(pk=pk).first()
    if case is None:
        raise NotFound()
    return _case_detail(case)


@router.post("/cases/{pk}/prechecks", response=PrecheckOut)
def prechecks(request: HttpRequest, pk: int) -> Any:
    """Run the pre-checks on the draft as it stands; writes nothing."""
    case = _own_case(request.user, pk)
    return {"blockers": [b.as_dict() for b in actions.run_prechecks(case)]}


@router.post("/cases/{pk}/submit", response={200: CaseDetail, 422: PrecheckError})
def submit_case(request: StaffRequest, pk: int) -> Any:
    """Submit the draft: the form must be complete and every pre-check pass (otherwise 422,
    code precheck_failed, every blocker listed, nothing written); the departments' tasks open."""
    case = _own_case(request.user, pk)
    try:
        actions.do_submit(case.pk, acting_user=request.user)
    except actions.PrecheckFailed as exc:
        return Status(exc.status, {**exc.as_dict(), "blockers": [b.as_dict() for b in exc.blockers]})
    return _case_detail(Case.objects.select_related("enterprise", "place").get(pk=case.pk))


@router.post("/cases/{pk}/documents", response={201: DocumentOut})
def attach_document(request: StaffRequest, pk: int, code: Form[str] = "",
                    file: File[UploadedFile | None] = None) -> Any:
    """Add a supporting document to the caller's application in progress: a multipart form with
    `code` (one of the service's declared documents) and `file` (PDF, JPEG or PNG, checked by its
    content, at most 10 MB). Read back through GET /cases/{id} (`documents`). A missing or refused
    part answers 400 naming it (`field`: code or file)."""
    # Both parts are optional to the schema so that the caller's right to the case is checked first
    # (403/404 before any 400); then the attach form the application page uses checks them.
    case = _own_case(request.user, pk)
    form = AttachForm({"code": code}, MultiValueDict({"file": [file]} if file is not None else {}))
    if not form.is_valid():
        raise refusal(form)
    document = actions.do_attach(case.pk, form.cleaned_data["code"], form.cleaned_data["file"],
                                 acting_user=request.user)
    return Status(201, _document_out(document))


@router.post("/cases/{pk}/withdraw", response=CaseDetail)
def withdraw_case(request: StaffRequest, pk: int) -> Any:
    case = _own_case(request.user, pk)
    actions.do_withdraw(case.pk, acting_user=request.user)
    return _case_detail(Case.objects.select_related("enterprise", "place").get(pk=case.pk))


@router.post("/corrections/{pk}/answer", response=CorrectionOut)
def answer_correction(request: StaffRequest, pk: int, payload: AnswerIn) -> Any:
    """The applicant answers a correction (once), optionally correcting form fields; the clocks run again."""
    require_perm(request.user, APPLY)
    corr = actions.do_answer_correction(pk, payload.answer, acting_user=request.user, data=payload.data)
    return _correction_out(corr)


# --- the departments ----------------------------------------------------------------------------------


@router.get("/queue", response=QueuePage)
def queue(request: HttpRequest, page: Query[Page], office: str = "") -> Any:
    """Open tasks, oldest due first: of the offices the caller handles, in the scope where each is
    handled (`office` narrows to one); a viewer handling no office sees every open task in scope."""
    user = request.user
    require_perm(user, VIEW)
    offices = actions.offices_of(user)
    if office:
        if office not in OFFICES:
            raise KernelError(_("Unknown office; one of: %(values)s.") % {"values": ", ".join(OFFICES)},
                              field="office")
        offices = [o for o in offices if o == office]
        if not offices:
            raise PermissionDenied(field="office")
    if offices:
        start = (page.page - 1) * page.size
        rows = actions.queue_slice(user, offices, start, start + page.size + 1,
                                   related=("case__enterprise", "place"))
        result: dict[str, Any] = {"page": page.page, "size": page.size, "has_next": len(rows) > page.size,
                                  "items": rows[:page.size]}
    else:
        qs = restrict(Task.objects.filter(status=TaskStatus.OPEN), user, VIEW)
        result = paginate(qs.select_related("case__enterprise", "place").order_by("due_at", "pk"), page)
    at = clock.now()
    result["items"] = [{**_task_out(t, at), "service": t.case.service, "enterprise": t.case.enterprise.name,
                        "uscc": t.case.enterprise.uscc or ""} for t in result["items"]]
    return result


@router.post("/tasks/{pk}/accept", response=TaskOut)
def accept_task(request: StaffRequest, pk: int, payload: ResultIn) -> Any:
    """The department finishes its task with its result (the keys the task writes are required)."""
    _require_handler(request.user)
    actions.do_accept(pk, payload.result, acting_user=request.user)
    return _task_out(_task(pk), clock.now())


@router.post("/tasks/accept", response=AcceptBatchOut)
def accept_tasks(request: StaffRequest, payload: AcceptBatchIn) -> Any:
    """Finish many tasks of the caller's queue at once (up to 500), each with its result: all or
    nothing — a task not in the queue, not open, or missing a declared result refuses the batch,
    the error naming the item (`items[3].task`). Answers the tasks done and the cases completed."""
    _require_handler(request.user)
    tasks = actions.do_accept_many([(item.task, item.result) for item in payload.items], acting_user=request.user)
    return {"accepted": [t.pk for t in tasks],
            "completed_cases": sorted({t.case_id for t in tasks if t.case.status == CaseStatus.COMPLETED})}


@router.post("/tasks/{pk}/correction", response={201: CorrectionOut})
def ask_correction(request: StaffRequest, pk: int, payload: RequestIn) -> Any:
    """Ask the applicant to correct something: the task's and the case's clocks stop."""
    _require_handler(request.user)
    return Status(201, _correction_out(actions.do_ask_correction(pk, payload.request, acting_user=request.user)))


@router.post("/tasks/{pk}/reject", response=TaskOut)
def reject_task(request: StaffRequest, pk: int, payload: ReasonIn) -> Any:
    """Refuse: the case is rejected with the reason and its other tasks closed."""
    _require_handler(request.user)
    actions.do_reject(pk, payload.reason, acting_user=request.user)
    return _task_out(_task(pk), clock.now())

