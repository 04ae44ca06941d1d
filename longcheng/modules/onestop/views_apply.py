"""The applicant's pages: the enterprise's applications, a new application's form (drawn from the
service's declaration), the pre-check, submission, and the case page with each department's task and
the corrections to answer. Each change has its own URL and form (forms.py), POST only, and goes
through an action in actions.py; a refusal shows the page again with what was typed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.errors import Conflict, KernelError, NotFound
from longcheng.kernel.forms import refusal
from longcheng.kernel.places.models import PATH_SEPARATOR, Place
from longcheng.kernel.web.decorators import staff_view
from longcheng.kernel.workdays.api import working_days_between

from . import actions, clock
from .catalogue import DEPARTMENTS, ServiceSpec, result_label, service, services
from .errors import ErrorCode as Code
from .forms import AnswerForm, ApplicationForm, AttachForm, named, typed
from .models import Case, CaseStatus, Correction, Task, TaskStatus
from .prechecks import Blocker
from .spec import APPLY
from .views_documents import document_rows


def _spec(code: str) -> ServiceSpec:
    try:
        return service(code)
    except KeyError:
        raise NotFound() from None


def place_choices(enterprise: Any) -> list[tuple[str, str]]:
    """Districts and streets/towns (depth 1-2) of the enterprise's city, for a place field."""
    root = enterprise.place.path.split(PATH_SEPARATOR)[0] if enterprise is not None and enterprise.place else ""
    qs = Place.objects.filter(depth__in=(1, 2))
    if root:
        qs = qs.filter(path__startswith=root + PATH_SEPARATOR)
    rows = list(qs.order_by("path").values_list("code", "name", "depth"))
    return [(code, ("\u3000" if depth == 2 else "") + name) for code, name, depth in rows]


def place_names(codes: set[str]) -> dict[str, str]:
    return dict(Place.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}


def display_value(spec: ServiceSpec, name: str, value: Any, places: dict[str, str]) -> str:
    """A form value as a person reads it (place names, yuan, choice labels)."""
    try:
        f = spec.field(name)
    except KeyError:
        return str(value)
    if f.kind == "place":
        return f"{places.get(str(value), '')} ({value})"
    if f.kind == "money" and isinstance(value, int):
        return f"¥{value // 100:,}.{value % 100:02d}"
    if f.kind == "choice":
        return str(dict(f.choices).get(value, value))
    return str(value)


def data_rows(spec: ServiceSpec, data: dict[str, Any], places: dict[str, str]) -> list[tuple[str, str]]:
    return [(str(f.label), display_value(spec, f.name, data[f.name], places)) for f in spec.form if f.name in data]


def outcome_rows(spec: ServiceSpec, outcome: dict[str, Any]) -> list[tuple[str, str]]:
    """The departments' results as people read them, in the order the service's tasks write them."""
    order = [key for t in spec.tasks for key in t.writes]
    keys = sorted(outcome, key=lambda k: (order.index(k) if k in order else len(order), k))
    return [(result_label(key), str(outcome[key])) for key in keys]


def _left(due_at: dt.datetime | None, at: dt.datetime) -> Decimal | None:
    """Working days left until a due time (negative: overdue by)."""
    if due_at is None:
        return None
    if at <= due_at:
        return working_days_between(at, due_at)
    return -working_days_between(due_at, at)


# --- the list ---------------------------------------------------------------------------------------


@staff_view(APPLY)
def applications(request: HttpRequest) -> HttpResponse:
    user = request.user
    cases = list(actions.cases_of(user).only("service", "status", "submitted_at", "due_at", "completed_at",
                                             "created_at")[:200])
    tasks: dict[int, list[Task]] = {}
    for t in Task.objects.filter(case__in=[c.pk for c in cases]).only("case_id", "code", "status").order_by("pk"):
        tasks.setdefault(t.case_id, []).append(t)
    at = clock.now()
    for c in cases:
        spec = _spec(c.service)
        c.label = spec.label  # type: ignore[attr-defined]
        # A paused case's remainder is frozen (never overdue while it waits for the applicant).
        c.left = (clock.remaining_working_days(c, at)  # type: ignore[attr-defined]
                  if c.status == CaseStatus.SUBMITTED else None)
        c.deadline_unknown = clock.deadline_unknown(c)  # type: ignore[attr-defined]
        c.task_rows = [(spec.task(t.code).label, t) for t in tasks.get(c.pk, [])]  # type: ignore[attr-defined]
    enterprise = getattr(user, "organisation", None)
    return render(request, "onestop/applications.html", {
        "cases": cases, "services": services(), "enterprise": enterprise})


