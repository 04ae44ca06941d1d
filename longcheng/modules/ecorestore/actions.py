"""Every change in ecorestore: do_<verb>_<thing>(..., *, acting_user), one transaction with its audit row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import place_in_scope
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import ErrorCode as KernelCode
from longcheng.kernel.errors import KernelError, PermissionDenied
from longcheng.kernel.ledger.money import MAX_AMOUNT_FEN
from longcheng.kernel.places.models import Place
from longcheng.kernel.uploads import JPEG, PNG, FileKind, check_upload

from . import rules
from .errors import ErrorCode
from .models import (
    Assessment,
    Case,
    Certificate,
    DamageHead,
    Head,
    Obligation,
    ObligationState,
    PartyKind,
    Rate,
    Shift,
    ShiftState,
    Source,
    StageStep,
    Threshold,
    Work,
    Zone,
)
from .spec import COURT, MANAGE, SUPERVISE


def _require_at(user: User, permission: str, place: Place, field: str | None = None) -> None:
    if not place_in_scope(user, permission, place.path):
        raise PermissionDenied(pgettext("ecorestore", "This is outside your scope."), field=field)


def money_owed(case: Case) -> int:
    """What the party still owes in money: the damage less what labour and works in kind offset, plus
    what a breach reverted, less the money received for the case (its receipts in the base's fund, not reversed)."""
    converted = sum(o.amount_offset_fen - o.reverted_fen for o in case.obligations.all())
    in_kind = sum(w.amount_offset_fen - w.reverted_fen for w in case.works.all())
    paid = sum(r.amount_fen for r in case.receipts.filter(reversal__isnull=True))
    return case.damage_fen - converted - in_kind - paid


@dataclass(frozen=True)
class NewCase:
    number: str
    title: str
    source: str
    source_organ: str
    legal_basis: str
    place: Place
    party_name: str
    party_kind: str
    opened_on: dt.date
    heads: dict[str, int]
    assessment_report: str = ""
    decided_on: dt.date | None = None
    party_user: User | None = None


def _case_problem(new: NewCase) -> KernelError | None:
    for field in ("number", "title", "source_organ", "legal_basis", "party_name"):
        if not str(getattr(new, field)).strip():
            return KernelError(pgettext("ecorestore", "This field is required."), code=KernelCode.REQUIRED, field=field)
    if new.source not in Source.values:
        return KernelError(pgettext("ecorestore", "Choose a source."), field="source")
    if new.party_kind not in PartyKind.values:
        return KernelError(pgettext("ecorestore", "Choose the kind of party."), field="party_kind")
    for head, amount in new.heads.items():
        if head not in Head.values or not isinstance(amount, int) or not 0 <= amount <= MAX_AMOUNT_FEN:
            return KernelError(pgettext("ecorestore", "Each head of compensation is a whole amount of fen, not negative."),
                               code=KernelCode.INVALID_AMOUNT, field="heads")
    if sum(new.heads.values()) <= 0:
        return KernelError(pgettext("ecorestore", "The damage amount must be more than zero."),
                           code=KernelCode.INVALID_AMOUNT, field="heads")
    if new.source == Source.COURT and new.decided_on is None:
        return KernelError(pgettext("ecorestore", "A judgement needs its date."), code=KernelCode.REQUIRED,
                           field="decided_on")
    return None


def do_open_case(new: NewCase, *, acting_user: User) -> Case:
    """A case as it arrives from its source: a court files judged cases, the procuratorate any."""
    permission = MANAGE if place_in_scope(acting_user, MANAGE, new.place.path) else COURT
    _require_at(acting_user, permission, new.place, "place")
    if permission == COURT and new.source != Source.COURT:
        raise PermissionDenied(pgettext("ecorestore", "A court files only the cases it judged."), field="source")
    problem = _case_problem(new)
    if problem:
        raise problem
    stage = rules.FIRST_STAGE[new.source]
    entered = new.decided_on if stage == "lawsuit" and new.decided_on else new.opened_on
    try:
        with transaction.atomic():
            case = Case.objects.create(
                number=new.number.strip(), title=new.title.strip(), source=new.source,
                source_organ=new.source_organ.strip(), legal_basis=new.legal_basis.strip(), place=new.place,
                party_name=new.party_name.strip(), party_kind=new.party_kind, party_user=new.party_user,
                assessment_report=new.assessment_report.strip(), stage=stage, opened_on=new.opened_on,
                decided_on=new.decided_on, stage_due=rules.stage_due(stage, entered))
            DamageHead.objects.bulk_create([DamageHead(case=case, head=h, amount_fen=a) for h, a in new.heads.items()])
            StageStep.objects.create(case=case, to_stage=stage, by=acting_user)
            record(acting_user, "ecorestore.case.open", case,
                   after={"number": case.number, "source": case.source, "stage": stage, "damage_fen": case.damage_fen})
    except IntegrityError as exc:
        raise KernelError(pgettext("ecorestore", "A case with this number exists."), code=ErrorCode.DUPLICATE_CASE,
                          field="number") from exc
    return case


def do_advance_case(case: Case, *, to_stage: str, on: dt.date, acting_user: User) -> Case:
    _require_at(acting_user, MANAGE, case.place)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        problem = rules.stage_problem(case.stage, to_stage)
        if not problem and to_stage == "disclosed" and not Assessment.objects.filter(case=case, satisfactory=True).exists():
            problem = pgettext("ecorestore", "A case is disclosed only after a satisfactory effect assessment.")
        if problem:
            raise KernelError(problem, code=ErrorCode.STAGE_ORDER, field="stage")
        before = case.stage
        case.stage = to_stage
        case.stage_due = rules.stage_due(to_stage, on)
        if to_stage in ("agreement", "lawsuit") and case.decided_on is None:
            case.decided_on = on  # the agreement's or the judgement's date: it picks the conversion rate
        case.save(update_fields=["stage", "stage_due", "decided_on"])
        StageStep.objects.create(case=case, from_stage=before, to_stage=to_stage, by=acting_user)
        record(acting_user, "ecorestore.case.advance", case, before={"stage": before}, after={"stage": to_stage})
    return case


def rates() -> list[rules.RateRow]:
    return [rules.RateRow(r.valid_from, r.fen_per_hour) for r in Rate.objects.all()]


def thresholds() -> list[rules.ThresholdRow]:
    return [rules.ThresholdRow(t.valid_from, t.fast_lane_below_fen, t.max_convert_fen) for t in Threshold.objects.all()]


def quote(case: Case, amount_fen: int) -> tuple[rules.RateRow | None, rules.Conversion | None]:
    """The calculator: the rate in force on the decision date and what the amount becomes."""
    rate = rules.rate_on(rates(), case.decided_on) if case.decided_on else None
    if rate is None or amount_fen <= 0:
        return rate, None
    return rate, rules.convert(amount_fen, rate.fen_per_hour)


def do_convert_to_labour(case: Case, *, amount_fen: int, consent: bool, hardship: str, due_on: dt.date,
                         acting_user: User) -> Obligation:
    _require_at(acting_user, MANAGE, case.place)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        rate, conversion = quote(case, amount_fen)
        problem = rules.conversion_problem(
            party_kind=case.party_kind, consent=consent, hardship=hardship, amount_fen=amount_fen,
            convertible_fen=money_owed(case), fen_per_hour=rate.fen_per_hour if rate else None, stage=case.stage,
            damage_fen=case.damage_fen, threshold=rules.threshold_on(thresholds(), case.decided_on))
        if problem:
            field, message = problem
            code = ErrorCode.NO_RATE if rate is None and field == "amount" else ErrorCode.NOT_ELIGIBLE
            raise KernelError(message, code=code, field=field)
        assert rate is not None and conversion is not None
        obligation = Obligation.objects.create(
            case=case, hours_owed=conversion.hours, fen_per_hour=rate.fen_per_hour, rate_from=rate.valid_from,
            amount_offset_fen=conversion.amount_offset_fen, consent=consent, hardship_evidence=hardship.strip(),
            due_on=due_on)
        record(acting_user, "ecorestore.obligation.create", obligation, after={
            "case": case.number, "hours": conversion.hours, "fen_per_hour": rate.fen_per_hour,
            "amount_offset_fen": conversion.amount_offset_fen})
    return obligation


def do_book_shift(obligation: Obligation, *, zone: Zone, starts_at: dt.datetime, hours: int,
                  acting_user: User) -> Shift:
    _require_at(acting_user, MANAGE, obligation.case.place)
    _require_at(acting_user, MANAGE, zone.place, "zone")
    if not 1 <= hours <= 8:
        raise KernelError(pgettext("ecorestore", "A shift lasts 1 to 8 whole hours."), field="hours")
    with transaction.atomic():
        obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
        if obligation.state != ObligationState.OPEN:
            raise KernelError(pgettext("ecorestore", "This obligation is closed."), code=ErrorCode.OBLIGATION_CLOSED,
                              field="obligation")
        shift = Shift.objects.create(obligation=obligation, zone=zone, starts_at=starts_at,
                                     ends_at=starts_at + dt.timedelta(hours=hours))
        record(acting_user, "ecorestore.shift.book", shift, after={
            "zone": zone.name, "starts_at": starts_at.isoformat(), "hours": hours})
    return shift


def _locked_shift(shift: Shift, user: User) -> Shift:
    _require_at(user, SUPERVISE, shift.zone.place)
    return Shift.objects.select_for_update().select_related("zone", "obligation").get(pk=shift.pk)


PHOTO_MAX_BYTES = 8 * 1024 * 1024


def _photo_kind(photo: Any) -> FileKind | None:
    """An optional photo checked by its content before anything is written (refused on `photo`)."""
    return None if photo is None else check_upload(photo, allowed=(JPEG, PNG), max_bytes=PHOTO_MAX_BYTES,
                                                   field="photo")


def _keep_photo(shift: Shift, field: str, photo: Any, kind: FileKind | None) -> list[str]:
    """Stores the checked photo on the shift (not yet saved) after every check passed; returns the
    fields to save. Should the row's save then fail, the caller deletes the file (`_drop_photo`)."""
    if photo is None or kind is None:
        return []
    getattr(shift, field).save(f"{shift.pk}-{field}.{'png' if kind == PNG else 'jpg'}", photo, save=False)
    return [field]


def _drop_photo(shift: Shift, fields: list[str]) -> None:
    for field in fields:
        getattr(shift, field).delete(save=False)


def do_check_in_shift(shift: Shift, *, lat: float | None, lon: float | None, acting_user: User,
                      now: dt.datetime | None = None, photo: Any = None) -> Shift:
    """On the supervisor's phone at the zone: inside the outline and within the shift's window, or refused.
    An optional photo (JPEG or PNG) is kept with the shift."""
    now = now or timezone.now()
    kind = _photo_kind(photo)
    with transaction.atomic():
        shift = _locked_shift(shift, acting_user)
        point = (lat, lon) if lat is not None and lon is not None else None
        problem = rules.check_in_problem(state=shift.state, now=now, starts_at=shift.starts_at,
                                         ends_at=shift.ends_at, point=point, outline=shift.zone.outline)
        if problem:
            field, message = problem
            code = {"location": ErrorCode.OUTSIDE_ZONE, "time": ErrorCode.OUTSIDE_WINDOW}.get(field, ErrorCode.SHIFT_STATE)
            raise KernelError(message, code=code, field=field)
        shift.state, shift.checked_in_at = ShiftState.CHECKED_IN, now
        shift.check_in_lat, shift.check_in_lon = lat, lon
        kept = _keep_photo(shift, "check_in_photo", photo, kind)
        try:
            shift.save(update_fields=["state", "checked_in_at", "check_in_lat", "check_in_lon", *kept])
            record(acting_user, "ecorestore.shift.check_in", shift, after={"at": now.isoformat(), "photo": bool(kept)})
        except BaseException:
            _drop_photo(shift, kept)
            raise
    return shift


def do_check_out_shift(shift: Shift, *, acting_user: User, now: dt.datetime | None = None,
                       photo: Any = None) -> Shift:
    now = now or timezone.now()
    kind = _photo_kind(photo)
    with transaction.atomic():
        shift = _locked_shift(shift, acting_user)
        if shift.state != ShiftState.CHECKED_IN:
            raise KernelError(pgettext("ecorestore", "This shift is not checked in."), code=ErrorCode.SHIFT_STATE,
                              field="shift")
        shift.state, shift.checked_out_at = ShiftState.CHECKED_OUT, now
        kept = _keep_photo(shift, "check_out_photo", photo, kind)
        try:
            shift.save(update_fields=["state", "checked_out_at", *kept])
            record(acting_user, "ecorestore.shift.check_out", shift, after={"at": now.isoformat(), "photo": bool(kept)})
        except BaseException:
            _drop_photo(shift, kept)
            raise
    return shift


def do_sign_off_shift(shift: Shift, *, acting_user: User) -> Shift:
    """The supervisor's verification: the whole hours worked go to the obligation, never past what it owes."""
    with transaction.atomic():
        shift = _locked_shift(shift, acting_user)
        if shift.state != ShiftState.CHECKED_OUT:
            raise KernelError(pgettext("ecorestore", "Only a checked-out shift can be signed off."),
                              code=ErrorCode.SHIFT_STATE, field="shift")
        obligation = Obligation.objects.select_for_update().get(pk=shift.obligation_id)
        if obligation.state != ObligationState.OPEN:
            raise KernelError(pgettext("ecorestore", "This obligation is closed."), code=ErrorCode.OBLIGATION_CLOSED,
                              field="obligation")
        assert shift.checked_in_at is not None and shift.checked_out_at is not None
        hours = rules.hours_to_credit(checked_in_at=shift.checked_in_at, checked_out_at=shift.checked_out_at,
                                      starts_at=shift.starts_at, ends_at=shift.ends_at, hours_left=obligation.hours_left)
        shift.state, shift.hours_credited, shift.signed_by = ShiftState.SIGNED, hours, acting_user
        shift.save(update_fields=["state", "hours_credited", "signed_by"])
        obligation.hours_credited += hours
        if obligation.hours_credited == obligation.hours_owed:
            obligation.state = ObligationState.COMPLETE
        obligation.save(update_fields=["hours_credited", "state"])
        record(acting_user, "ecorestore.shift.sign_off", shift,
               after={"hours": hours, "obligation_hours_credited": obligation.hours_credited})
    return shift


def do_record_breach(obligation: Obligation, *, reason: str, acting_user: User) -> Obligation:
    """A missed shift or a passed deadline: the unperformed part reverts to money, exactly."""
    _require_at(acting_user, MANAGE, obligation.case.place)
    if len(reason.strip()) < 4:
        raise KernelError(pgettext("ecorestore", "Give the reason (at least 4 characters)."), field="reason")
    with transaction.atomic():
        obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
        if obligation.state != ObligationState.OPEN:
            raise KernelError(pgettext("ecorestore", "This obligation is closed."), code=ErrorCode.OBLIGATION_CLOSED,
                              field="obligation")
        breach_labour(obligation, reason=reason.strip(), acting_user=acting_user)
    return obligation


def breach_labour(obligation: Obligation, *, reason: str, acting_user: User | None) -> None:
    """Inside the caller's transaction, the obligation locked and open: the unperformed hours revert
    to money exactly, booked shifts become missed, audited (no acting user: the daily job)."""
    obligation.reverted_fen = rules.breach_reversion(hours_owed=obligation.hours_owed,
                                                     hours_credited=obligation.hours_credited,
                                                     fen_per_hour=obligation.fen_per_hour)
    obligation.state = ObligationState.BREACHED
    obligation.save(update_fields=["reverted_fen", "state"])
    Shift.objects.filter(obligation=obligation, state=ShiftState.BOOKED).update(state=ShiftState.MISSED)
    record(acting_user, "ecorestore.obligation.breach", obligation, reason=reason,
           after={"reverted_fen": obligation.reverted_fen, "hours_credited": obligation.hours_credited})


def do_issue_certificate(case: Case, *, acting_user: User, today: dt.date | None = None) -> Certificate:
    """Completion: every obligation performed and every shift signed; sent back to the case's source."""
    _require_at(acting_user, MANAGE, case.place)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        obligations = list(Obligation.objects.filter(case=case).order_by("pk"))
        unsigned = Shift.objects.filter(obligation__case=case,
                                        state__in=[ShiftState.CHECKED_IN, ShiftState.CHECKED_OUT]).count()
        in_kind = list(Work.objects.filter(case=case))
        works = [rules.WorkRow(w.state, w.quantity_owed, w.quantity_done, rules.tended_until(w.done_on, w.tend_months))
                 for w in in_kind]
        problem = rules.certificate_problem(
            stage=case.stage, obligations=[(o.state, o.hours_owed, o.hours_credited) for o in obligations],
            unsigned_shifts=unsigned, works=works, today=today or timezone.localdate())
        if problem or Certificate.objects.filter(case=case).exists():
            raise KernelError(problem or pgettext("ecorestore", "This case has its certificate."),
                              code=ErrorCode.CERTIFICATE_REFUSED, field="certificate")
        certificate = Certificate.objects.create(
            case=case, number=f"{case.number}-证", hours=sum(o.hours_owed for o in obligations),
            amount_offset_fen=sum(o.amount_offset_fen for o in obligations) + sum(w.amount_offset_fen for w in in_kind),
            sent_to=case.source_organ,
            issued_by=acting_user)
        case.stage, case.stage_due = "assessment", None
        case.save(update_fields=["stage", "stage_due"])
        StageStep.objects.create(case=case, from_stage="restoration", to_stage="assessment", by=acting_user)
        record(acting_user, "ecorestore.certificate.issue", certificate,
               after={"case": case.number, "hours": certificate.hours, "sent_to": certificate.sent_to})
    return certificate
