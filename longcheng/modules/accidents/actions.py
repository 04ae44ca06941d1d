"""Every change in accidents: do_<verb>_<thing>(..., *, acting_user), one transaction with its audit row.
The drivers' steps (start, join, confirm, photograph, tick, submit, sign) are here; the officer's and
the insurers' in actions_review.py (re-exported below)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import place_in_scope, require_perm, restrict
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import Conflict, KernelError, PermissionDenied
from longcheng.kernel.people.validators import validate_phone, validate_resident_id
from longcheng.kernel.places.models import Place
from longcheng.kernel.uploads import JPEG, PNG, check_upload

from . import registries, rules, sketch, tables
from .actions_review import do_call_to_scene, do_decide_liability, do_update_claim, hand_off
from .errors import ErrorCode
from .models import Answer, Insurer, Party, Photo, RegistryCheck, Report
from .spec import REPORT

PLATE = re.compile(r"^[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6}$")
LICENCE_CLASSES = ("A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3", "C4", "C5", "D", "E", "F", "M", "N", "P")
PHOTO_MAX_BYTES = 8 * 1024 * 1024
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the roadside


def _pairing_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def _own_party(report: Report, user: User) -> Party:
    party = report.parties.filter(user=user).first()
    if party is None:
        raise PermissionDenied(pgettext("accidents", "You are not a party of this report."), code=ErrorCode.NOT_A_PARTY)
    return party


def _step(report: Report, *allowed: str) -> None:
    if report.status not in allowed:
        raise Conflict(pgettext("accidents", "This report is no longer at this step."), code=ErrorCode.WRONG_STEP)


def do_start_report(*, place: Place, lat: float, lon: float, answers: dict[str, bool], third_party_property: bool,
                    acting_user: User, now: datetime | None = None) -> Report:
    """The first driver starts a report: the eligibility questions first. Any "yes" (or an unanswered
    question) refuses quick handling: the report is kept as refused, with its reason, for the
    figures, and goes no further."""
    require_perm(acting_user, REPORT)
    if not place_in_scope(acting_user, REPORT, place.path):
        raise PermissionDenied(pgettext("accidents", "This place is outside your scope."), field="place")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise KernelError(pgettext("accidents", "The position is not a valid one."), code=ErrorCode.BAD_PLACE,
                          field="lat")
    exclusions = tables.exclusions_in_force()
    refused = rules.refusal(answers, [e.code for e in exclusions])
    by_code = {e.code: e for e in exclusions}
    with transaction.atomic():
        report = Report.objects.create(
            place=place, lat=lat, lon=lon, started_at=now or timezone.now(), pairing_code=_pairing_code(),
            third_party_property=third_party_property,
            status=Report.Status.REFUSED if refused else Report.Status.PAIRING,
            refused_because=by_code[refused] if refused else None)
        party = Party.objects.create(report=report, side="A", user=acting_user)
        _store_answers(party, exclusions, answers)
        record(acting_user, "accidents.report.refuse" if refused else "accidents.report.start", report,
               after={"place": place.code, "refused_because": refused or ""})
    return report


def _store_answers(party: Party, exclusions: list[Any], answers: dict[str, bool]) -> None:
    """A driver's own answers, each with the version of the question they answered (unanswered: "yes")."""
    Answer.objects.bulk_create([Answer(report_id=party.report_id, party=party, exclusion=e,
                                       yes=answers.get(e.code, True)) for e in exclusions])


def do_join_report(*, code: str, answers: dict[str, bool], acting_user: User) -> Report:
    """The second driver joins by the first one's pairing code (shown as a QR code) and answers the
    eligibility questions in force for themselves: a "yes" (or an unanswered question) refuses the
    report as the first driver's would, with the reason, and it goes no further."""
    require_perm(acting_user, REPORT)
    exclusions = tables.exclusions_in_force()
    refused = rules.refusal(answers, [e.code for e in exclusions])
    wrong = KernelError(pgettext("accidents", "No report is waiting for this code."),
                        code=ErrorCode.BAD_PAIRING_CODE, field="code")
    with transaction.atomic():
        report = restrict(Report.objects.select_for_update(), acting_user, REPORT).filter(
            pairing_code=code.strip().upper(), status=Report.Status.PAIRING).first()
        if report is None or report.parties.filter(side="B").exists():
            raise wrong
        if report.parties.filter(user=acting_user).exists():
            raise KernelError(pgettext("accidents", "Your own report: the other driver scans this code."),
                              code=ErrorCode.OWN_REPORT, field="code")
        party = Party.objects.create(report=report, side="B", user=acting_user)
        _store_answers(party, exclusions, answers)
        record(acting_user, "accidents.report.join", report, after={"party_side": "B"})
        if refused:
            report.status = Report.Status.REFUSED
            report.refused_because = next(e for e in exclusions if e.code == refused)
            report.save(update_fields=["status", "refused_because"])
            record(acting_user, "accidents.report.refuse", report, after={"party_side": "B", "refused_because": refused})
    return report


