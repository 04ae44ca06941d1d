"""The one-stop objects by the names people know them by, for the audit trail (the registry's
audit_objects, read by kernel.audit.display): "企业迁移登记 #21 · 迁入申请" rather than the stored
"relocation #21 / move_in"."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .catalogue import service
from .models import Case, Correction, Document, Task


def _service_label(code: str) -> str:
    try:
        return str(service(code).label)
    except KeyError:  # a service no longer declared: its code
        return code


def _task_label(service_code: str, code: str) -> str:
    try:
        return str(service(service_code).task(code).label)
    except KeyError:
        return code


def _case_name(case: Case) -> str:
    return _("%(service)s #%(number)s") % {"service": _service_label(case.service), "number": case.pk}


def _task_name(task: Task) -> str:
    return _("%(case)s · %(task)s") % {"case": _case_name(task.case), "task": _task_label(task.case.service, task.code)}


def case_names(ids: list[str]) -> dict[str, str]:
    cases = Case.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()]).select_related("enterprise")
    return {str(c.pk): _("%(case)s · %(enterprise)s") % {"case": _case_name(c), "enterprise": c.enterprise.name}
            for c in cases.only("service", "enterprise__name")}


def task_names(ids: list[str]) -> dict[str, str]:
    tasks = Task.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()]).select_related("case")
    return {str(t.pk): _task_name(t) for t in tasks.only("code", "case__service")}


def correction_names(ids: list[str]) -> dict[str, str]:
    rows = Correction.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()]).select_related("task__case")
    return {str(c.pk): _("Correction asked of %(task)s") % {"task": _task_name(c.task)}
            for c in rows.only("task__code", "task__case__service")}


def document_names(ids: list[str]) -> dict[str, str]:
    rows = Document.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()]).select_related("case")
    out = {}
    for d in rows.only("code", "name", "case__service"):
        try:
            label = str(service(d.case.service).document(d.code).label)
        except KeyError:
            label = d.code
        out[str(d.pk)] = _("%(document)s “%(name)s” of %(case)s") % {"document": label, "name": d.name,
                                                                    "case": _case_name(d.case)}
    return out
