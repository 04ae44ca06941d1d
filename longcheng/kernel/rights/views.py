"""Pages of data-subject requests and retention: parse, authorise (kernel.access.scope), call an action."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from longcheng.kernel import privacy, registry
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import access_object, restrict
from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import refusal
from longcheng.kernel.people.models import Resident
from longcheng.kernel.web.decorators import render_error, staff_view

from . import actions, retention
from .forms import CloseForm, ReportForm, RequestForm
from .jobs import local_time
from .models import RequestKind, RequestStatus, RetentionRun, SubjectRequest

PERMISSION = actions.PERMISSION
CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


@staff_view(PERMISSION)
def requests(request: StaffRequest) -> HttpResponse:
    qs = restrict(SubjectRequest.objects.select_related("person", "person__place"), request.user, PERMISSION)
    show_all = bool(request.GET.get("all"))
    if not show_all:
        qs = qs.filter(status=RequestStatus.OPEN)
    page = Paginator(qs.order_by("due_at", "pk"), 50).get_page(request.GET.get("page"))
    for row in page:
        row.shown_name = privacy.shown_name(request.user, row.person)  # type: ignore[attr-defined]
    return render(request, "rights/requests.html", {"page": page, "show_all": show_all})


@staff_view(PERMISSION)
def request_new(request: StaffRequest, pk: int) -> HttpResponse:
    person = access_object(Resident, request.user, pk, PERMISSION)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.do_register_request(person, acting_user=request.user, **form.cleaned_data)
        except KernelError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("Request registered; the answer is due %(due)s.")
                             % {"due": f"{created.due_at:%Y-%m-%d}"})
            return redirect("rights:request", pk=created.pk)
    return render(request, "rights/request_form.html",
                  {"form": form, "person": person, "shown_name": privacy.shown_name(request.user, person)},
                  status=400 if form.errors else 200)


def _detail(request: StaffRequest, item: SubjectRequest, *, status: int = 200, close_form: CloseForm | None = None) -> HttpResponse:
    return render(request, "rights/request.html", {
        "item": item, "shown_name": privacy.shown_name(request.user, item.person),
        "close_form": close_form or CloseForm(), "report_form": ReportForm(),
        "answers_with_report": item.kind in (RequestKind.ACCESS, RequestKind.COPY),
        "is_deletion": item.kind == RequestKind.DELETE,
        "rules": actions.blocking_rules(item.person) if item.kind == RequestKind.DELETE and item.status == "open" else [],
        "modules": [spec for spec in registry.modules() if spec.urls and spec.personal_data],
    }, status=status)


@staff_view(PERMISSION)
def request_detail(request: StaffRequest, pk: int) -> HttpResponse:
    item = access_object(SubjectRequest, request.user, pk, PERMISSION,
                         queryset=SubjectRequest.objects.select_related("person", "person__place", "registered_by"))
    return _detail(request, item)


@staff_view(PERMISSION)
def request_report(request: StaffRequest, pk: int) -> HttpResponse:
    item = access_object(SubjectRequest, request.user, pk, PERMISSION)
    form = ReportForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return redirect("rights:request", pk=item.pk)
    fmt = form.cleaned_data["format"]
    try:
        _parts, data = actions.do_generate_report(item, fmt=fmt, acting_user=request.user)
    except KernelError as error:
        return render_error(request, error)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="data-request-{item.pk}.{fmt}"'
    return response


@staff_view(PERMISSION)
def request_close(request: StaffRequest, pk: int) -> HttpResponse:
    item = access_object(SubjectRequest, request.user, pk, PERMISSION)
    form = CloseForm(request.POST or None)
    if request.method != "POST":
        return redirect("rights:request", pk=item.pk)
    if not form.is_valid():
        return render_error(request, refusal(form))
    actions.do_close_request(item, outcome=form.cleaned_data["outcome"], acting_user=request.user)
    messages.success(request, _("Request closed."))
    return redirect("rights:request", pk=item.pk)


@staff_view(PERMISSION)
def request_deletion(request: StaffRequest, pk: int) -> HttpResponse:
    item = access_object(SubjectRequest, request.user, pk, PERMISSION)
    if request.method != "POST":
        return redirect("rights:request", pk=item.pk)
    decided = actions.do_decide_deletion(item, acting_user=request.user)
    if decided.status == RequestStatus.REFUSED:
        messages.warning(request, _("Deletion refused: %(rule)s") % {"rule": decided.refusal_rule})
    else:
        messages.success(request, _("The person's data was erased."))
    return redirect("rights:request", pk=item.pk)


@staff_view(PERMISSION)
def retention_page(request: StaffRequest) -> HttpResponse:
    return render(request, "rights/retention.html", {
        "classes": retention.schedule(), "runs": RetentionRun.objects.all()[:20],
        "schedule": local_time()})
