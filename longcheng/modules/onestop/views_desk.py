"""The departments' pages: the queue of open tasks of the user's offices (oldest due first, with the
application data as the enterprise gave it), acting on a task (accept with the declared results,
ask for a correction, reject: one URL and form each), and the staff's case page with its timeline.

The queue must stay fast with 100,000 open cases: one ordered index scan per department merged
into the page (actions.queue_slice), one query for the page's rows (selecting only what the list
shows), one for the place names in the page's data, no total count; the clock flags come from the
loaded due times, never from extra queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm, place_in_scope, restrict
from longcheng.kernel.audit.display import describe_all
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, NotFound
from longcheng.kernel.forms import refusal
from longcheng.kernel.web.decorators import staff_view

from . import actions, clock
from .catalogue import DEPARTMENTS, OFFICES, result_label, service, services
from .forms import AcceptForm, CorrectForm, RejectForm, TaskStepForm, named, typed
from .models import Case, Correction, Pause, Task, TaskStatus
from .spec import SUPERVISE, VIEW, handle_permission
from .views_apply import _left, data_rows, outcome_rows, place_names
from .views_documents import document_rows

PAGE_SIZE = 50
MAX_PAGE = actions.QUEUE_DEPTH // PAGE_SIZE  # deeper, the clerk narrows the queue by office
QUEUE_FIELDS = ("code", "department", "status", "opened_at", "due_at", "case__service", "case__data",
                "case__submitted_at", "case__enterprise__name", "case__enterprise__uscc")


@dataclass
class _Page:
    """A page of the queue without a total: counting 50,000 open tasks city-wide cost more than the
    page itself (bench_onestop.py); the clerk needs the oldest due first and a way to the next."""

    number: int
    rows: list[Task]
    has_next: bool

    @classmethod
    def of(cls, user: Any, offices: list[str], raw: str | None, where: Q | None = None) -> _Page:
        number = int(raw) if raw and raw.isdigit() and 0 < int(raw) <= MAX_PAGE else 1
        start = (number - 1) * PAGE_SIZE
        rows = actions.queue_slice(user, offices, start, start + PAGE_SIZE + 1, fields=QUEUE_FIELDS, where=where)
        return cls(number, rows[:PAGE_SIZE], len(rows) > PAGE_SIZE)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def _typed_rows(rows: list[Task], refused: dict[str, Any] | None) -> None:
    """Each row's result inputs, and on the row whose step was refused what was typed (its form
    shown open)."""
    for t in rows:
        mine = refused if refused is not None and refused["task"] == t.pk else {"step": "", "values": {}}
        t.typed = mine  # type: ignore[attr-defined]
        t.result_inputs = [(key, result_label(key), mine["values"].get(f"result_{key}", ""))  # type: ignore[attr-defined]
                           for key in t.writes]  # type: ignore[attr-defined]


def _render_queue(request: HttpRequest, *, refused: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    mine = actions.offices_of(user)
    office = request.GET.get("office", "")
    chosen = [office] if office in mine else mine
    # Search by enterprise (name or credit code) and filter by service, within the same scope.
    search = request.GET.get("q", "").strip()[:100]
    chosen_service = request.GET.get("service", "")
    known = {s.code: s.label for s in services()}
    chosen_service = chosen_service if chosen_service in known else ""
    page = _Page.of(user, chosen, request.GET.get("page"), actions.queue_filter(search, chosen_service))
    rows = page.rows
    codes: set[str] = set()
    for t in rows:
        spec = service(t.case.service)
        codes |= {str(t.case.data[f.name]) for f in spec.form if f.kind == "place" and f.name in t.case.data}
    places = place_names(codes)
    at = clock.now()
    for t in rows:
        spec = service(t.case.service)
        t.label = spec.task(t.code).label  # type: ignore[attr-defined]
        t.service_label = spec.label  # type: ignore[attr-defined]
        t.department_label = DEPARTMENTS[t.department].label  # type: ignore[attr-defined]
        t.writes = spec.task(t.code).writes  # type: ignore[attr-defined]
        t.overdue = clock.overdue(t, at)  # type: ignore[attr-defined]
        t.due_soon = clock.due_soon(t, at)  # type: ignore[attr-defined]
        t.deadline_unknown = clock.deadline_unknown(t)  # type: ignore[attr-defined]
        t.data_rows = data_rows(spec, t.case.data, places)  # type: ignore[attr-defined]
    _typed_rows(rows, refused)
    # The step forms post back with the page's query, so a refused step shows the same page.
    query = urlencode({k: request.GET[k] for k in ("office", "q", "service", "page") if k in request.GET})
    context = {"page": page, "rows": rows, "offices": [(c, OFFICES[c].label) for c in mine], "office": office,
               "search": search, "services": list(known.items()), "service": chosen_service,
               "query": f"?{query}" if query else "",
               "watch": watch_list(user, at) if has_perm(user, SUPERVISE) else None}
    if request.method == "GET" and request.GET.get("partial") == "1":
        return render(request, "onestop/_queue_table.html", context)
    return render(request, "onestop/queue.html", context, status=status)


@staff_view(VIEW)
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    return _render_queue(request)


WATCH_LIMIT = 200


def watch_list(user: Any, at: Any) -> list[Task]:
    """The head's list: open tasks in the head's area that are overdue or due within half a working
    day, most overdue first, with whether the escalation went out. Due soon is counted in working
    days, so the query takes every open task due within ten calendar days (a holiday week) in due
    order and the clock decides; at most WATCH_LIMIT rows."""
    horizon = at + dt.timedelta(days=10)
    candidates = (restrict(Task.objects.filter(status=TaskStatus.OPEN, due_at__lte=horizon), user, VIEW)
                  .select_related("case__enterprise", "place").order_by("due_at", "pk")[:WATCH_LIMIT * 2])
    rows = []
    for t in candidates:
        t.overdue = clock.overdue(t, at)  # type: ignore[attr-defined]
        t.due_soon = clock.due_soon(t, at)  # type: ignore[attr-defined]
        if not (t.overdue or t.due_soon):  # type: ignore[attr-defined]
            continue
        spec = service(t.case.service)
        t.label = spec.task(t.code).label  # type: ignore[attr-defined]
        t.service_label = spec.label  # type: ignore[attr-defined]
        t.department_label = DEPARTMENTS[t.department].label  # type: ignore[attr-defined]
        rows.append(t)
    return rows[:WATCH_LIMIT]


# --- the steps on a task: accept, ask for a correction, reject (onestop:task_<step>) ------------------


def _queued_task(user: Any, pk: int) -> Task:
    """The task if it is in the user's queue (its office's handling permission where it is handled),
    checked before its form so that a task outside the queue is not found whatever was posted; the
    action checks again under its lock."""
    task = Task.objects.filter(pk=pk).select_related("case", "place").first()
    if task is None or not place_in_scope(user, handle_permission(DEPARTMENTS[task.department].office),
                                          task.place.path):
        raise NotFound()
    return task


def _accept(request: StaffRequest, task: Task, form: Any) -> None:
    actions.do_accept(task.pk, form.result(), acting_user=request.user)
    messages.success(request, _("The task is done; the result is written back to the application."))


def _correct(request: StaffRequest, task: Task, form: Any) -> None:
    actions.do_ask_correction(task.pk, form.cleaned_data["request"], acting_user=request.user)
    messages.success(request, _("The applicant is asked for a correction; the clock stops until the answer."))


def _reject(request: StaffRequest, task: Task, form: Any) -> None:
    actions.do_reject(task.pk, form.cleaned_data["reason"], acting_user=request.user)
    messages.success(request, _("The application is rejected; the applicant is told why."))


def _step_form(name: str, request: StaffRequest, task: Task) -> TaskStepForm:
    if name == "accept":
        return AcceptForm(request.POST, writes=service(task.case.service).task(task.code).writes)
    return CorrectForm(request.POST) if name == "correct" else RejectForm(request.POST)


TASK_STEPS = {"accept": _accept, "correct": _correct, "reject": _reject}


def task_step_view(name: str) -> Any:
    """One step on a task of the user's queue (POST only). A task outside the queue is not found;
    a refusal is the queue again with the message naming the field, the step's form open with what
    was typed, and nothing written."""
    run = TASK_STEPS[name]

    @staff_view(VIEW)
    @require_POST
    def view(request: StaffRequest, pk: int) -> HttpResponse:
        task = _queued_task(request.user, pk)
        form = _step_form(name, request, task)
        try:
            if not form.is_valid():
                raise refusal(form)
            run(request, task, form)
        except KernelError as exc:
            if exc.status in (403, 404):
                raise
            messages.error(request, named(exc, form))
            return _render_queue(request, refused={"task": pk, "step": name, "values": typed(form)}, status=exc.status)
        back = form.cleaned_data.get("next") or ""
        if back.startswith("/") and not back.startswith("//"):
            return redirect(back)
        return redirect("onestop:queue")

    view.__name__ = view.__qualname__ = f"task_{name}"
    return view


def cases_visible(user: Any) -> QuerySet[Case]:
    """Cases in the user's scope, or with a task in it (the receiving district sees a relocation)."""
    tasks = restrict(Task.objects.all(), user, VIEW).values("case_id")
    in_scope = restrict(Case.objects.all(), user, VIEW).values("pk")
    return Case.objects.filter(Q(pk__in=in_scope) | Q(pk__in=tasks))