def _party_values(values: dict[str, Any]) -> dict[str, Any]:
    """The confirmed details, checked; a refusal names the field."""
    name = str(values.get("name", "")).strip()
    if not name or len(name) > 50:
        raise KernelError(pgettext("accidents", "Enter your name (at most 50 characters)."), field="name")
    licence_no = validate_resident_id(values.get("licence_no"), field="licence_no")
    if values.get("licence_class") not in LICENCE_CLASSES:
        raise KernelError(pgettext("accidents", "Choose the class on your licence."), field="licence_class")
    plate = str(values.get("plate", "")).strip().upper()
    if not PLATE.match(plate):
        raise KernelError(pgettext("accidents", "Enter the plate like 苏D12345."), field="plate")
    insurer = values.get("insurer")
    if not isinstance(insurer, Insurer):
        raise KernelError(pgettext("accidents", "Choose your insurer."), field="insurer")
    policy_no = str(values.get("policy_no", "")).strip()
    if not policy_no or len(policy_no) > 30:
        raise KernelError(pgettext("accidents", "Enter the policy number (at most 30 characters)."),
                          field="policy_no")
    loss = values.get("loss_fen")
    if not isinstance(loss, int) or not 0 <= loss <= 100_000_000:
        raise KernelError(pgettext("accidents", "Enter the estimated loss in yuan (0 to 1,000,000)."),
                          code=ErrorCode.BAD_LOSS, field="loss_fen")
    return {"name": name, "phone": validate_phone(values.get("phone"), required=True), "licence_no": licence_no,
            "licence_class": values["licence_class"], "plate": plate, "insurer": insurer, "policy_no": policy_no,
            "loss_fen": loss}


def do_confirm_party(report: Report, values: dict[str, Any], *, acting_user: User,
                     now: datetime | None = None) -> Party:
    """A driver confirms their own licence, vehicle and insurer (never the other driver's)."""
    require_perm(acting_user, REPORT)
    clean = _party_values(values)
    # The registry is asked outside the transaction (a real adapter is a network call); its answers
    # are stored with the confirmation they checked.
    checks, source = registries.run(clean), registries.adapter_name()
    now = now or timezone.now()
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _step(report, Report.Status.PAIRING)
        party = _own_party(report, acting_user)
        for key, value in clean.items():
            setattr(party, key, value)
        party.confirmed_at = now
        party.save()
        RegistryCheck.objects.bulk_create([RegistryCheck(report=report, party=party, item=code, result=result,
                                                         source=source, checked_at=now)
                                           for code, result in checks.items()])
        record(acting_user, "accidents.party.confirm", party,
               after={"plate": party.plate, "driving_licence_no": party.licence_no, "phone": party.phone,
                      "insurer": clean["insurer"].code, "registry_checks": checks})
    return party


def do_tick_circumstances(report: Report, codes: list[str], *, acting_user: User,
                          now: datetime | None = None) -> Party:
    """A driver ticks the listed situations that apply to their own vehicle."""
    require_perm(acting_user, REPORT)
    table = tables.liability_table()
    unknown = sorted(set(codes) - set(table))
    if unknown:
        raise KernelError(pgettext("accidents", "Tick only listed situations."), code=ErrorCode.UNKNOWN_SITUATION,
                          field="circumstances")
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _step(report, Report.Status.PAIRING)
        party = _own_party(report, acting_user)
        before = list(party.circumstances)
        party.circumstances, party.ticked_at = sorted(set(codes)), now or timezone.now()
        party.save(update_fields=["circumstances", "ticked_at"])
        record(acting_user, "accidents.party.tick", party, before={"circumstances": before},
               after={"circumstances": party.circumstances})
    return party


def do_draw_sketch(report: Report, data: dict[str, Any], *, acting_user: User) -> Report:
    """Either driver draws (or redraws) the sketch before the report is submitted; the other sees it
    and both sign the agreement that prints it."""
    require_perm(acting_user, REPORT)
    cleaned = sketch.clean(data)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _step(report, Report.Status.PAIRING)
        _own_party(report, acting_user)
        before = report.sketch
        report.sketch = cleaned
        report.save(update_fields=["sketch"])
        # In words, as the audit page shows it: "十字路口；A C4 朝北；B C3 朝北".
        record(acting_user, "accidents.report.sketch", report, before={"sketch": sketch.describe(before)},
               after={"sketch": sketch.describe(cleaned)})
    return report


