"""Aid applications: the yearly cap, the case worker's recommendation and the review."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel import uploads
from longcheng.kernel.access.models import User
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import ErrorCode, KernelError
from longcheng.kernel.ledger import actions as ledger
from longcheng.kernel.people.validators import mask_name

from .. import rules
from ..access import _lock, _lock_application
from ..conf import conf
from ..errors import ErrorCode as Code
from ..models import (
    COUNTING,
    AidType,
    Application,
    AppStatus,
    Attachment,
    CaseStatus,
    Youth,
)
from . import common
from .common import MANAGE, REVIEW, _text, consent_missing, is_under_14
from .fund import youth_fund


def used_fen(youth_id: int, aid_type_id: int, year: int, *, exclude: int | None = None) -> int:
    """Asked for (not yet decided) or granted this year: what counts against the yearly cap."""
    qs = Application.objects.filter(youth_id=youth_id, aid_type_id=aid_type_id, year=year, status__in=COUNTING)
    if exclude:
        qs = qs.exclude(pk=exclude)
    total = 0
    for status, requested, recommended, approved in qs.values_list("status", "requested_fen", "recommended_fen",
                                                                    "approved_fen"):
        if status in (AppStatus.APPROVED, AppStatus.PAID):
            total += approved or 0
        elif status == AppStatus.RECOMMENDED:
            total += recommended or requested
        else:
            total += requested
    return total


def _aid_checks(locked: Youth, aid_type: AidType, year: int, amount: int, *, exclude: int | None = None,
                field: str = "requested_fen") -> None:
    if not aid_type.active:
        raise KernelError(_("This aid type is not offered now."), field="aid_type")
    problem = rules.amount_problem(aid_type, amount, hardship_grade=locked.hardship_grade)
    if problem:
        raise KernelError(problem, code=ErrorCode.INVALID_AMOUNT, field=field)
    problem = rules.condition_problem(aid_type, stage=locked.stage, university_admitted_year=locked.university_admitted_year,
                                      serious_illness=locked.serious_illness, hardship_grade=locked.hardship_grade)
    if problem:
        raise KernelError(problem, field="aid_type")
    problem = rules.cap_problem(aid_type, year, amount, used_fen(locked.pk, aid_type.pk, year, exclude=exclude),
                                hardship_grade=locked.hardship_grade)
    if problem:
        raise KernelError(problem, code=Code.YEARLY_CAP, field=field)


def do_apply(youth: Youth | int, *, aid_type: AidType | str, amount_fen: int, reason: str, acting_user: User,
             year: int | None = None, attachments: Iterable[Any] = ()) -> Application:
    """An application for aid, filed by the case worker with its proof (admission letter, bills)."""
    year = year or common._today().year
    if not 2000 <= year <= common._today().year + 1:
        raise KernelError(_("Between %(low)d and %(high)d.") % {"low": 2000, "high": common._today().year + 1}, field="year")
    kind = aid_type if isinstance(aid_type, AidType) else AidType.objects.filter(code=aid_type).first()
    if kind is None:
        raise KernelError(_("Choose an aid type."), code=ErrorCode.REQUIRED, field="aid_type")
    reason = _text(reason, "reason", minimum=4)
    files = list(attachments)
    limit = conf("YOUTHAID_MAX_UPLOAD_BYTES")
    for upload in files:
        uploads.check_upload(upload, allowed=uploads.SCANS, max_bytes=limit, field="proof")
    if kind.proof_required and not files:
        raise KernelError(_("Attach the proof: %(what)s.") % {"what": kind.proof_label or _("proof")},
                          code=ErrorCode.REQUIRED, field="proof")
    with transaction.atomic():
        locked = _lock(youth, acting_user, MANAGE)
        if locked.status != CaseStatus.ACTIVE:
            raise KernelError(_("Only an eligible youth under monitoring can receive aid; screen the case first."),
                              code=Code.NOT_ELIGIBLE, field="youth")
        if is_under_14(locked) and consent_missing(locked):
            raise KernelError(_("Record the guardian's consent first (PIPL art. 31)."),
                              code=ErrorCode.CONSENT_REQUIRED, field="consent")
        _aid_checks(locked, kind, year, amount_fen)
        reaid = Application.objects.filter(youth=locked, status=AppStatus.PAID).exists()
        application = Application.objects.create(youth=locked, aid_type=kind, year=year, requested_fen=amount_fen,
                                                 reason=reason, is_reaid=reaid, created_by=acting_user)
        for upload in files:
            Attachment.objects.create(application=application, file=upload, name=str(upload.name)[:200],
                                      size=upload.size or 0, uploaded_by=acting_user)
        record(acting_user, "youthaid.apply", locked, after={"application": application.pk, "aid_type": kind.code,
                                                             "year": year, "amount_fen": amount_fen, "reaid": reaid},
               reason=reason[:200])
    return application


def _require_active(youth: Youth) -> None:
    """A case that stopped being eligible after the application was filed (a remarriage, an 18th
    birthday out of school) gets no recommendation or approval; it may still be rejected."""
    if youth.status != CaseStatus.ACTIVE:
        raise KernelError(_("Only an eligible youth under monitoring can receive aid; screen the case first."),
                          code=Code.NOT_ELIGIBLE, field="youth")


def do_recommend(application: int | Application, *, recommend: bool, note: str, acting_user: User,
                 amount_fen: int | None = None) -> Application:
    """The case worker's recommendation to the charity federation (or not, with the reason)."""
    note = _text(note, "recommendation", minimum=4)
    with transaction.atomic():
        app = _lock_application(application, acting_user, MANAGE)
        if app.status != AppStatus.APPLIED:
            raise KernelError(_("This application is no longer awaiting a recommendation."), code=Code.APPLICATION_DECIDED,
                              field="status")
        if recommend:
            _require_active(app.youth)
            amount = app.requested_fen if amount_fen is None else amount_fen
            if amount > app.requested_fen:
                raise KernelError(_("A recommendation cannot exceed the amount asked."), code=ErrorCode.INVALID_AMOUNT,
                                  field="recommended_fen")
            _aid_checks(app.youth, app.aid_type, app.year, amount, exclude=app.pk, field="recommended_fen")
            if app.aid_type.proof_required and not app.attachments.exists():
                raise KernelError(_("Attach the proof: %(what)s.") % {"what": app.aid_type.proof_label},
                                  code=ErrorCode.REQUIRED, field="proof")
            app.recommended_fen, app.status = amount, AppStatus.RECOMMENDED
        else:
            app.status = AppStatus.NOT_RECOMMENDED
        app.recommendation, app.recommended_by, app.recommended_at = note, acting_user, timezone.now()
        app.save()
        record(acting_user, "youthaid.recommend", app.youth, after={"application": app.pk, "status": app.status,
                                                                    "amount_fen": app.recommended_fen}, reason=note[:200])
    return app