@staff_view(VIEW)
def case(request: HttpRequest, pk: int) -> HttpResponse:
    """The staff's view of a case: the tasks, the pauses, the corrections and the audit trail."""
    user = request.user
    found = cases_visible(user).select_related("enterprise__place", "place", "applicant").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    spec = service(found.service)
    at = clock.now()
    tasks = list(found.tasks.select_related("place", "handled_by").order_by("pk"))
    mine = set(actions.offices_of(user))
    for t in tasks:
        t.label = spec.task(t.code).label  # type: ignore[attr-defined]
        t.department_label = DEPARTMENTS[t.department].label  # type: ignore[attr-defined]
        t.elapsed = clock.elapsed_working_days(t, at)  # type: ignore[attr-defined]
        t.left = _left(t.due_at, at) if t.status == "open" else None  # type: ignore[attr-defined]
        t.overdue = clock.overdue(t, at)  # type: ignore[attr-defined]
        t.due_soon = clock.due_soon(t, at)  # type: ignore[attr-defined]
        t.deadline_unknown = clock.deadline_unknown(t)  # type: ignore[attr-defined]
        t.mine = t.status == "open" and DEPARTMENTS[t.department].office in mine  # type: ignore[attr-defined]
        t.writes = spec.task(t.code).writes  # type: ignore[attr-defined]
    labels = {t.pk: t.label for t in tasks}  # type: ignore[attr-defined]
    pauses = list(Pause.objects.filter(case=found).order_by("started_at", "pk"))
    for p in pauses:
        p.task_label = labels[p.task_id] if p.task_id in labels else _("the whole application")  # type: ignore[attr-defined]
    corrections = list(Correction.objects.filter(task__case=found).select_related("asked_by", "answered_by")
                       .order_by("asked_at", "pk"))
    for c in corrections:
        c.task_label = labels.get(c.task_id, "")  # type: ignore[attr-defined]
    types = ContentType.objects.get_for_models(Case, Task, Correction)
    trail = (Q(object_type=types[Case], object_id=str(found.pk))
             | Q(object_type=types[Task], object_id__in=[str(t.pk) for t in tasks])
             | Q(object_type=types[Correction], object_id__in=[str(c.pk) for c in corrections]))
    audit = describe_all([row.show_to(user) for row in AuditEntry.objects.filter(trail)
                          .select_related("actor", "object_type").order_by("at", "id")[:500]])
    codes = {str(found.data[f.name]) for f in spec.form if f.kind == "place" and f.name in found.data}
    return render(request, "onestop/case.html", {
        "case": found, "spec": spec, "tasks": tasks, "pauses": pauses, "corrections": corrections,
        "audit": audit, "data_rows": data_rows(spec, found.data, place_names(codes)),
        "outcome": outcome_rows(spec, found.outcome), "elapsed": clock.elapsed_working_days(found, at),
        "left": clock.remaining_working_days(found, at) if found.status == "submitted" else None,
        "paused_days": clock.paused_working_days(found, at),
        "overdue": clock.overdue(found, at), "paused": clock.is_paused(found),
        "deadline_unknown": clock.deadline_unknown(found),
        "documents": document_rows(found, spec),
    })