def _digest(upload: Any) -> str:
    sha = hashlib.sha256()
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


def do_add_photo(report: Report, *, shot: str, upload: Any, taken_at: datetime | None, lat: float | None,
                 lon: float | None, acting_user: User, now: datetime | None = None) -> Photo:
    """A guided photo: the file checked by its content (kernel uploads), its time and place checked
    against the report, and its hash compared with every other report's photos (reuse is flagged,
    not refused: the officer judges)."""
    require_perm(acting_user, REPORT)
    if shot not in Photo.Shot.values:
        raise KernelError(pgettext("accidents", "Choose which photo this is."), field="shot")
    kind = check_upload(upload, allowed=(JPEG, PNG), max_bytes=PHOTO_MAX_BYTES, field="photo")
    digest = _digest(upload)
    problems = rules.photo_problems(taken_at, lat, lon, started_at=report.started_at, scene=(report.lat, report.lon),
                                    now=now or timezone.now())
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _step(report, Report.Status.PAIRING)
        party = _own_party(report, acting_user)
        earlier = Photo.objects.filter(sha256=digest).exclude(report=report).order_by("pk").first()
        photo = Photo(report=report, party=party, shot=shot, sha256=digest, taken_at=taken_at, lat=lat, lon=lon,
                      problems=problems + (["reused"] if earlier else []), reused_from=earlier)
        photo.file.save(f"{report.pk}-{party.side}-{shot}.{'png' if kind == PNG else 'jpg'}",
                        upload, save=False)
        photo.save()
        record(acting_user, "accidents.photo.add", photo, after={"shot": shot, "problems": photo.problems})
    return photo


def do_submit_report(report: Report, *, acting_user: User, now: datetime | None = None) -> Report:
    """Both drivers confirmed and ticked: the rule table proposes liability where the ticks agree;
    where they conflict the report goes to the officer as a dispute."""
    require_perm(acting_user, REPORT)
    in_force = tables.rules_in_force()
    table = {r.code: r.outcome for r in in_force}
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _step(report, Report.Status.PAIRING)
        _own_party(report, acting_user)
        parties = {p.side: p for p in report.parties.all()}
        if len(parties) < 2 or not all(p.confirmed_at and p.ticked_at for p in parties.values()):
            raise KernelError(pgettext("accidents", "Both drivers confirm their details and tick their situations first."),
                              code=ErrorCode.NOT_CONFIRMED)
        proposal = rules.propose(parties["A"].circumstances, parties["B"].circumstances, table)
        report.status = Report.Status.DISPUTE if proposal.dispute else Report.Status.SUBMITTED
        report.proposed_a = proposal.liability_a
        report.liability_a, report.liability_b = proposal.liability_a, proposal.liability_b
        report.rule_codes = list(proposal.rules)
        report.rule_versions = {r.code: r.version for r in in_force if r.code in proposal.rules}
        report.submitted_at = now or timezone.now()
        report.save()
        record(acting_user, "accidents.report.submit", report,
               after={"status": report.status, "proposed_a": report.proposed_a, "rules": report.rule_codes,
                      "rule_versions": report.rule_versions})
    return report


def do_sign_agreement(report: Report, *, acting_user: User, now: datetime | None = None) -> Report:
    """A driver signs the decided liability. The agreement exists only once both have signed; then
    it is handed to each party's insurer (actions_review.hand_off)."""
    require_perm(acting_user, REPORT)
    now = now or timezone.now()
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _step(report, Report.Status.DECIDED)
        party = _own_party(report, acting_user)
        if party.signed_at is None:
            party.signed_at = now
            party.save(update_fields=["signed_at"])
            record(acting_user, "accidents.agreement.sign", party, after={"party_side": party.side})
        if all(p.signed_at for p in report.parties.all()) and report.parties.count() == 2:
            report.agreement_at, report.status = now, Report.Status.HANDED_OFF
            report.save(update_fields=["agreement_at", "status"])
            hand_off(report, acting_user=acting_user, now=now)
    return report


__all__ = ["do_add_photo", "do_call_to_scene", "do_confirm_party", "do_decide_liability", "do_join_report",
           "do_sign_agreement", "do_start_report", "do_submit_report", "do_tick_circumstances", "do_update_claim"]
