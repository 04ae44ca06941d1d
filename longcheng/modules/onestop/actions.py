"""Every change in the one-stop service. Each action checks the permission and the scope, writes in
one transaction with its audit row, and on refusal raises a KernelError naming the field and the
rule, having written nothing.

The case row is locked (select_for_update) at the start of every action on a case or its tasks, so
departments acting in parallel on one case are serialised: the last of two parallel tasks to finish
sees the other done and opens what waited for both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from longcheng.kernel import uploads
from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import place_in_scope, require_perm
from longcheng.kernel.audit.actions import changes, record, record_many, snapshot
from longcheng.kernel.audit.actions import entry as audit_entry
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import Conflict, ErrorCode, KernelError, NotFound, PermissionDenied
from longcheng.kernel.notify.api import queue_message
from longcheng.kernel.orgs.actions import OrganisationChange, do_change_organisations
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
    queue_filter,  # noqa: F401
    queue_slice,  # noqa: F401
)
from .bulk import update_grouped
from .catalogue import DEPARTMENTS, ServiceSpec, result_label, service, services
from .errors import ErrorCode as Code
from .formdata import clean_form
from .models import Case, CaseStatus, Correction, Document, EnterpriseStanding, Pause, Task, TaskStatus
from .prechecks import PRECHECKS, Blocker, district_of, read_place
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


# --- the applicant --------------------------------------------------------------------------------


def _refuse_closed(enterprise: Organisation) -> None:
    if enterprise.closed_on is not None:
        raise Conflict(_("The enterprise was deregistered on %(date)s; it can no longer apply.") % {
            "date": enterprise.closed_on.isoformat()}, code=Code.ENTERPRISE_CLOSED, field="uscc")


def _refuse_overlap(case: Case, spec: ServiceSpec) -> None:
    """A service that closes the enterprise (deregistration) is not submitted while another
    application of the enterprise runs, and nothing else is submitted while it runs: otherwise the
    others complete on a closed enterprise (a closed enterprise relocated and licensed). The
    applicant finishes or withdraws the others first; the message names them."""
    # The enterprise's row locked: two submissions of one enterprise racing are serialised here.
    list(Organisation.objects.select_for_update().filter(pk=case.enterprise_id).values_list("pk"))
    others = Case.objects.filter(enterprise_id=case.enterprise_id, status=CaseStatus.SUBMITTED).exclude(pk=case.pk)
    if not spec.closes_enterprise:
        others = others.filter(service__in=[s.code for s in services() if s.closes_enterprise])
    running = list(others.order_by("pk").values_list("pk", "service"))
    if not running:
        return
    names = "、".join(f"{_service(code).label} #{pk}" for pk, code in running)
    if spec.closes_enterprise:
        message = _("%(service)s cannot be submitted while other applications of the enterprise are in "
                    "progress: %(cases)s. Wait until they are finished or withdraw them.")
    else:
        message = _("%(service)s cannot be submitted while the enterprise's deregistration is in progress: "
                    "%(cases)s.")
    raise Conflict(message % {"service": spec.label, "cases": names}, code=Code.OTHER_CASES_OPEN, field="service")


def do_start(service_code: str, uscc: str, data: Mapping[str, Any], *, acting_user: User,
             submit: bool = False) -> Case:
    """A draft application by an enterprise's staff member for their own enterprise; with `submit`,
    filled and submitted in the same transaction (as do_submit: a failing form or pre-check raises
    and nothing is written, not even the draft)."""
    spec = _service(service_code)
    with transaction.atomic():
        require_perm(acting_user, APPLY)
        number = validate_uscc(uscc, field="uscc")
        enterprise = (Organisation.objects.select_related("place__parent", "onestop_standing")
                      .filter(uscc=number).first())
        # The applicant's own enterprise, wherever it is registered now (the account follows it).
        if enterprise is None or enterprise.pk != getattr(acting_user, "organisation_id", None) \
                or enterprise.place is None:
            raise PermissionDenied(_("You can apply only for your own enterprise."),
                                   code=Code.NOT_OWN_ENTERPRISE, field="uscc")
        _refuse_closed(enterprise)
        cleaned = clean_form(spec, data, complete=submit)
        if Case.objects.filter(enterprise=enterprise, service=spec.code,
                               status__in=(CaseStatus.DRAFT, CaseStatus.SUBMITTED)).exists():
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


def _check_and_fan_out(case: Case, spec: ServiceSpec, acting_user: User, *, start: bool) -> None:
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
    _refuse_overlap(case, spec)
    blockers = run_prechecks(case, fresh=not start)
    if blockers:
        raise PrecheckFailed(blockers)
    at = clock.now()
    enterprise = case.enterprise
    current = district_of(enterprise.place)
    receiving = current
    for form_field, org_field in spec.applies:
        if org_field == "place" and case.data.get(form_field):
            receiving = district_of(read_place(str(case.data[form_field]))) or current
    case.status, case.submitted_at, case.due_at = CaseStatus.SUBMITTED, at, clock.due(at, spec.limit_days)
    if start:
        case.save(force_insert=True)
    else:
        case.save(update_fields=["data", "status", "submitted_at", "due_at"])
    Task.objects.bulk_create([
        Task(case=case, code=t.code, department=t.department, required=t.required_for(case.data),
             limit_days=t.limit_days,
             place=receiving if DEPARTMENTS[t.department].side == "receiving" else current,
             status=TaskStatus.OPEN if not t.after else TaskStatus.BLOCKED,
             opened_at=at if not t.after else None, due_at=clock.due(at, t.limit_days) if not t.after else None)
        for t in spec.tasks])
    rows = [audit_entry(acting_user, "onestop.start", case, after={"service": spec.code, "data": case.data})] \
        if start else []
    rows.append(audit_entry(acting_user, "onestop.submit", case,
                            after={"status": case.status, "due_at": case.due_at.isoformat() if case.due_at else None,
                                   "data": case.data}))
    record_many(rows)


MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# What a scan may be, decided by its content (kernel.uploads: signature, and no markup anywhere).
DOCUMENT_KINDS = uploads.SCANS


def do_attach(case: Case | int, code: str, upload: Any, *, acting_user: User) -> Document:
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


def do_update_draft(case: Case | int, data: Mapping[str, Any], *, acting_user: User) -> Case:
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
    if fresh:  # the standing as it is now, not as an earlier run on this instance read it
        standing: Any = Organisation._meta.get_field("onestop_standing")
        if standing.is_cached(case.enterprise):
            standing.delete_cached_value(case.enterprise)
    blockers = []
    for code in spec.prechecks:
        blocker = PRECHECKS[code](case.enterprise, case.data)
        if blocker is not None:
            blockers.append(blocker)
    return blockers


def do_submit(case: Case | int, *, acting_user: User) -> Case:
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


def do_answer_correction(correction: Correction | int, answer: str, *, acting_user: User,
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
            # A task the corrected form now asks for (or no longer asks for) is required accordingly.
            for t in spec.tasks:
                if t.requested_by:
                    Task.objects.filter(case=case, code=t.code).exclude(status__in=FINISHED_TASK).update(
                        required=t.required_for(cleaned))
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


def do_withdraw(case: Case | int, *, acting_user: User) -> Case:
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


def do_accept(task: Task | int, result: Mapping[str, Any] | None, *, acting_user: User) -> Task:
    """A department finishes its task, writing its result back to the case (see do_accept_many)."""
    return do_accept_many([(task.pk if isinstance(task, Task) else task, result)], acting_user=acting_user)[0]


def do_accept_many(items: Sequence[tuple[int, Mapping[str, Any] | None]], *, acting_user: User) -> list[Task]:
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
    pks = [pk for pk, _result in items]
    if len(set(pks)) != len(pks):
        raise KernelError(_("A task is listed twice."), field="items")
    with transaction.atomic():
        batch = _AcceptBatch(acting_user, single=len(items) == 1)
        batch.lock(pks)
        batch.finish(items)
        batch.advance()
        batch.save()
        return [batch.by_pk[pk] for pk in pks]


class _AcceptBatch:
    """The steps of do_accept_many inside its transaction, sharing what they lock and change."""

    def __init__(self, acting_user: User, *, single: bool) -> None:
        self.acting_user, self.single = acting_user, single
        self.at = clock.now()
        self.audit: list[AuditEntry] = []
        self.changed: dict[int, tuple[Task, set[str]]] = {}
        self.outcome_changed: set[int] = set()
        self.completed: list[Case] = []
        self.cases: dict[int, Case] = {}
        self.tasks_of_case: dict[int, list[Task]] = {}
        self.by_pk: dict[int, Task] = {}
        self.closed_on: dict[int, dt.date | None] = {}

    def where(self, i: int, name: str) -> str:
        return name if self.single else f"items[{i}].{name}"

    def change(self, task: Task, **values: Any) -> Task:
        for name, value in values.items():
            setattr(task, name, value)
        self.changed.setdefault(task.pk, (task, set()))[1].update(values)
        return task

    def lock(self, pks: list[int]) -> None:
        """Check every task is in the user's queue, then lock the cases and all their tasks."""
        # Each task's case, department and handling place, for the scope check before any lock.
        heads = {pk: (case_id, department, path) for pk, case_id, department, path in
                 Task.objects.filter(pk__in=pks).values_list("pk", "case_id", "department", "place__path")}
        for i, pk in enumerate(pks):
            head = heads.get(pk)
            if head is None:
                raise NotFound(field=None if self.single else self.where(i, "task"))
            _case_id, department, path = head
            if not place_in_scope(self.acting_user, handle_permission(DEPARTMENTS[department].office), path):
                raise NotFound(_("This task is not in your department's queue."),
                               field=None if self.single else self.where(i, "task"))
        case_ids = sorted({case_id for case_id, _d, _p in heads.values()})
        # The cases, then all their tasks, locked in id order: overlapping batches queue up instead
        # of deadlocking (FOR UPDATE on PostgreSQL; SQLite's write lock is already held).
        self.cases = {c.pk: c for c in Case.objects.select_for_update().filter(pk__in=case_ids).order_by("pk")}
        self.tasks_of_case = {pk: [] for pk in case_ids}
        for task in Task.objects.select_for_update().filter(case_id__in=case_ids).order_by("pk"):
            task.case = self.cases[task.case_id]
            self.tasks_of_case[task.case_id].append(task)
        self.by_pk = {t.pk: t for tasks in self.tasks_of_case.values() for t in tasks}
        # A closed (deregistered) enterprise is relocated, licensed, ... by nothing.
        self.closed_on = dict(Organisation.objects.filter(pk__in={c.enterprise_id for c in self.cases.values()},
                                                          closed_on__isnull=False).values_list("pk", "closed_on"))

    def finish(self, items: Sequence[tuple[int, Mapping[str, Any] | None]]) -> None:
        """Each task done with its declared result, written back to its case's outcome."""
        for i, (pk, given) in enumerate(items):
            task = self.by_pk[pk]
            if task.status != TaskStatus.OPEN:
                raise Conflict(_("This task is %(status)s, not open: it cannot be handled now.") % {
                    "status": task.get_status_display()}, code=Code.TASK_NOT_OPEN, field=self.where(i, "task"))
            case = task.case
            closed_on = self.closed_on.get(case.enterprise_id)
            if closed_on is not None:
                raise Conflict(_("The enterprise was deregistered on %(date)s; no task of its applications can "
                                 "be accepted. Reject the task.") % {"date": closed_on.isoformat()},
                               code=Code.ENTERPRISE_CLOSED, field=self.where(i, "task"))
            declared = _service(case.service).task(task.code)
            result = dict(given or {})
            for key in declared.writes:
                if not str(result.get(key) or "").strip():
                    raise KernelError(_("The result must give %(key)s.") % {"key": result_label(key)}, code=ErrorCode.REQUIRED,
                                      field=self.where(i, key))
            self.change(task, status=TaskStatus.DONE, done_at=self.at, handled_by_id=self.acting_user.pk,
                        result=result)
            if declared.writes:
                case.outcome = {**case.outcome, **{key: result[key] for key in declared.writes}}
                self.outcome_changed.add(case.pk)
            self.audit.append(audit_entry(self.acting_user, "onestop.accept", task,
                                          after={"status": task.status, "result": result}))

    def advance(self) -> None:
        """Open the tasks whose dependencies are all done; complete the cases whose required tasks are."""
        at = self.at
        for case_id, tasks in self.tasks_of_case.items():
            case = self.cases[case_id]
            spec = _service(case.service)
            done = {t.code for t in tasks if t.status == TaskStatus.DONE}
            for task in tasks:
                if task.status == TaskStatus.BLOCKED and set(spec.task(task.code).after) <= done:
                    self.change(task, status=TaskStatus.OPEN, opened_at=at, due_at=clock.due(at, task.limit_days))
                    self.audit.append(audit_entry(self.acting_user, "onestop.open_task", task,
                                                  after={"status": task.status}))
            if all(t.code in done for t in tasks if t.required):
                for task in tasks:
                    if task.status not in FINISHED_TASK:
                        self.change(task, status=TaskStatus.CLOSED, done_at=at)
                case.status, case.completed_at = CaseStatus.COMPLETED, at
                self.audit.append(audit_entry(self.acting_user, "onestop.complete", case,
                                              after={"status": case.status, "outcome": case.outcome}))
                self.completed.append(case)

    def save(self) -> None:
        """Write the changed rows, the audit, the enterprises' changes, and tell the applicants."""
        completed = self.completed
        update_grouped(Task, self.changed.values())
        # Only the cases whose outcome or status changed (most tasks write no result).
        update_grouped(Case, [(c, {"outcome", "status", "completed_at"} if c.status == CaseStatus.COMPLETED
                                    else {"outcome"}) for c in self.cases.values()
                               if c.status == CaseStatus.COMPLETED or c.pk in self.outcome_changed])
        if completed:
            for pause in Pause.objects.filter(case__in=completed, ended_at__isnull=True):
                _close_pause(pause, self.at)
        record_many(self.audit)
        if completed:
            _apply_to_enterprises(completed, self.acting_user)
            applicants = {u.pk: u for u in User.objects.filter(pk__in={c.applicant_id for c in completed})}
            for case in completed:
                case.applicant = applicants[case.applicant_id]
                spec = _service(case.service)
                _notify_applicant(case, _("Your application is complete: %(service)s") % {"service": spec.label},
                                  _("Every department has finished its part."))


