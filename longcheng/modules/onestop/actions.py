"""Every change in the one-stop service. Each action checks the permission and the scope, writes in
one transaction with its audit row, and on refusal raises a KernelError naming the field and the
rule, having written nothing.

The case row is locked (select_for_update) at the start of every action on a case or its tasks, so
departments acting in parallel on one case are serialised: the last of two parallel tasks to finish
sees the other done and opens what waited for both.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from longcheng.kernel import sql, uploads
from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import place_in_scope, require_perm
from longcheng.kernel.audit.actions import changes, record, record_many, snapshot
from longcheng.kernel.audit.actions import entry as audit_entry
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import Conflict, ErrorCode, KernelError, NotFound, PermissionDenied
from longcheng.kernel.notify.api import queue_message
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.orgs.validators import validate_uscc
from longcheng.kernel.places.models import Place
from longcheng.kernel.workdays.api import SHANGHAI

from . import clock
from .access import (  # the queries below are read as actions.<name> by the api, pages and benches
    QUEUE_DEPTH,  # noqa: F401
    _as_applicant,
    _as_handler,
    cases_of,  # noqa: F401
    offices_of,  # noqa: F401
    queue,  # noqa: F401
    queue_slice,  # noqa: F401
)
from .catalogue import DEPARTMENTS, ServiceSpec, service
from .errors import ErrorCode as Code
from .models import Case, CaseStatus, Correction, Document, EnterpriseStanding, Pause, Task, TaskStatus
from .prechecks import (
    PRECHECKS,
    Blocker,
    district_of,
    forget_reads,
    place_by_code,
    place_columns,
    read_place,
    remember,
    with_parent,
)
from .rules import FINISHED_TASK, _text
from .spec import APPLY, handle_permission


class PrecheckFailed(KernelError):
    """A submission refused by pre-checks; `blockers` lists every one of them."""

    status = 422
    default_code = Code.PRECHECK_FAILED

    def __init__(self, blockers: list[Blocker]) -> None:
        message = _("The application cannot be submitted: %(problems)s") % {
            "problems": " ".join(f"{b.message} {b.remedy}" for b in blockers)}
        super().__init__(message, field=blockers[0].field if len(blockers) == 1 else None)
        self.blockers = blockers


def _service(code: str) -> ServiceSpec:
    try:
        return service(code)
    except KeyError:
        raise KernelError(_("There is no one-stop service %(code)s.") % {"code": code},
                          code=Code.UNKNOWN_SERVICE, field="service") from None


# --- the form -------------------------------------------------------------------------------------


def _clean_value(kind: str, value: Any, name: str, choices: tuple[tuple[str, Any], ...],
                 place_of: Callable[[str], Any] | None = None) -> Any:
    if kind == "text":
        return _text(value, name)
    if kind == "date":
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise KernelError(_("Give a date as YYYY-MM-DD."), code=ErrorCode.INVALID_DATE, field=name) from None
    if kind == "place":
        code = str(value).strip()
        if (place_of or read_place)(code) is None:
            raise KernelError(_("There is no place with this code."), code=ErrorCode.INVALID_PLACE, field=name)
        return code
    if kind == "money":
        if isinstance(value, bool) or not (isinstance(value, int) or str(value).strip().isdigit()):
            raise KernelError(_("An amount is a whole number of fen, zero or more."), code=ErrorCode.INVALID_AMOUNT,
                              field=name)
        return int(value)
    if str(value) not in {c for c, _label in choices}:
        raise KernelError(_("Choose one of the listed options."), field=name)
    return str(value)


def clean_form(spec: ServiceSpec, data: Mapping[str, Any], *, complete: bool,
               place_of: Callable[[str], Any] | None = None) -> dict[str, Any]:
    """The form data checked against the declaration. `complete`: every required field must be there
    (submission); otherwise (a draft) missing fields are allowed. `place_of(code)`: how to read a
    place (the pre-checks' reads, so a submission reads the new place once)."""
    if not isinstance(data, Mapping):
        raise KernelError(_("The form data must be an object of fields."), field="data")
    known = {f.name for f in spec.form}
    for name in data:
        if name not in known:
            raise KernelError(_("%(name)s is not a field of this form.") % {"name": name},
                              code=Code.UNKNOWN_FIELD, field=str(name))
    cleaned: dict[str, Any] = {}
    for f in spec.form:
        value = data.get(f.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if complete and f.required:
                raise KernelError(_("%(label)s is required.") % {"label": f.label}, code=ErrorCode.REQUIRED,
                                  field=f.name)
            continue
        cleaned[f.name] = _clean_value(f.kind, value, f.name, f.choices, place_of)
    return cleaned


# --- the applicant --------------------------------------------------------------------------------


def _refuse_closed(enterprise: Organisation) -> None:
    if enterprise.closed_on is not None:
        raise Conflict(_("The enterprise was deregistered on %(date)s; it can no longer apply.") % {
            "date": enterprise.closed_on.isoformat()}, code=Code.ENTERPRISE_CLOSED, field="uscc")


def do_start(service_code: str, uscc: str, data: Mapping[str, Any], *, acting_user: Any,
             submit: bool = False) -> Case:
    """A draft application by an enterprise's staff member for their own enterprise; with `submit`,
    filled and submitted in the same transaction (as do_submit: a failing form or pre-check raises
    and nothing is written, not even the draft)."""
    spec = _service(service_code)
    with transaction.atomic():
        require_perm(acting_user, APPLY)
        number = validate_uscc(uscc, field="uscc")
        enterprise, busy = _applying_enterprise(number, spec.code)
        if (enterprise is None or enterprise.pk != getattr(acting_user, "organisation_id", None)
                or enterprise.place is None or not place_in_scope(acting_user, APPLY, enterprise.place.path)):
            raise PermissionDenied(_("You can apply only for your own enterprise, registered in your area."),
                                   code=Code.NOT_OWN_ENTERPRISE, field="uscc")
        _refuse_closed(enterprise)
        cleaned = clean_form(spec, data, complete=submit, place_of=lambda code: place_by_code(enterprise, code))
        if busy:
            raise Conflict(_("The enterprise already has an application for this service in progress."),
                           field="service")
        case = Case(service=spec.code, enterprise=enterprise, place=enterprise.place, applicant=acting_user,
                    data=cleaned)
        if not submit:
            case.save(force_insert=True)
            record(acting_user, "onestop.start", case, after={"service": spec.code, "data": cleaned})
            return case
        _check_and_fan_out(case, spec, acting_user, start=True)
        return case


def _applying_enterprise(number: str, service_code: str) -> tuple[Organisation | None, bool]:
    """The enterprise with this credit code, its place and the place's parent, its standing (kept
    for the pre-checks), and whether it has an application for the service in progress: one
    hand-written statement (kernel.sql) where the ORM took five, as every submission starts here."""
    q = sql.quote
    org, standing = sql.all_columns(Organisation, "o"), sql.all_columns(EnterpriseStanding, "s")
    rows = sql.fetch(
        f"SELECT {org.sql}, {place_columns('p').sql}, {place_columns('pp').sql}, {standing.sql}, "
        f"EXISTS (SELECT 1 FROM {sql.table(Case)} c WHERE c.{q('enterprise_id')} = o.{q('id')} "
        f"AND c.{q('service')} = %s AND c.{q('status')} IN (%s, %s)) "
        f"FROM {sql.table(Organisation)} o "
        f"LEFT JOIN {sql.table(Place)} p ON p.{q('id')} = o.{q('place_id')} "
        f"LEFT JOIN {sql.table(Place)} pp ON pp.{q('id')} = p.{q('parent_id')} "
        f"LEFT JOIN {sql.table(EnterpriseStanding)} s ON s.{q('enterprise_id')} = o.{q('id')} "
        f"WHERE o.{q('uscc')} = %s", [service_code, CaseStatus.DRAFT, CaseStatus.SUBMITTED, number])
    if not rows:
        return None, False
    row = rows[0]
    enterprise, at = org.split(row, 0)
    place, at = with_parent(row, at, "p", "pp")
    Organisation._meta.get_field("place").set_cached_value(enterprise, place)
    found, at = standing.split(row, at)
    remember(enterprise, standing=found)
    return enterprise, bool(row[at])


def _check_and_fan_out(case: Case, spec: ServiceSpec, acting_user: Any, *, start: bool) -> None:
    """Run the pre-checks on the (complete) form, then submit: the case's clock starts and the
    department tasks are written, those waiting for nothing open at once. `start`: the case is new
    and is inserted here already submitted (with its start and submission audit rows)."""
    required = [d for d in spec.documents if d.required]
    if required:  # a new case has no documents yet
        have = set() if start else set(Document.objects.filter(case=case).values_list("code", flat=True))
        for doc in required:
            if doc.code not in have:
                raise KernelError(_("Attach %(document)s first.") % {"document": doc.label},
                                  code=ErrorCode.REQUIRED, field=doc.code)
    blockers = run_prechecks(case, fresh=not start)
    if blockers:
        raise PrecheckFailed(blockers)
    at = clock.now()
    enterprise = case.enterprise
    current = district_of(enterprise.place, enterprise)
    receiving = current
    for form_field, org_field in spec.applies:
        if org_field == "place" and case.data.get(form_field):
            receiving = district_of(place_by_code(enterprise, str(case.data[form_field])), enterprise) or current
    case.status, case.submitted_at, case.due_at = CaseStatus.SUBMITTED, at, clock.due(at, spec.limit_days)
    if start:
        sql.insert_objects([case])
    else:
        case.save(update_fields=["data", "status", "submitted_at", "due_at"])
    # Kept on the case for the caller's answer (the API's), which needs no second read.
    case.new_tasks = sql.insert_objects([  # type: ignore[attr-defined]
        Task(case=case, code=t.code, department=t.department, required=t.required, limit_days=t.limit_days,
             place=receiving if DEPARTMENTS[t.department].side == "receiving" else current,
             status=TaskStatus.OPEN if not t.after else TaskStatus.BLOCKED,
             opened_at=at if not t.after else None, due_at=clock.due(at, t.limit_days) if not t.after else None)
        for t in spec.tasks])
    rows = [audit_entry(acting_user, "onestop.start", case, after={"service": spec.code, "data": case.data})] \
        if start else []
    rows.append(audit_entry(acting_user, "onestop.submit", case,
                            after={"status": case.status, "due_at": case.due_at.isoformat(), "data": case.data}))
    record_many(rows)


MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# What a scan may be, decided by its content (kernel.uploads: signature, and no markup anywhere).
DOCUMENT_KINDS = uploads.SCANS


def do_attach(case: Case | int, code: str, upload: Any, *, acting_user: Any) -> Document:
    """The applicant adds a supporting document of a declared kind to an application in progress
    (a draft, or submitted: e.g. with the answer to a correction). PDF, JPEG or PNG, checked by its
    content; at most MAX_DOCUMENT_BYTES."""
    with transaction.atomic():
        locked = _as_applicant(case, acting_user)
        if locked.status not in (CaseStatus.DRAFT, CaseStatus.SUBMITTED):
            raise Conflict(_("The application is finished; nothing can be added to it."),
                           code=Code.CASE_NOT_ACTIVE, field="file")
        spec = _service(locked.service)
        try:
            spec.document(str(code or ""))
        except KeyError:
            raise KernelError(_("Choose one of the documents this service asks for."), code=ErrorCode.REQUIRED,
                              field="code") from None
        uploads.check_upload(upload, allowed=DOCUMENT_KINDS, max_bytes=MAX_DOCUMENT_BYTES, field="file")
        name = str(getattr(upload, "name", "") or code)[-200:]
        document = Document.objects.create(case=locked, code=code, file=upload, name=name, size=upload.size,
                                           uploaded_by=acting_user)
        record(acting_user, "onestop.attach", document, after={"case": locked.pk, "code": code, "name": name,
                                                               "size": upload.size})
        return document


def do_update_draft(case: Case | int, data: Mapping[str, Any], *, acting_user: Any) -> Case:
    with transaction.atomic():
        locked = _as_applicant(case, acting_user)
        if locked.status != CaseStatus.DRAFT:
            raise Conflict(_("Only a draft can be changed."), code=Code.CASE_NOT_ACTIVE, field="data")
        cleaned = clean_form(_service(locked.service), {**locked.data, **data}, complete=False)
        before, after = changes(locked.data, cleaned)
        locked.data = cleaned
        locked.save(update_fields=["data"])
        record(acting_user, "onestop.update_draft", locked, before=before, after=after)
        return locked


def run_prechecks(case: Case, *, fresh: bool = True) -> list[Blocker]:
    """Every pre-check's blocker. `fresh`: forget what earlier runs read about the enterprise (a
    submission keeps what its own form check has just read)."""
    spec = _service(case.service)
    if fresh:
        forget_reads(case.enterprise)
    blockers = []
    for code in spec.prechecks:
        blocker = PRECHECKS[code](case.enterprise, case.data)
        if blocker is not None:
            blockers.append(blocker)
    return blockers


def do_submit(case: Case | int, *, acting_user: Any) -> Case:
    """Check the form and the pre-checks, then fan out into the department tasks: those waiting for
    nothing open at once (in parallel), the others wait. Sets every due time."""
    with transaction.atomic():
        locked = _as_applicant(case, acting_user)
        if locked.status != CaseStatus.DRAFT:
            raise Conflict(_("This application has already been submitted."), code=Code.CASE_NOT_ACTIVE)
        _refuse_closed(locked.enterprise)
        spec = _service(locked.service)
        locked.data = clean_form(spec, locked.data, complete=True)
        _check_and_fan_out(locked, spec, acting_user, start=False)
        return locked


def _close_pause(pause: Pause, at: dt.datetime) -> Any:
    pause.ended_at = at
    pause.days = clock.paused_between(pause.started_at, at)
    pause.save(update_fields=["ended_at", "days"])
    return pause.days


def _finish_open_work(case: Case, at: dt.datetime) -> None:
    """Close every unfinished task and stopped clock of a case that has ended."""
    for pause in Pause.objects.filter(case=case, ended_at__isnull=True):
        _close_pause(pause, at)
    Task.objects.filter(case=case).exclude(status__in=FINISHED_TASK).update(status=TaskStatus.CLOSED, done_at=at)


def do_answer_correction(correction: Correction | int, answer: str, *, acting_user: Any,
                         data: Mapping[str, Any] | None = None) -> Correction:
    """The applicant answers (optionally correcting form fields other than places); the task's clock,
    and the case's when no other correction is awaited, run again with their due times moved by
    the paused working time. A correction is answered once."""
    pk = correction.pk if isinstance(correction, Correction) else correction
    with transaction.atomic():
        case_id = Correction.objects.filter(pk=pk).values_list("task__case_id", flat=True).first()
        if case_id is None:
            raise NotFound()
        case = _as_applicant(case_id, acting_user)
        corr = Correction.objects.select_for_update().select_related("task").get(pk=pk)
        if corr.answered_at is not None:
            raise Conflict(_("This correction has already been answered."), code=Code.ALREADY_ANSWERED,
                           field="answer")
        task = corr.task
        if task.status != TaskStatus.CORRECTION or case.status != CaseStatus.SUBMITTED:
            raise Conflict(_("The application is no longer waiting for this correction."),
                           code=Code.CASE_NOT_ACTIVE, field="answer")
        text = _text(answer, "answer", limit=2000)
        at = clock.now()
        if data:
            spec = _service(case.service)
            for name in data:
                if name in {f.name for f in spec.form if f.kind == "place"}:
                    raise KernelError(_("The place decides which departments handle the application; it "
                                        "cannot be changed by a correction."), field=str(name))
            cleaned = clean_form(spec, {**case.data, **data}, complete=True)
            before, after = changes(case.data, cleaned)
            case.data = cleaned
            case.save(update_fields=["data"])
            record(acting_user, "onestop.correct_data", case, before=before, after=after)
        corr.answer, corr.answered_at, corr.answered_by = text, at, acting_user
        corr.save(update_fields=["answer", "answered_at", "answered_by"])
        pause = Pause.objects.get(task=task, ended_at__isnull=True)
        task.paused_days += _close_pause(pause, at)
        task.due_at = clock.due(task.opened_at, task.limit_days, task.paused_days)  # type: ignore[arg-type]
        task.status = TaskStatus.OPEN
        task.save(update_fields=["paused_days", "due_at", "status"])
        if not Task.objects.filter(case=case, status=TaskStatus.CORRECTION).exists():
            case_pause = Pause.objects.filter(case=case, task__isnull=True, ended_at__isnull=True).first()
            if case_pause is not None:
                case.paused_days += _close_pause(case_pause, at)
                case.due_at = clock.due(case.submitted_at, _service(case.service).limit_days,  # type: ignore[arg-type]
                                        case.paused_days)
                case.save(update_fields=["paused_days", "due_at"])
        record(acting_user, "onestop.answer_correction", corr,
               after={"answer": text, "task_due_at": task.due_at.isoformat() if task.due_at else None})
        return corr


def do_withdraw(case: Case | int, *, acting_user: Any) -> Case:
    with transaction.atomic():
        locked = _as_applicant(case, acting_user)
        if locked.status not in (CaseStatus.DRAFT, CaseStatus.SUBMITTED):
            raise Conflict(_("This application has ended; it cannot be withdrawn."), code=Code.CASE_NOT_ACTIVE)
        at = clock.now()
        before = locked.status
        _finish_open_work(locked, at)
        locked.status, locked.completed_at = CaseStatus.WITHDRAWN, at
        locked.save(update_fields=["status", "completed_at"])
        record(acting_user, "onestop.withdraw", locked, before={"status": before}, after={"status": locked.status})
        return locked


# --- the departments ------------------------------------------------------------------------------


def _notify_applicant(case: Case, subject: str, body: str) -> None:
    queue_message("inapp", to_user=case.applicant, subject=subject, body=body, related=case)


BATCH_LIMIT = 500


def do_accept(task: Task | int, result: Mapping[str, Any] | None, *, acting_user: Any) -> Task:
    """A department finishes its task, writing its result back to the case (see do_accept_many)."""
    return do_accept_many([(task.pk if isinstance(task, Task) else task, result)], acting_user=acting_user)[0]


def do_accept_many(items: Sequence[tuple[int, Mapping[str, Any] | None]], *, acting_user: Any) -> list[Task]:
    """Departments finish tasks, each writing its declared result back to its case. Tasks whose
    dependencies are now all done open; when every required task of a case is done the case
    completes (and the enterprise changes as the service declares, e.g. its place and address on
    relocation), in the same transaction.

    All or nothing: a task that is not in the user's queue, not open, or without its declared
    result refuses the whole batch, naming the item (`items[3].task`), and nothing is written. The
    cases are locked in id order (then their tasks), so departments working overlapping batches in
    parallel queue up instead of deadlocking, and the last of two parallel tasks to finish sees the
    other done. A batch is a handful of statements whatever its size: a clerk clearing the routine
    part of a queue, or the API's batch endpoint."""
    if not items:
        raise KernelError(_("Nothing to accept."), code=ErrorCode.REQUIRED, field="items")
    if len(items) > BATCH_LIMIT:
        raise KernelError(_("At most %(n)s tasks at a time.") % {"n": BATCH_LIMIT}, field="items")
    single = len(items) == 1

    def where(i: int, name: str) -> str:
        return name if single else f"items[{i}].{name}"

    pks = [pk for pk, _result in items]
    if len(set(pks)) != len(pks):
        raise KernelError(_("A task is listed twice."), field="items")
    with transaction.atomic():
        heads = _task_heads(pks)
        for i, pk in enumerate(pks):
            head = heads.get(pk)
            if head is None:
                raise NotFound(field=None if single else where(i, "task"))
            _case_id, department, path = head
            if not place_in_scope(acting_user, handle_permission(DEPARTMENTS[department].office), path):
                raise NotFound(_("This task is not in your department's queue."), field=None if single else where(i, "task"))
        case_ids = sorted({case_id for case_id, _d, _p in heads.values()})
        cases, tasks_of_case = _lock_cases_and_tasks(case_ids)
        by_pk = {t.pk: t for tasks in tasks_of_case.values() for t in tasks}
        at = clock.now()
        audit: list[AuditEntry] = []
        changed: dict[int, tuple[Task, set[str]]] = {}

        def change(locked: _Locked, **values: Any) -> Task:
            task = locked.task()
            for name, value in values.items():
                setattr(task, name, value)
            locked.status = task.status
            changed.setdefault(task.pk, (task, set()))[1].update(values)
            return task

        outcome_changed: set[int] = set()
        for i, (pk, given) in enumerate(items):
            locked = by_pk[pk]
            if locked.status != TaskStatus.OPEN:
                raise Conflict(_("This task is %(status)s, not open: it cannot be handled now.") % {
                    "status": TaskStatus(locked.status).label}, code=Code.TASK_NOT_OPEN, field=where(i, "task"))
            case = locked.case
            declared = _service(case.service).task(locked.code)
            result = dict(given or {})
            for key in declared.writes:
                if not str(result.get(key) or "").strip():
                    raise KernelError(_("The result must give %(key)s.") % {"key": key}, code=ErrorCode.REQUIRED,
                                      field=where(i, key))
            t = change(locked, status=TaskStatus.DONE, done_at=at, handled_by_id=acting_user.pk, result=result)
            if declared.writes:
                case.outcome = {**case.outcome, **{key: result[key] for key in declared.writes}}
                outcome_changed.add(case.pk)
            audit.append(audit_entry(acting_user, "onestop.accept", t, after={"status": t.status, "result": result}))
        completed: list[Case] = []
        for case_id in case_ids:
            case, tasks = cases[case_id], tasks_of_case[case_id]
            spec = _service(case.service)
            done = {t.code for t in tasks if t.status == TaskStatus.DONE}
            for locked in tasks:
                if locked.status == TaskStatus.BLOCKED and set(spec.task(locked.code).after) <= done:
                    limit = locked.task().limit_days
                    t = change(locked, status=TaskStatus.OPEN, opened_at=at, due_at=clock.due(at, limit))
                    audit.append(audit_entry(acting_user, "onestop.open_task", t, after={"status": t.status}))
            if all(t.code in done for t in tasks if t.required):
                for locked in tasks:
                    if locked.status not in FINISHED_TASK:
                        change(locked, status=TaskStatus.CLOSED, done_at=at)
                case.status, case.completed_at = CaseStatus.COMPLETED, at
                audit.append(audit_entry(acting_user, "onestop.complete", case,
                                         after={"status": case.status, "outcome": case.outcome}))
                completed.append(case)
        _update_grouped(Task, changed.values())
        # Only the cases whose outcome or status changed (most tasks write no result).
        _update_grouped(Case, [(c, {"outcome", "status", "completed_at"} if c.status == CaseStatus.COMPLETED
                                    else {"outcome"}) for c in cases.values()
                               if c.status == CaseStatus.COMPLETED or c.pk in outcome_changed])
        if completed:
            for pause in Pause.objects.filter(case__in=completed, ended_at__isnull=True):
                _close_pause(pause, at)
            audit.extend(_apply_to_enterprises(completed, acting_user))
        record_many(audit)
        if completed:
            applicants = {u.pk: u for u in User.objects.filter(pk__in={c.applicant_id for c in completed})}
            for case in completed:
                Case._meta.get_field("applicant").set_cached_value(case, applicants[case.applicant_id])
                spec = _service(case.service)
                _notify_applicant(case, _("Your application is complete: %(service)s") % {"service": spec.label},
                                  _("Every department has finished its part."))
        return [by_pk[pk].task() for pk in pks]


def _task_heads(pks: list[int]) -> dict[int, tuple[int, str, str]]:
    """Task id → (its case, its department, its place's path), for the scope check before any lock."""
    q = sql.quote
    rows = sql.fetch(f"SELECT t.{q('id')}, t.{q('case_id')}, t.{q('department')}, p.{q('path')} "
                     f"FROM {sql.table(Task)} t JOIN {sql.table(Place)} p ON p.{q('id')} = t.{q('place_id')} "
                     f"WHERE t.{q('id')} IN ({sql.placeholders(len(pks))})", pks)
    return {pk: (case_id, department, path) for pk, case_id, department, path in rows}


# What a batch decision reads of every task of its cases (the others stay deferred).
LOCKED_TASK_COLUMNS = ("id", "case_id", "code", "department", "place_id", "required", "status", "limit_days",
                       "opened_at", "due_at", "done_at", "paused_days")
_CODE, _REQUIRED, _STATUS = (LOCKED_TASK_COLUMNS.index(name) for name in ("code", "required", "status"))


class _Locked:
    """A task as a batch decision reads it under lock: what the decision needs (code, status,
    required), made into a Task with its case attached only if the batch changes it. A batch reads
    six tasks for each case it touches and changes one or two; making all six into model
    instances took half its time."""

    __slots__ = ("pk", "case", "code", "status", "required", "_row", "_task")

    def __init__(self, row: Sequence[Any], case: Case) -> None:
        self.pk, self.case, self._row = row[0], case, row
        self._task: Task | None = None
        self.code, self.status, self.required = row[_CODE], row[_STATUS], bool(row[_REQUIRED])

    def task(self) -> Task:
        if self._task is None:
            task: Task = sql.columns(Task, LOCKED_TASK_COLUMNS).instance(self._row)
            Task._meta.get_field("case").set_cached_value(task, self.case)
            task.status = self.status
            self._task = task
            return task
        return self._task


def _lock_cases_and_tasks(case_ids: list[int]) -> tuple[dict[int, Case], dict[int, list[_Locked]]]:
    """The cases, locked in id order, then all their tasks, locked in id order (FOR UPDATE on
    PostgreSQL; SQLite's write lock is already held): two hand-written statements (kernel.sql)."""
    q = sql.quote
    ids = sql.placeholders(len(case_ids))
    case_columns, task_columns = sql.all_columns(Case), sql.columns(Task, LOCKED_TASK_COLUMNS)
    cases = {c.pk: c for c in (case_columns.instance(row) for row in sql.fetch(
        f"SELECT {case_columns.sql} FROM {sql.table(Case)} WHERE {q('id')} IN ({ids}) ORDER BY {q('id')}"
        f"{sql.lock_clause()}", case_ids))}
    tasks: dict[int, list[_Locked]] = {pk: [] for pk in case_ids}
    for row in sql.fetch(f"SELECT {task_columns.sql} FROM {sql.table(Task)} WHERE {q('case_id')} IN ({ids}) "
                         f"ORDER BY {q('id')}{sql.lock_clause()}", case_ids):
        tasks[row[1]].append(_Locked(row, cases[row[1]]))
    return cases, tasks


def _plain(value: Any) -> Any:
    """An enterprise field as the audit keeps it: a place by its code, a date as ISO text."""
    if isinstance(value, Place):
        return str(value.code)
    return value.isoformat() if isinstance(value, dt.date) else value


def _update_grouped(model: Any, changes: Any) -> None:
    """Save the changed fields of many rows, given as (row, its changed fields), with one UPDATE per
    distinct set of new values. A batch's rows mostly share them (done now by this user, opened now
    with the same limit), and Django's bulk_update builds a CASE per row and field: 0.16 s for 100
    tasks against a few ms this way."""
    groups: dict[str, tuple[dict[str, Any], list[int]]] = {}
    for obj, fields in changes:
        values = {f: getattr(obj, f) for f in sorted(fields)}
        key = json.dumps(values, sort_keys=True, default=str)
        groups.setdefault(key, (values, []))[1].append(obj.pk)
    for values, pks in groups.values():
        model.objects.filter(pk__in=pks).update(**values)


def _apply_to_enterprises(completed: list[Case], acting_user: Any) -> list[AuditEntry]:
    """What completed cases change in their enterprises (their declared `applies`; closing it on
    deregistration), each enterprise locked, with one audit row per enterprise linking the case."""
    applying = [c for c in completed if _service(c.service).applies or _service(c.service).closes_enterprise]
    if not applying:
        return []
    firms = {o.pk: o for o in Organisation.objects.select_for_update(of=("self",)).select_related("place")
             .filter(pk__in=sorted({c.enterprise_id for c in applying})).order_by("pk")}
    codes = {str(c.data[form_field]) for c in applying for form_field, org_field in _service(c.service).applies
             if org_field == "place"}
    places = {p.code: p for p in Place.objects.filter(code__in=codes)} if codes else {}
    rows = []
    changed: dict[tuple[str, ...], list[Organisation]] = {}
    for case in applying:
        spec = _service(case.service)
        enterprise = firms[case.enterprise_id]
        fields = [org_field for _f, org_field in spec.applies] + (["closed_on"] if spec.closes_enterprise else [])
        before = {k: _plain(v) for k, v in snapshot(enterprise, fields).items()}
        for form_field, org_field in spec.applies:
            value = case.data[form_field]
            setattr(enterprise, org_field, places[str(value)] if org_field == "place" else value)
        if spec.closes_enterprise and case.completed_at is not None:
            enterprise.closed_on = case.completed_at.astimezone(SHANGHAI).date()
        changed.setdefault(tuple(sql.field(Organisation, f).attname for f in fields), []).append(enterprise)
        after = {k: _plain(v) for k, v in snapshot(enterprise, fields).items()}
        rows.append(audit_entry(acting_user, f"onestop.{spec.code}", enterprise, before=before, after=after,
                                reason=_("One-stop case %(case)s completed") % {"case": case.pk}))
    for attnames, firms_changed in changed.items():
        sql.update_each(Organisation, attnames, firms_changed)
    return rows


def do_ask_correction(task: Task | int, request: str, *, acting_user: Any) -> Correction:
    """The department asks the applicant to correct something; the task's and the case's clocks stop."""
    with transaction.atomic():
        locked = _as_handler(task, acting_user)
        text = _text(request, "request", limit=2000)
        at = clock.now()
        corr = Correction.objects.create(task=locked, request=text, asked_by=acting_user, asked_at=at)
        Pause.objects.create(case=locked.case, task=locked, started_at=at)
        if not Pause.objects.filter(case=locked.case, task__isnull=True, ended_at__isnull=True).exists():
            Pause.objects.create(case=locked.case, task=None, started_at=at)
        locked.status = TaskStatus.CORRECTION
        locked.save(update_fields=["status"])
        record(acting_user, "onestop.ask_correction", corr, after={"task": locked.code, "request": text})
        spec = _service(locked.case.service)
        _notify_applicant(locked.case, _("A correction is needed: %(service)s") % {"service": spec.label}, text)
        return corr


def do_reject(task: Task | int, reason: str, *, acting_user: Any) -> Task:
    """The department refuses: the case is rejected with the reason, its other tasks closed."""
    with transaction.atomic():
        locked = _as_handler(task, acting_user, allowed=(TaskStatus.OPEN, TaskStatus.CORRECTION))
        text = _text(reason, "reason", limit=2000)
        at = clock.now()
        case = locked.case
        locked.status, locked.done_at, locked.handled_by = TaskStatus.REJECTED, at, acting_user
        locked.result = {"reason": text}
        locked.save(update_fields=["status", "done_at", "handled_by", "result"])
        _finish_open_work(case, at)
        case.status, case.completed_at, case.reject_reason = CaseStatus.REJECTED, at, text
        case.save(update_fields=["status", "completed_at", "reject_reason"])
        record(acting_user, "onestop.reject", locked, after={"reason": text})
        record(acting_user, "onestop.reject_case", case, before={"status": CaseStatus.SUBMITTED},
               after={"status": case.status}, reason=text)
        spec = _service(case.service)
        _notify_applicant(case, _("Your application was rejected: %(service)s") % {"service": spec.label}, text)
        return locked


# Which office keeps which fact of an enterprise's standing.
STANDING_OWNERS = {"tax_arrears_fen": "tax", "social_arrears_fen": "social_security",
                   "abnormal_list": "market_regulation", "open_penalty": "market_regulation"}


def do_set_standing(enterprise: Organisation, *, acting_user: Any, **facts: Any) -> EnterpriseStanding:
    """A department records facts about an enterprise (each fact only by the office that keeps it,
    for an enterprise in its scope)."""
    with transaction.atomic():
        if not facts:
            raise KernelError(_("Nothing to record."), code=ErrorCode.REQUIRED, field="facts")
        place = enterprise.place
        for name, value in facts.items():
            if name not in STANDING_OWNERS:
                raise KernelError(_("%(name)s is not a standing fact.") % {"name": name}, field=name)
            if place is None or not place_in_scope(acting_user, handle_permission(STANDING_OWNERS[name]), place.path):
                raise PermissionDenied(field=name)
            if name.endswith("_fen") and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise KernelError(_("An amount is a whole number of fen, zero or more."),
                                  code=ErrorCode.INVALID_AMOUNT, field=name)
            if not name.endswith("_fen") and not isinstance(value, bool):
                raise KernelError(_("Yes or no."), field=name)
        standing, _created = EnterpriseStanding.objects.select_for_update().get_or_create(enterprise=enterprise)
        before = snapshot(standing, facts)
        for name, value in facts.items():
            setattr(standing, name, value)
        standing.save()
        old, new = changes(before, dict(facts))
        record(acting_user, "onestop.set_standing", standing, before=old, after=new)
        return standing
