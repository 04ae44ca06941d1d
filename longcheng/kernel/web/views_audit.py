"""The audit trail pages: filtered (period, actor, object, action, reads), in words (labels, not
codes; before/after as lines), and exported as XLSX (itself audited). Every query starts from
`restrict(..., "audit.view")`: the filters only narrow what the viewer's places allow."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import restrict
from longcheng.kernel.audit.display import describe_all
from longcheng.kernel.audit.export import do_export_audit
from longcheng.kernel.audit.forms import AuditFilterForm
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, NotFound

from .decorators import staff_view
from .views import attach_error

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scoped(request: StaffRequest) -> Any:
    return restrict(AuditEntry.objects.select_related("actor", "object_type"), request.user, "audit.view")


def _page(request: StaffRequest, qs: Any) -> Any:
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    describe_all([row.show_to(request.user) for row in page])
    return page


@staff_view("audit.view")
def audit(request: StaffRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    qs = _scoped(request)
    if form.is_bound and not form.is_valid():
        qs = qs.none()
    elif form.is_bound:
        qs = form.apply(qs)
    return render(request, "web/audit.html", {"page": _page(request, qs), "form": form, "object": None,
                                              "query": request.GET.urlencode()},
                  status=400 if form.errors else 200)


@staff_view("audit.view")
def audit_xlsx(request: StaffRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    if form.is_valid():
        try:
            data = do_export_audit(form.apply(_scoped(request)), filters=form.summary(), acting_user=request.user)
        except KernelError as error:
            attach_error(form, error)
        else:
            response = HttpResponse(data, content_type=XLSX)
            response["Content-Disposition"] = 'attachment; filename="audit.xlsx"'
            return response
    return render(request, "web/audit.html", {"page": _page(request, _scoped(request).none()), "form": form,
                                              "object": None, "query": request.GET.urlencode()}, status=400)


@staff_view("audit.view")
def audit_object(request: StaffRequest, model: str, pk: str) -> HttpResponse:
    try:
        app_label, model_name = model.split(".", 1)
        ct = ContentType.objects.get_by_natural_key(app_label, model_name)
    except (ValueError, ContentType.DoesNotExist) as exc:
        raise NotFound() from exc
    page = _page(request, _scoped(request).filter(object_type=ct, object_id=pk))
    first = page[0] if page else None
    return render(request, "web/audit.html", {"page": page, "form": None, "object": first,
                                              "query": f"object_type={model}&object_id={pk}"})