# --- a new application ----------------------------------------------------------------------------


def _form_fields(form: ApplicationForm, enterprise: Any) -> list[dict[str, Any]]:
    """The inputs of a service's form with what they show: the stored data (fen as yuan) or what
    was typed, kept whatever the submission's fate."""
    values = typed(form)
    fields = []
    places = None
    for f in form.spec.form:
        choices: list[tuple[str, str]] = []
        if f.kind == "place":
            places = places if places is not None else place_choices(enterprise)
            choices = places
        elif f.kind == "choice":
            choices = [(c, str(label)) for c, label in f.choices]
        fields.append({"name": f.name, "label": f.label, "kind": f.kind, "required": f.required,
                       "choices": choices, "value": values.get(f.name, "")})
    return fields


def _refused(exc: KernelError) -> KernelError:
    """A refusal a page shows (a 403 or a 404 stays the error page: nothing to show there)."""
    if exc.status in (403, 404):
        raise exc
    return exc


@staff_view(APPLY)
def start(request: StaffRequest, service_code: str) -> HttpResponse:
    """The empty form of a service; saving it starts a draft."""
    spec = _spec(service_code)
    user = request.user
    enterprise = getattr(user, "organisation", None)
    form = ApplicationForm(spec, request.POST if request.method == "POST" else None)
    error: KernelError | None = None
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise refusal(form)
            if enterprise is None or not enterprise.uscc:
                raise KernelError(_("Your account belongs to no enterprise with a credit code."), field="uscc")
            case = actions.do_start(spec.code, enterprise.uscc, form.values(), acting_user=user)
        except KernelError as exc:
            error = _refused(exc)
        else:
            messages.success(request, _("The draft is saved. Check it, then submit it."))
            return redirect("onestop:application", case.pk)
    return render(request, "onestop/start.html", {
        "spec": spec, "fields": _form_fields(form, enterprise), "error": error, "enterprise": enterprise,
    }, status=error.status if error else 200)


# --- one application --------------------------------------------------------------------------------


def _own_case(request: HttpRequest, pk: int) -> Case:
    case = actions.cases_of(request.user).select_related("enterprise__place").filter(pk=pk).first()
    if case is None:
        raise NotFound()
    return case


def _case_context(case: Case, spec: ServiceSpec) -> dict[str, Any]:
    at = clock.now()
    tasks = list(case.tasks.order_by("pk"))
    open_corrections = {c.task_id: c for c in Correction.objects.filter(task__case=case, answered_at__isnull=True)}
    corrections = list(Correction.objects.filter(task__case=case).select_related("task").order_by("asked_at", "pk"))
    for t in tasks:
        t.label = spec.task(t.code).label  # type: ignore[attr-defined]
        t.department_label = DEPARTMENTS[t.department].label  # type: ignore[attr-defined]
        t.left = (clock.remaining_working_days(t, at)  # type: ignore[attr-defined]
                  if t.status in (TaskStatus.OPEN, TaskStatus.CORRECTION) else None)
        t.overdue = clock.overdue(t, at)  # type: ignore[attr-defined]
        t.due_soon = clock.due_soon(t, at)  # type: ignore[attr-defined]
        t.deadline_unknown = clock.deadline_unknown(t)  # type: ignore[attr-defined]
        t.open_correction = open_corrections.get(t.pk)  # type: ignore[attr-defined]
    for c in corrections:
        c.task_label = spec.task(c.task.code).label  # type: ignore[attr-defined]
    codes = {str(case.data[f.name]) for f in spec.form if f.kind == "place" and f.name in case.data}
    return {
        "case": case, "spec": spec, "tasks": tasks, "corrections": corrections,
        "data_rows": data_rows(spec, case.data, place_names(codes)),
        "outcome": outcome_rows(spec, case.outcome),
        "left": clock.remaining_working_days(case, at) if case.status == CaseStatus.SUBMITTED else None,
        "paused_days": clock.paused_working_days(case, at),
        "elapsed": clock.elapsed_working_days(case, at), "deadline_unknown": clock.deadline_unknown(case),
        "paused": clock.is_paused(case) if case.status == CaseStatus.SUBMITTED else False,
        "documents": document_rows(case, spec),
        "may_attach": case.status in (CaseStatus.DRAFT, CaseStatus.SUBMITTED),
    }


