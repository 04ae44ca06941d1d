"""Retention: every part declares its record classes (ModuleSpec.retention, kernel.registry.RecordClass)
and the nightly job deletes or anonymises what expired, in batches.

Idempotent by construction: a class's `expired(cutoff)` never returns a row the job already handled
(a deleted row is gone; an anonymised one no longer matches), so a second run the same night finds
nothing. A class without a period (`days=None`: ledger postings, the registry) is never touched.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from longcheng.kernel import registry
from longcheng.kernel.audit import actions as audit
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.notify.models import Message
from longcheng.kernel.people.models import Consent
from longcheng.kernel.registry import RecordClass

from .models import RetentionRun, SubjectRequest

YEAR = 365


def _audit_reads(cutoff: dt.datetime) -> QuerySet[Any]:
    return AuditEntry.objects.filter(is_read=True, at__lt=cutoff)


def _messages(cutoff: dt.datetime) -> QuerySet[Any]:
    # A message still waiting for delivery is work, not history.
    return Message.objects.filter(created_at__lt=cutoff).exclude(status="pending")


def _closed_requests(cutoff: dt.datetime) -> QuerySet[Any]:
    return SubjectRequest.objects.filter(closed_at__lt=cutoff)


def _runs(cutoff: dt.datetime) -> QuerySet[Any]:
    return RetentionRun.objects.filter(started_at__lt=cutoff)


def _withdrawn_consents(cutoff: dt.datetime) -> QuerySet[Any]:
    return Consent.objects.filter(withdrawn_at__lt=cutoff)


KERNEL_RECORDS = [
    RecordClass("people.residents", _("Resident registry"),
                _("The registry is the city's record of residents: kept; a deletion request anonymises "
                  "the person when no other rule keeps their data.")),
    RecordClass("people.consents", _("Withdrawn consents"),
                _("Proof of consent kept 3 years after it was withdrawn (PIPL art. 15, evidence)."),
                days=3 * YEAR, expired=_withdrawn_consents,
                of_person=lambda person: Consent.objects.filter(subject=person), erasable=True),
    RecordClass("ledger.postings", _("Ledger postings"),
                _("Accounting records are kept 30 years (会计档案管理办法, art. 14) and never removed "
                  "by the retention job.")),
    RecordClass("audit.reads", _("Audit rows of reads of sensitive data"),
                _("Reads of sensitive data are kept 3 years (Cybersecurity Law art. 21: at least 6 months)."),
                days=3 * YEAR, expired=_audit_reads),
    RecordClass("notify.messages", _("Delivered notifications"),
                _("Delivered or failed notifications are kept 1 year."), days=YEAR, expired=_messages,
                of_person=lambda person: Message.objects.filter(recipient_resident=person), erasable=True),
    RecordClass("rights.requests", _("Closed data-subject requests"),
                _("A request and its answer are kept 3 years after it was closed (evidence of the answer)."),
                days=3 * YEAR, expired=_closed_requests),
    RecordClass("rights.runs", _("Retention runs"), _("The retention job's own reports are kept 1 year."),
                days=YEAR, expired=_runs),
]


def _purge(rc: RecordClass, cutoff: dt.datetime, batch: int) -> int:
    """Delete or anonymise the expired rows of one class, `batch` rows per transaction."""
    assert rc.expired is not None
    count = 0
    while True:
        qs = rc.expired(cutoff)
        pks = list(qs.order_by("pk").values_list("pk", flat=True)[:batch])
        if not pks:
            return count
        with transaction.atomic():
            chunk = qs.model.objects.filter(pk__in=pks)
            if rc.action == "anonymise":
                assert rc.anonymise is not None
                done = rc.anonymise(chunk)
            elif rc.purge is not None:
                done = rc.purge(chunk)
            else:
                chunk.delete()
                done = len(pks)
        count += done
        # An anonymiser that changed nothing would find the same rows again: stop rather than spin.
        if len(pks) < batch or done == 0:
            return count


def run_retention(*, now: dt.datetime | None = None, batch: int | None = None) -> RetentionRun:
    """Apply every declared record class; returns the run's record (what each class lost)."""
    now = now or timezone.now()
    batch = batch or settings.RETENTION_BATCH
    run = RetentionRun.objects.create(started_at=timezone.now())
    results: dict[str, dict[str, Any]] = {}
    for spec, rc in registry.record_classes():
        if rc.days is None or rc.expired is None:
            results[rc.key] = {"module": spec.code, "action": "keep", "count": 0}
            continue
        results[rc.key] = {"module": spec.code, "action": rc.action,
                           "count": _purge(rc, now - dt.timedelta(days=rc.days), batch)}
    with transaction.atomic():
        run.results = results
        run.finished_at = timezone.now()
        run.save(update_fields=["results", "finished_at"])
        audit.record(None, "retention.run", run, after={k: v["count"] for k, v in results.items() if v["count"]})
    return run


def schedule() -> list[dict[str, Any]]:
    """Every declared record class with its rule, for the retention page."""
    return [{"module": spec.code, "module_label": spec.label, "key": rc.key, "label": rc.label, "rule": rc.rule, "days": rc.days,
             "action": rc.action if rc.days is not None else "keep", "erasable": rc.erasable}
            for spec, rc in registry.record_classes()]
