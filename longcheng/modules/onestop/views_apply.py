"""The applicant's pages: the enterprise's applications, a new application's form (drawn from the
service's declaration), the pre-check, submission, and the case page with each department's task and
the corrections to answer. Every change goes through an action in actions.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.errors import KernelError, NotFound
from longcheng.kernel.forms import yuan_text
from longcheng.kernel.ledger.money import parse_yuan
from longcheng.kernel.places.models import PATH_SEPARATOR, Place
from longcheng.kernel.web.decorators import staff_view
from longcheng.kernel.workdays.api import working_days_between

from . import actions, clock
from .catalogue import DEPARTMENTS, ServiceSpec, service, services
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


def _money_text(value: Any) -> str:
    return yuan_text(value if isinstance(value, int) else None)


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


def _form_fields(spec: ServiceSpec, values: dict[str, str], enterprise: Any) -> list[dict[str, Any]]:
    fields = []
    places = None
    for f in spec.form:
        choices: list[tuple[str, str]] = []
        if f.kind == "place":
            places = places if places is not None else place_choices(enterprise)
            choices = places
        elif f.kind == "choice":
            choices = [(c, str(label)) for c, label in f.choices]
        fields.append({"name": f.name, "label": f.label, "kind": f.kind, "required": f.required,
                       "choices": choices, "value": values.get(f.name, "")})
    return fields


def _values_of(spec: ServiceSpec, data: dict[str, Any]) -> dict[str, str]:
    """Stored form data as the strings the inputs show (money in yuan)."""
    return {f.name: (_money_text(data.get(f.name)) if f.kind == "money" else str(data.get(f.name, "")))
            for f in spec.form if f.name in data}


def _raw(spec: ServiceSpec, request: HttpRequest) -> dict[str, str]:
    """The posted values as typed, to show again whatever the data's fate."""
    return {f.name: request.POST.get(f.name, "").strip() for f in spec.form}


def _data(spec: ServiceSpec, raw: dict[str, str]) -> dict[str, Any]:
    """The data for the actions (money yuan → fen); a bad amount raises naming its field."""
    data: dict[str, Any] = {}
    for f in spec.form:
        value = raw[f.name]
        if f.kind == "money":
            data[f.name] = parse_yuan(value, field=f.name, allow_zero=True) if value else None
        else:
            data[f.name] = value
    return data


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
        c.left = _left(c.due_at, at) if c.status == CaseStatus.SUBMITTED else None  # type: ignore[attr-defined]
        c.task_rows = [(spec.task(t.code).label, t) for t in tasks.get(c.pk, [])]  # type: ignore[attr-defined]
    enterprise = getattr(user, "organisation", None)
    return render(request, "onestop/applications.html", {
        "cases": cases, "services": services(), "enterprise": enterprise})


# --- a new application ----------------------------------------------------------------------------


@staff_view(APPLY)
def start(request: StaffRequest, service_code: str) -> HttpResponse:
    """The empty form of a service; saving it starts a draft."""
    spec = _spec(service_code)
    user = request.user
    enterprise = getattr(user, "organisation", None)
    values: dict[str, str] = {}
    error: KernelError | None = None
    if request.method == "POST":
        values = _raw(spec, request)
        try:
            data = _data(spec, values)
            if enterprise is None or not enterprise.uscc:
                raise KernelError(_("Your account belongs to no enterprise with a credit code."), field="uscc")
            case = actions.do_start(spec.code, enterprise.uscc, data, acting_user=user)
        except KernelError as exc:
            error = exc
        else:
            messages.success(request, _("The draft is saved. Check it, then submit it."))
            return redirect("onestop:application", case.pk)
    return render(request, "onestop/start.html", {
        "spec": spec, "fields": _form_fields(spec, values, enterprise), "error": error, "enterprise": enterprise,
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
        t.left = _left(t.due_at, at) if t.status == TaskStatus.OPEN else None  # type: ignore[attr-defined]
        t.overdue = clock.overdue(t, at)  # type: ignore[attr-defined]
        t.due_soon = clock.due_soon(t, at)  # type: ignore[attr-defined]
        t.open_correction = open_corrections.get(t.pk)  # type: ignore[attr-defined]
    for c in corrections:
        c.task_label = spec.task(c.task.code).label  # type: ignore[attr-defined]
    codes = {str(case.data[f.name]) for f in spec.form if f.kind == "place" and f.name in case.data}
    return {
        "case": case, "spec": spec, "tasks": tasks, "corrections": corrections,
        "data_rows": data_rows(spec, case.data, place_names(codes)),
        "outcome": sorted(case.outcome.items()),
        "left": _left(case.due_at, at) if case.status == CaseStatus.SUBMITTED else None,
        "elapsed": clock.elapsed_working_days(case, at),
        "paused": clock.is_paused(case) if case.status == CaseStatus.SUBMITTED else False,
        "documents": document_rows(case, spec),
        "may_attach": case.status in (CaseStatus.DRAFT, CaseStatus.SUBMITTED),
    }


@staff_view(APPLY)
def application(request: StaffRequest, pk: int) -> HttpResponse:
    """The applicant's case: the draft form (save, check, submit) or the tasks and corrections."""
    user = request.user
    case = _own_case(request, pk)
    spec = _spec(case.service)
    values = _values_of(spec, case.data)
    error: KernelError | None = None
    blockers: list[Blocker] | None = None
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step in ("save", "check", "submit") and case.status == CaseStatus.DRAFT:
            values = _raw(spec, request)
            try:
                data = _data(spec, values)
                if step == "save":
                    actions.do_update_draft(case, data, acting_user=user)
                    messages.success(request, _("The draft is saved."))
                    return redirect("onestop:application", case.pk)
                if step == "check":
                    blockers, error = _check(case, spec, data)
                    status = 422 if blockers or error else 200
                else:
                    with transaction.atomic():  # the draft's new values go only with a submission that works
                        actions.do_update_draft(case, data, acting_user=user)
                        actions.do_submit(case, acting_user=user)
                    messages.success(request, _("The application is submitted; the departments handle it now."))
                    return redirect("onestop:application", case.pk)
            except actions.PrecheckFailed as exc:
                blockers, status = exc.blockers, exc.status
            except KernelError as exc:
                error, status = exc, exc.status
        else:
            return _follow_up(request, case, step)
        case.refresh_from_db()
    context = _case_context(case, spec)
    context.update({"fields": _form_fields(spec, values, case.enterprise), "error": error, "blockers": blockers,
                    "checked": blockers is not None})
    return render(request, "onestop/application.html", context, status=status)


def _follow_up(request: StaffRequest, case: Any, step: str) -> HttpResponse:
    """The applicant's steps that act and return to the case page: answer a correction, attach a
    document, withdraw; a refusal is shown there as a message."""
    user = request.user
    if step == "answer":
        try:
            correction = Correction.objects.filter(pk=_int(request.POST.get("correction")), task__case=case).first()
            if correction is None:
                raise NotFound()
            actions.do_answer_correction(correction, request.POST.get("answer", ""), acting_user=user)
        except NotFound:
            raise
        except KernelError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your answer is sent; the department's clock runs again."))
    elif step == "attach":
        try:
            actions.do_attach(case, request.POST.get("code", ""), request.FILES.get("file"), acting_user=user)
        except KernelError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The document is added; the departments can read it."))
    elif step == "withdraw":
        try:
            actions.do_withdraw(case, acting_user=user)
        except KernelError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The application is withdrawn."))
    else:
        messages.error(request, _("This step is not possible now."))
    return redirect("onestop:application", case.pk)


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise NotFound() from None


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
