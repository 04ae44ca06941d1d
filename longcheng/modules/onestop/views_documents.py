"""Supporting documents: the list of a case's declared documents with what was uploaded, and the
download, which answers only the applicant's enterprise and staff who see the case (the files are
never under a public URL)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from longcheng.kernel import uploads
from longcheng.kernel.access.scope import has_perm
from longcheng.kernel.errors import NotFound
from longcheng.kernel.web.decorators import staff_view

from . import actions
from .catalogue import ServiceSpec
from .models import Case, Document
from .spec import APPLY, VIEW


def document_rows(case: Case, spec: ServiceSpec) -> list[dict[str, Any]]:
    """Each declared document with the files uploaded for it (newest first), then any others."""
    files: dict[str, list[Document]] = {}
    for d in Document.objects.filter(case=case).order_by("-uploaded_at", "-pk"):
        files.setdefault(d.code, []).append(d)
    return [{"code": d.code, "label": d.label, "required": d.required, "files": files.get(d.code, [])}
            for d in spec.documents]


def may_read(user: Any, case_id: int) -> bool:
    if has_perm(user, APPLY) and actions.cases_of(user).filter(pk=case_id).exists():
        return True
    if has_perm(user, VIEW):
        from .views_desk import cases_visible  # cycle: views_desk imports this file's document_rows

        return cases_visible(user).filter(pk=case_id).exists()
    return False


@staff_view(None)
def document(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = Document.objects.filter(pk=pk).first()
    if found is None or not may_read(request.user, found.case_id):
        raise NotFound()
    try:
        return uploads.download(found.file, found.name, acting_user=request.user, action="onestop.download",
                                obj=found, after={"case": found.case_id, "code": found.code})
    except (FileNotFoundError, ValueError):
        raise NotFound() from None