def _apply_to_enterprises(completed: list[Case], acting_user: User) -> None:
    """What completed cases change in their enterprises (their declared `applies`; closing it on
    deregistration), through the kernel's organisation action, each change audited as
    `onestop.<service>` with the case named as its reason."""
    applying = [c for c in completed if _service(c.service).applies or _service(c.service).closes_enterprise]
    if not applying:
        return
    codes = {str(c.data[form_field]) for c in applying for form_field, org_field in _service(c.service).applies
             if org_field == "place"}
    places = {p.code: p for p in Place.objects.filter(code__in=codes)} if codes else {}
    found: list[OrganisationChange] = []
    for case in applying:
        spec = _service(case.service)
        values: dict[str, Any] = {}
        for form_field, org_field in spec.applies:
            value = case.data[form_field]
            values[org_field] = places[str(value)] if org_field == "place" else value
        if spec.closes_enterprise and case.completed_at is not None:
            values["closed_on"] = case.completed_at.astimezone(SHANGHAI).date()
        found.append(OrganisationChange(case.enterprise_id, values, action=f"onestop.{spec.code}",
                                        reason=_("One-stop case %(case)s completed") % {"case": case.pk}))
    do_change_organisations(found, acting_user=acting_user)


def do_ask_correction(task: Task | int, request: str, *, acting_user: User) -> Correction:
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
        record(acting_user, "onestop.ask_correction", corr, after={"request": text})  # the correction is named by its task
        spec = _service(locked.case.service)
        _notify_applicant(locked.case, _("A correction is needed: %(service)s") % {"service": spec.label}, text)
        return corr


def do_reject(task: Task | int, reason: str, *, acting_user: User) -> Task:
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


def do_set_standing(enterprise: Organisation, *, acting_user: User | None, **facts: Any) -> EnterpriseStanding:
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
