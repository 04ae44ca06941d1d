"""Data-subject requests: every step an action with its audit row (docs/operations.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel import registry
from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import access_object
from longcheng.kernel.audit import actions as audit
from longcheng.kernel.errors import ErrorCode, KernelError
from longcheng.kernel.people.models import Resident
from longcheng.kernel.workdays.api import add_working_days

from . import report
from .models import IdentityCheck, RequestKind, RequestStatus, SubjectRequest

PERMISSION = "people.privacy"


class RequestClosed(KernelError):
    status = 409


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise KernelError(_("This field is required."), code=ErrorCode.REQUIRED, field=field)
    if len(value) > limit:
        raise KernelError(_("At most %(n)d characters.") % {"n": limit}, code=ErrorCode.INVALID, field=field)
    return value


@transaction.atomic
def do_register_request(person: Resident, *, kind: str, requester_name: str, identity_check: str,
                        identity_note: str, details: str = "", acting_user: User) -> SubjectRequest:
    """Register a request after the requester's identity was checked: how (identity_check) and
    against which document (identity_note) are recorded. The answer is due DATA_REQUEST_WORKING_DAYS
    working days later on the kernel's calendar."""
    person = access_object(Resident, acting_user, person.pk, PERMISSION)
    if kind not in RequestKind.values:
        raise KernelError(_("Choose the kind of request."), code=ErrorCode.INVALID, field="kind")
    if identity_check not in IdentityCheck.values:
        raise KernelError(_("Say how the requester's identity was checked."), code=ErrorCode.REQUIRED,
                          field="identity_check")
    now = timezone.now()
    request = SubjectRequest.objects.create(
        person=person, kind=kind, requester_name=_text(requester_name, "requester_name", 50),
        identity_check=identity_check, identity_note=_text(identity_note, "identity_note", 200),
        details=_text(details, "details", 2000, required=False), received_at=now,
        due_at=add_working_days(now, settings.DATA_REQUEST_WORKING_DAYS), registered_by=acting_user)
    audit.record(acting_user, "rights.register", request,
                 after={"kind": kind, "identity_check": identity_check, "due_at": request.due_at.isoformat()})
    return request


def _open(request: SubjectRequest) -> SubjectRequest:
    locked = SubjectRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != RequestStatus.OPEN:
        raise RequestClosed(_("This request is already closed."), code="request_closed", field="status")
    return locked


def _close(request: SubjectRequest, status: str, outcome: str, acting_user: User, *, rule: str = "") -> None:
    request.status = status
    request.outcome = outcome
    request.refusal_rule = rule[:300]
    request.closed_at = timezone.now()
    request.closed_by = acting_user
    request.save(update_fields=["status", "outcome", "refusal_rule", "closed_at", "closed_by"])
    audit.record(acting_user, f"rights.{status}", request, after={"status": status, "rule": rule[:300]},
                 reason=outcome[:500])


@transaction.atomic
def do_generate_report(request: SubjectRequest, *, fmt: str, acting_user: User) -> tuple[list[Any], bytes]:
    """The access report (XLSX, PDF, or the parts alone for "json") of everything every part holds about the person; an audited
    read naming the request. An open access or copy request is answered by it."""
    request = access_object(SubjectRequest, acting_user, request.pk, PERMISSION)
    if request.kind not in (RequestKind.ACCESS, RequestKind.COPY):
        raise KernelError(_("Only an access or copy request is answered with the report."),
                          code=ErrorCode.INVALID, field="kind")
    parts = report.gather(request.person)
    writers = {"pdf": report.pdf, "xlsx": report.xlsx}
    data = writers[fmt](request.person, parts) if fmt in writers else b""
    audit.record(acting_user, "rights.report", request.person, after={"request": request.pk, "format": fmt,
                 "parts": [code for code, _label, _sections in parts]},
                 reason=_("Data-subject request #%(pk)d") % {"pk": request.pk}, is_read=True)
    if request.status == RequestStatus.OPEN:
        _close(_open(request), RequestStatus.ANSWERED, _("Report handed over (%(fmt)s).") % {"fmt": fmt.upper()},
               acting_user)
    return parts, data


@transaction.atomic
def do_close_request(request: SubjectRequest, *, outcome: str, acting_user: User) -> SubjectRequest:
    """Close a request with what was done (a correction made through the normal pages, say)."""
    request = _open(access_object(SubjectRequest, acting_user, request.pk, PERMISSION))
    _close(request, RequestStatus.DONE, _text(outcome, "outcome", 2000), acting_user)
    return request


def blocking_rules(person: Resident) -> list[tuple[str, Any, Any]]:
    """(record class key, label, rule) of every class that holds rows about the person and that a
    deletion request may not remove."""
    found = []
    for _spec, rc in registry.record_classes():
        if rc.of_person is not None and not rc.erasable and rc.of_person(person).exists():
            found.append((rc.key, rc.label, rc.rule))
    return found


def _erase(person: Resident, acting_user: User) -> dict[str, int]:
    removed: dict[str, int] = {}
    for _spec, rc in registry.record_classes():
        if rc.of_person is not None and rc.erasable:
            rows = rc.of_person(person)
            removed[rc.key] = rc.purge(rows) if rc.purge is not None else rows.delete()[0]
    # Which fields, never their values: the audit row must not keep what the request erases.
    before = {"fields": ["name", "resident_id", "phone", "address"]}
    # The registry row stays (other rows point at it) with nothing that identifies the person.
    person.name = _("(erased)")
    person.phone = ""
    person.address = ""
    person.resident_id = f"X{person.pk:017d}"[:18]
    person.save(update_fields=["name", "phone", "address", "resident_id", "updated_at"])
    audit.record(acting_user, "people.erase", person, before=before, after={"removed": removed})
    return removed


@transaction.atomic
def do_decide_deletion(request: SubjectRequest, *, acting_user: User) -> SubjectRequest:
    """Delete the person's data where no retention rule keeps it, else refuse naming the rules."""
    request = _open(access_object(SubjectRequest, acting_user, request.pk, PERMISSION))
    if request.kind != RequestKind.DELETE:
        raise KernelError(_("Only a deletion request is decided here."), code=ErrorCode.INVALID, field="kind")
    person = Resident.objects.select_for_update().get(pk=request.person_id)
    rules = blocking_rules(person)
    if rules:
        text = "; ".join(f"{label}: {rule}" for _key, label, rule in rules)
        _close(request, RequestStatus.REFUSED, _("Refused: a retention rule keeps the data."), acting_user,
               rule=text)
        return request
    removed = _erase(person, acting_user)
    _close(request, RequestStatus.DONE, _("Erased: %(rows)d rows removed, the registry record anonymised.")
           % {"rows": sum(removed.values())}, acting_user)
    return request