def commit_memo(app: Application) -> str:
    """The memo of an approved application's commitment: the application named first, as every
    posting of the fund names it ("申请 #221 · 生活救助 · 王*溧，2026 年")."""
    return _("Application #%(n)d · %(type)s · %(name)s, %(year)d") % {
        "n": app.pk, "type": app.aid_type, "name": mask_name(app.youth.person.name), "year": app.year}


def do_decide(application: int | Application, *, approve: bool, reason: str, acting_user: User,
              amount_fen: int | None = None) -> Application:
    """The charity federation approves (possibly reduced), or rejects with a reason. Approval commits
    the money on the fund ledger in the same transaction: refused if the fund cannot cover it, so the
    balance never goes below zero, however many reviewers approve at once."""
    with transaction.atomic():
        app = _lock_application(application, acting_user, REVIEW)
        if app.status != AppStatus.RECOMMENDED:
            raise KernelError(_("This application is not awaiting review."), code=Code.APPLICATION_DECIDED, field="status")
        recommended = app.recommended_fen or app.requested_fen
        if approve:
            _require_active(app.youth)
            amount = recommended if amount_fen is None else amount_fen
            if amount > recommended:
                raise KernelError(_("The approved amount cannot exceed the recommendation (%(amount)s).")
                                  % {"amount": ledger.format_fen(recommended)}, code=ErrorCode.INVALID_AMOUNT,
                                  field="approved_fen")
            if amount < recommended:
                reason = _text(reason, "decision_reason", minimum=4)
            _aid_checks(app.youth, app.aid_type, app.year, amount, exclude=app.pk, field="approved_fen")
            ledger.do_commit(youth_fund(), amount, acting_user=acting_user, idempotency_key=f"youthaid:commit:{app.pk}",
                             memo=commit_memo(app))
            app.approved_fen, app.status = amount, AppStatus.APPROVED
        else:
            reason = _text(reason, "decision_reason", minimum=4)
            app.status = AppStatus.REJECTED
        app.decision_reason, app.decided_by, app.decided_at = (reason or "").strip(), acting_user, timezone.now()
        app.save()
        record(acting_user, "youthaid.decide", app.youth,
               after={"application": app.pk, "status": app.status, "amount_fen": app.approved_fen},
               reason=app.decision_reason[:200])
    return app