def _render_case(request: HttpRequest, case: Case, spec: ServiceSpec, *, form: ApplicationForm | None = None,
                 error: KernelError | None = None, blockers: list[Blocker] | None = None,
                 answer: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    """The applicant's case page: the draft's form with the stored data or what was typed, the
    pre-check's blockers, and the answer typed to a correction when its sending was refused."""
    context = _case_context(case, spec)
    form = form if form is not None else ApplicationForm(spec, initial=case.data)
    context.update({"fields": _form_fields(form, case.enterprise), "error": error, "blockers": blockers,
                    "checked": blockers is not None, "answer": answer or {}})
    return render(request, "onestop/application.html", context, status=status)


@staff_view(APPLY)
@require_safe
def application(request: StaffRequest, pk: int) -> HttpResponse:
    """The applicant's case: the draft form (save, check, submit) or the tasks and corrections. Each
    change has its own URL (the views below), POST only."""
    case = _own_case(request, pk)
    return _render_case(request, case, _spec(case.service))


# --- the draft's steps: save, check, submit (onestop:application_<step>) ------------------------------


def _save(request: StaffRequest, case: Case, spec: ServiceSpec, form: ApplicationForm) -> HttpResponse:
    actions.do_update_draft(case, form.values(), acting_user=request.user)
    messages.success(request, _("The draft is saved."))
    return redirect("onestop:application", case.pk)


def _check_step(request: StaffRequest, case: Case, spec: ServiceSpec, form: ApplicationForm) -> HttpResponse:
    """Save the draft, then run the pre-checks on it: what was typed is kept whatever they find."""
    case = actions.do_update_draft(case, form.values(), acting_user=request.user)
    blockers, error = _check(case, spec, {})
    return _render_case(request, case, spec, form=form, error=error, blockers=blockers,
                        status=422 if blockers or error else 200)


def _submit(request: StaffRequest, case: Case, spec: ServiceSpec, form: ApplicationForm) -> HttpResponse:
    with transaction.atomic():  # the draft's new values go only with a submission that works
        actions.do_update_draft(case, form.values(), acting_user=request.user)
        actions.do_submit(case, acting_user=request.user)
    messages.success(request, _("The application is submitted; the departments handle it now."))
    return redirect("onestop:application", case.pk)


DRAFT_STEPS = {"save": _save, "check": _check_step, "submit": _submit}


def draft_step_view(name: str) -> Any:
    """One step of a draft (POST only): a refusal is the case page again with the typed values, the
    message next to its field (or the pre-check's blockers) and nothing written."""
    run = DRAFT_STEPS[name]

    @staff_view(APPLY)
    @require_POST
    def view(request: StaffRequest, pk: int) -> HttpResponse:
        case = _own_case(request, pk)
        spec = _spec(case.service)
        form = ApplicationForm(spec, request.POST)
        try:
            if case.status != CaseStatus.DRAFT:
                raise Conflict(_("Only a draft can be changed."), code=Code.CASE_NOT_ACTIVE)
            if not form.is_valid():
                raise refusal(form)
            return run(request, case, spec, form)
        except actions.PrecheckFailed as exc:
            error, blockers, status = None, exc.blockers, exc.status
        except KernelError as exc:
            error, blockers, status = _refused(exc), None, exc.status
        case.refresh_from_db()
        return _render_case(request, case, spec, form=form, error=error, blockers=blockers, status=status)

    view.__name__ = view.__qualname__ = f"application_{name}"
    return view


# --- the steps after submission: answer a correction, attach a document, withdraw ----------------------


def _refuse_step(request: StaffRequest, case: Case, exc: KernelError, form: forms.Form | None = None,
                 answer: dict[str, Any] | None = None, draft: ApplicationForm | None = None) -> HttpResponse:
    """A refused step: the case page again with the message naming the field, nothing written (the
    draft's form, when it came with the step, shows what was typed)."""
    _refused(exc)
    messages.error(request, named(exc, form) if form is not None else str(exc.message))
    case.refresh_from_db()
    return _render_case(request, case, _spec(case.service), form=draft, answer=answer, status=exc.status)


@staff_view(APPLY)
@require_POST
def answer(request: StaffRequest, pk: int) -> HttpResponse:
    """Answer a correction of one's own application (once); its clocks run again."""
    case_id = Correction.objects.filter(pk=pk).values_list("task__case_id", flat=True).first()
    if case_id is None:
        raise NotFound()
    case = _own_case(request, case_id)
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise refusal(form)
        actions.do_answer_correction(pk, form.cleaned_data["answer"], acting_user=request.user)
    except KernelError as exc:
        return _refuse_step(request, case, exc, form, answer={"correction": pk, "text": typed(form)["answer"]})
    messages.success(request, _("Your answer is sent; the department's clock runs again."))
    return redirect("onestop:application", case.pk)


@staff_view(APPLY)
@require_POST
def attach(request: StaffRequest, pk: int) -> HttpResponse:
    """Add a supporting document to one's own application in progress. A draft's upload comes
    from the draft's form (its file inputs are the form's, named file_<document>) and saves what
    was typed with it, in one transaction: an upload never drops an unsaved edit."""
    case = _own_case(request, pk)
    code = request.POST.get("code", "")
    files: Any = request.FILES.copy()
    if "file" not in files and f"file_{code}" in files:
        files.setlist("file", files.getlist(f"file_{code}"))
    form = AttachForm(request.POST, files)
    spec = _spec(case.service)
    draft = (ApplicationForm(spec, request.POST) if case.status == CaseStatus.DRAFT
             and any(f.name in request.POST for f in spec.form) else None)
    try:
        with transaction.atomic():
            if draft is not None:
                if not draft.is_valid():
                    raise refusal(draft)
                actions.do_update_draft(case, draft.values(), acting_user=request.user)
            if not form.is_valid():
                raise refusal(form)
            actions.do_attach(case, form.cleaned_data["code"], form.cleaned_data["file"], acting_user=request.user)
    except KernelError as exc:
        return _refuse_step(request, case, exc, form if exc.field in form.fields else draft, draft=draft)
    messages.success(request, _("The document is added; the departments can read it."))
    return redirect("onestop:application", case.pk)


@staff_view(APPLY)
@require_POST
def withdraw(request: StaffRequest, pk: int) -> HttpResponse:
    case = _own_case(request, pk)
    try:
        actions.do_withdraw(case, acting_user=request.user)
    except KernelError as exc:
        return _refuse_step(request, case, exc)
    messages.success(request, _("The application is withdrawn."))
    return redirect("onestop:application", case.pk)


def _check(case: Case, spec: ServiceSpec, data: dict[str, Any]) -> tuple[list[Blocker], KernelError | None]:
    """The pre-checks on the posted values without saving anything; a missing or malformed field
    comes back as the error."""
    error: KernelError | None = None
    merged = {**case.data, **data}
    try:
        actions.clean_form(spec, merged, complete=True)
    except KernelError as exc:
        error = exc
    try:
        cleaned = actions.clean_form(spec, merged, complete=False)
    except KernelError as exc:
        return [], exc  # a malformed value: the checks would read nonsense
    probe = Case(pk=case.pk, service=case.service, enterprise=case.enterprise, place=case.place, data=cleaned)
    return actions.run_prechecks(probe), error
