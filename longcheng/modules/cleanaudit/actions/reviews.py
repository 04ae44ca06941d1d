"""The bureau's assessment (评估) after the seven stages and acceptance (验收) once the medium/high-cost
options are in, each with its scoring sheet; the grade follows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import place_in_scope, require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import Conflict, KernelError, NotFound
from longcheng.kernel.workdays.api import SHANGHAI

from .. import rules
from ..errors import ErrorCode
from ..models import AuditRound, Option, Review, StageRecord
from ..spec import REVIEW
from .common import option_facts
from .deadlines import term_for


def _lock(round_id: int, acting_user: User) -> AuditRound:
    require_perm(acting_user, REVIEW)
    audit = AuditRound.objects.select_for_update(of=("self",)).select_related("place", "firm").filter(
        pk=round_id).first()
    if audit is None or not place_in_scope(acting_user, REVIEW, audit.place.path):
        raise NotFound()
    return audit


def _overdue(audit: AuditRound, today: dt.date) -> bool:
    late_stage = StageRecord.objects.filter(round=audit, due_on__isnull=False).exclude(closed_at=None)
    late_registration = (audit.registered_on is not None and audit.registration_due is not None
                         and audit.registered_on > audit.registration_due)
    return late_registration or any(r.closed_at and r.due_on and r.closed_at.astimezone(SHANGHAI).date() > r.due_on
                                    for r in late_stage) or \
        rules.is_overdue(audit.review_due, today, done=False)


def do_review(round_id: int, *, kind: str, scores: Mapping[str, int], vetoes: Iterable[str] = (), reasons: str = "",
              acting_user: User, now: dt.datetime | None = None) -> Review:
    """评估 of a round that finished its seven stages, or 验收 of one that passed 评估; 不合格 ends the round."""
    if kind not in rules.SHEETS:
        raise KernelError(pgettext("cleanaudit", "Assessment or acceptance."), code="invalid", field="kind")
    sheet = rules.score(kind, scores, list(vetoes))
    if len(sheet) == 2 and isinstance(sheet[0], str):
        raise KernelError(sheet[1], code=ErrorCode.SCORE, field=sheet[0])
    total, passed = sheet
    at = now or timezone.now()
    with transaction.atomic():
        audit = _lock(round_id, acting_user)
        if kind == "assessment" and audit.status != "assessment":
            raise Conflict(pgettext("cleanaudit", "The round has not finished its seven stages."),
                           code=ErrorCode.WRONG_STAGE, field="status")
        if kind == "acceptance":
            problem = rules.acceptance_problem(
                assessed=audit.status == "assessed",
                options=option_facts(Option.objects.filter(round=audit).order_by("pk")))
            if problem:
                raise Conflict(problem[1], code=ErrorCode.NOT_ASSESSED, field=problem[0])
        if not passed and not reasons.strip():
            raise KernelError(pgettext("cleanaudit", "Say why it fails."), code="required", field="reasons")
        review = Review.objects.create(round=audit, kind=kind, scores=dict(scores), vetoes=sorted(set(vetoes)),
                                       total=total, passed=bool(passed), reasons=reasons[:2000], by=acting_user, at=at)
        _apply(audit, review, at)
        record(acting_user, f"cleanaudit.review.{kind}", audit,
               after={"total": str(total), "passed": bool(passed), "status": audit.status, "grade": audit.grade})
    return review


def _apply(audit: AuditRound, review: Review, at: dt.datetime) -> None:
    today = at.astimezone(SHANGHAI).date()
    if not review.passed:
        audit.status = "failed"
    elif review.kind == "assessment":
        audit.status, audit.assessed_on = "assessed", today
        audit.review_due = rules.acceptance_due(today, term_for(audit.year))
    else:
        audit.status, audit.accepted_on = "accepted", today
    assessment = audit.reviews.filter(kind="assessment").order_by("-at").first()
    audit.grade = rules.grade(
        assessment_total=assessment.total if assessment else None,
        vetoes=len(review.vetoes) + (len(assessment.vetoes) if assessment else 0),
        accepted=audit.status == "accepted", overdue=_overdue(audit, today))
    audit.save(update_fields=["status", "assessed_on", "accepted_on", "review_due", "grade"])
