"""The officer's and the insurers' changes: decide liability (accept the table's proposal or change
it with an audited reason), call the parties to the scene, hand off to insurers, claim status."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import place_in_scope, require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import Conflict, KernelError, NotFound

from . import notices, rules
from .adapters import adapter_for
from .errors import ErrorCode
from .models import Handoff, Outcome, Report
from .spec import CLAIMS, REVIEW


def _reviewable(report: Report, acting_user: User) -> Report:
    require_perm(acting_user, REVIEW)
    report = Report.objects.select_for_update().select_related("place").get(pk=report.pk)
    if not place_in_scope(acting_user, REVIEW, report.place.path):
        raise NotFound()
    if report.status not in (Report.Status.SUBMITTED, Report.Status.DISPUTE):
        raise Conflict(pgettext("accidents", "This report is no longer waiting for a decision."),
                       code=ErrorCode.WRONG_STEP)
    return report


def do_decide_liability(report: Report, *, liability_a: str | None, reason: str, acting_user: User,
                        now: datetime | None = None) -> Report:
    """Accept the table's proposal (liability_a None) or decide otherwise; any outcome other than
    the proposal (and every decision of a dispute) needs a reason, kept in the audit row."""
    reason = reason.strip()
    with transaction.atomic():
        report = _reviewable(report, acting_user)
        chosen = liability_a or report.proposed_a
        if chosen not in Outcome.values:
            raise KernelError(pgettext("accidents", "Choose the liability of driver A."), field="liability_a")
        changed = chosen != report.proposed_a
        if changed and not reason:
            raise KernelError(pgettext("accidents", "Give the reason for deciding otherwise than the rule table."),
                              code=ErrorCode.REASON_REQUIRED, field="reason")
        before = {"proposed_a": report.proposed_a, "status": report.status}
        report.liability_a, report.liability_b = chosen, rules.COMPLEMENT[chosen]
        report.changed_by_officer, report.decision_reason = changed, reason[:300]
        report.decided_by, report.decided_at = acting_user, now or timezone.now()
        parties = list(report.parties.all())
        report.mutual_self_pay = rules.mutual_self_pay(
            [report.liability_a, report.liability_b], [p.loss_fen for p in parties],
            injury=any(p.injured for p in parties), third_party_property=report.third_party_property)
        report.status = Report.Status.DECIDED
        report.save()
        record(acting_user, "accidents.liability.change" if changed else "accidents.liability.accept", report,
               before=before, after={"liability_a": report.liability_a, "liability_b": report.liability_b,
                                     "mutual_self_pay": report.mutual_self_pay}, reason=reason)
        notices.liability_decided(report)
    return report


def do_call_to_scene(report: Report, *, reason: str, acting_user: User) -> Report:
    """The officer cannot decide from the photos: the parties wait for the police at the scene."""
    if not reason.strip():
        raise KernelError(pgettext("accidents", "Give the reason for calling the parties to the scene."),
                          code=ErrorCode.REASON_REQUIRED, field="reason")
    with transaction.atomic():
        report = _reviewable(report, acting_user)
        before = {"status": report.status}
        report.status, report.decision_reason = Report.Status.SCENE, reason.strip()[:300]
        report.decided_by, report.decided_at = acting_user, timezone.now()
        report.save()
        record(acting_user, "accidents.report.scene", report, before=before, after={"status": report.status},
               reason=reason.strip())
        notices.called_to_scene(report)
    return report


def hand_off(report: Report, *, acting_user: User, now: datetime) -> list[Handoff]:
    """Inside the signing transaction: one hand-off per party to its insurer, through the insurer's
    adapter. Never called for a report that was not decided (so never for a refused one)."""
    if report.status != Report.Status.HANDED_OFF or report.refused_because_id:
        raise Conflict(pgettext("accidents", "Only a signed agreement is handed off."), code=ErrorCode.WRONG_STEP)
    made = []
    for party in report.parties.select_related("insurer"):
        assert party.insurer is not None  # confirmed before submitting
        handoff = Handoff.objects.create(report=report, party=party, insurer=party.insurer, sent_at=now,
                                         mutual_self_pay=report.mutual_self_pay)
        handoff.claim_no = adapter_for(party.insurer.adapter).submit(
            insurer_code=party.insurer.code, handoff_id=handoff.pk, mutual_self_pay=report.mutual_self_pay)
        handoff.save(update_fields=["claim_no"])
        record(acting_user, "accidents.handoff.send", handoff,
               after={"insurer": party.insurer.code, "claim_no": handoff.claim_no,
                      "mutual_self_pay": report.mutual_self_pay})
        made.append(handoff)
    notices.handed_off(report, made)
    return made


def do_update_claim(handoff: Handoff, *, status: str, acting_user: User) -> Handoff:
    """The insurer's handler reports the claim's status (the drivers follow it)."""
    require_perm(acting_user, CLAIMS)
    if status not in Handoff.Status.values:
        raise KernelError(pgettext("accidents", "Choose a claim status."), field="status")
    with transaction.atomic():
        handoff = Handoff.objects.select_for_update().get(pk=handoff.pk)
        if not handoff.insurer.members.filter(pk=acting_user.pk).exists():
            raise NotFound()
        before = {"status": handoff.status}
        handoff.status = status
        handoff.save(update_fields=["status"])
        record(acting_user, "accidents.handoff.status", handoff, before=before, after={"status": status})
        if status != before["status"]:
            notices.claim_status(handoff)
    return handoff
