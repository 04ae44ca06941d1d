"""Every change in the youth aid fund. Each action checks the permission and the scope, writes in one
transaction with its audit row, and on refusal raises a KernelError naming the field and the rule,
having written nothing."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from longcheng.kernel import uploads
from longcheng.kernel.access.scope import has_perm, place_in_scope, require_perm, restrict
from longcheng.kernel.audit.actions import changes, record, record_read, snapshot
from longcheng.kernel.errors import ErrorCode, KernelError, NotFound, PermissionDenied
from longcheng.kernel.ledger import actions as ledger
from longcheng.kernel.ledger.models import Account, Fund
from longcheng.kernel.people.actions import GUARDIAN_CONSENT_AGE, has_consent
from longcheng.kernel.people.actions import do_record_consent as kernel_record_consent
from longcheng.kernel.people.models import Relationship, Resident
from longcheng.kernel.people.validators import age_on, mask_name, validate_phone, validate_resident_id
from longcheng.kernel.places.models import Place

from . import rules
from .access import _in_scope, _lock, _lock_application, _lock_payment
from .conf import conf, visit_days
from .errors import ErrorCode as Code
from .models import (
    COUNTING,
    AidType,
    Application,
    AppStatus,
    Attachment,
    BatchStatus,
    CaseStatus,
    Channel,
    Contact,
    ContactKind,
    LifeEvent,
    LifeEventKind,
    Outcome,
    Pairing,
    ParentStatus,
    Payment,
    PaymentBatch,
    PayStatus,
    Report,
    Risk,
    RoomProject,
    RoomStatus,
    Screening,
    Stage,
    Trigger,
    VettingStatus,
    Visit,
    Volunteer,
    Youth,
)

PURPOSE = "youthaid"  # the consent purpose for the registry
VIEW, REPORT, MANAGE, REVIEW, PAY, FUND = ("youthaid.view", "youthaid.report", "youthaid.manage", "youthaid.review",
                                           "youthaid.pay", "youthaid.fund")
HEALTH, BANK = "youthaid.health", "youthaid.bank"
PROFILE_FIELDS = ("risk", "deceased_parent_id", "parent_died_on", "surviving_parent_id", "surviving_parent_status",
                  "guardian_id", "stage", "school", "grade", "university_admitted_year", "household_size",
                  "monthly_income_fen", "hardship_grade", "needs")
HEALTH_FIELDS = ("serious_illness", "health_note")
BANK_FIELDS = ("bank_name", "bank_account")
PARENT_KINDS = ("father", "mother")


def _today() -> dt.date:
    return timezone.localdate()


def _text(value: Any, field: str, *, required: bool = True, limit: int = 2000, minimum: int = 1) -> str:
    text = str(value or "").strip()
    if required and len(text) < minimum:
        raise KernelError(_("This field is required (at least %(n)d characters).") % {"n": minimum},
                          code=ErrorCode.REQUIRED, field=field)
    if len(text) > limit:
        raise KernelError(_("At most %(n)d characters.") % {"n": limit}, field=field)
    return text


def youth_fund() -> Fund:
    """The fund (a kernel ledger fund) the aid is paid from, created on first use."""
    from longcheng.kernel.orgs.models import Organisation

    code = conf("YOUTHAID_FUND_CODE")
    fund = Fund.objects.filter(code=code).first()
    if fund is not None:
        return fund
    owner = Organisation.objects.filter(code="charity-liyang").first()
    place = Place.objects.filter(code="320481").first()
    try:
        with transaction.atomic():
            return ledger.do_create_fund(code=code, name="倾溧助 失亲青少年帮扶基金", owner=owner, place=place,
                                         acting_user=None)
    except KernelError:
        return Fund.objects.get(code=code)  # created by a concurrent first use


def beneficiaries() -> Account:
    return ledger.external_account("youthaid-beneficiaries", "倾溧助 受助人银行账户", fund=youth_fund())


def consent_missing(youth: Youth, *, sensitive: bool = False) -> bool:
    return not has_consent(youth.person, PURPOSE, sensitive=sensitive)


def is_under_14(youth: Youth, on: dt.date | None = None) -> bool:
    return age_on(youth.person.birth_date, on or _today()) < GUARDIAN_CONSENT_AGE


# --- discover ------------------------------------------------------------------------------------------


def _reporter_place(user: Any, place: Place | None) -> Place:
    if place is None:
        raise KernelError(_("Choose the youth's community or village."), code=ErrorCode.REQUIRED, field="place")
    if not place_in_scope(user, REPORT, place.path):
        raise PermissionDenied(_("This place is outside your scope."), field="place")
    return place


def do_report(*, resident_id: str, name: str, channel: str, note: str, acting_user: Any,
              place: Place | None = None) -> Report:
    """A teacher, community or village worker or league cadre reports a youth. A youth already on the
    registry joins the existing case (a second reporter adds a report); the same reporter reporting
    the same youth again is refused as a duplicate.

    A reporter acts within their own area only, and the form is no oracle on the registry: a
    number registered outside the reporter's area gets one refusal, whatever the registry holds
    there (name, death), and the age limit is judged from the number itself before the registry is
    read (docs/security.md)."""
    from longcheng.kernel.people.validators import birth_date_of, gender_of

    require_perm(acting_user, REPORT)
    number = validate_resident_id(resident_id)
    name = _text(name, "name", limit=50)
    if channel not in Channel.values or channel == Channel.REGISTRY:
        raise KernelError(_("Choose how you know the youth: school, community, village or Youth League."),
                          field="channel")
    note = _text(note, "note", minimum=4)
    limit = conf("YOUTHAID_STUDENT_MAX_AGE")
    if age_on(birth_date_of(number), _today()) > limit:
        # The birth date is part of the number the reporter typed: this tells them nothing new.
        raise KernelError(_("The fund helps youths up to %(n)d years old.") % {"n": limit}, field="resident_id")
    with transaction.atomic():
        person = Resident.objects.select_related("place").filter(resident_id=number).first()
        if person is not None and (person.place is None or not place_in_scope(acting_user, REPORT, person.place.path)):
            raise PermissionDenied(
                _("This youth cannot be reported from your area. Ask the Youth League case worker, or the "
                  "youth's own community or village."), field="resident_id")
        if person is not None and person.name != name:
            raise KernelError(_("The name does not match the registry for this ID number."), field="name")
        if person is None:
            where = _reporter_place(acting_user, place)
            person = Resident(resident_id=number, name=name, gender=gender_of(number),
                              birth_date=birth_date_of(number), place=where)
            person.save()
            record(acting_user, "people.register", person, after={"by": "youthaid.report"})
        elif person.died_on is not None:
            raise KernelError(_("The registry records this person's death."), field="resident_id")
        youth, created = Youth.objects.select_for_update().get_or_create(
            person=person, defaults={"status": CaseStatus.REPORTED})
        if not created and Report.objects.filter(youth=youth, reporter=acting_user).exists():
            raise KernelError(_("You have already reported this youth; follow the case in your reports."),
                              code=Code.ALREADY_REPORTED, field="resident_id")
        if not created and youth.status == CaseStatus.OUTREACH:
            youth.status = CaseStatus.REPORTED
            youth.save(update_fields=["status", "updated_at"])
        report = Report.objects.create(youth=youth, reporter=acting_user, channel=channel, note=note)
        record(acting_user, "youthaid.report" if created else "youthaid.report_joined", youth,
               after={"channel": channel, "report": report.pk}, reason=note[:200])
    return report


def on_person_died(*, person: Resident, acting_user: Any = None, **_payload: Any) -> list[Youth]:
    """The registry recorded a death: every minor child or possible student (under the age limit) of
    the deceased goes on the outreach list at once, with the reason. Runs inside the kernel's
    transaction, so a death is never recorded without its outreach."""
    limit = conf("YOUTHAID_STUDENT_MAX_AGE")
    today = _today()
    links = (Relationship.objects.filter(relative=person, kind__in=PARENT_KINDS)
             .select_related("person"))
    found = []
    for link in links:
        child = link.person
        if child.died_on is not None or age_on(child.birth_date, today) > limit:
            continue
        reason = _("%(kind)s %(name)s died on %(date)s (resident registry).") % {
            "kind": link.get_kind_display(), "name": mask_name(person.name), "date": person.died_on}
        youth, created = Youth.objects.get_or_create(person=child, defaults={
            "status": CaseStatus.OUTREACH, "deceased_parent": person, "parent_died_on": person.died_on})
        if not created and youth.deceased_parent_id is None:
            youth.deceased_parent, youth.parent_died_on = person, person.died_on
            youth.save(update_fields=["deceased_parent", "parent_died_on", "updated_at"])
        other = (Relationship.objects.filter(person=child, kind__in=PARENT_KINDS).exclude(relative=person)
                 .select_related("relative").first())
        if other is not None and youth.surviving_parent_id is None:
            youth.surviving_parent = other.relative
            youth.surviving_parent_status = (ParentStatus.DECEASED if other.relative.died_on
                                             else _remarriage(other.relative, person))
            youth.save(update_fields=["surviving_parent", "surviving_parent_status", "updated_at"])
        Report.objects.create(youth=youth, reporter=None, channel=Channel.REGISTRY, note=reason)
        record(acting_user, "youthaid.outreach", youth, after={"deceased": person.pk}, reason=reason[:200])
        found.append(youth)
    return found


def _remarriage(parent: Resident, deceased: Resident) -> str:
    """The registry's spouse links: a spouse other than the deceased means a remarriage."""
    spouses = Relationship.objects.filter(person=parent, kind="spouse").exclude(relative=deceased)
    return ParentStatus.REMARRIED if spouses.exists() else ParentStatus.NOT_REMARRIED


# --- registry: profile, consent, reveal ---------------------------------------------------------------


def do_record_consent(youth: Youth | int, *, given_by: Resident, sensitive: bool, acting_user: Any,
                      scope: str = "") -> Any:
    """Consent for the registry (PIPL arts. 13, 31): from a recorded guardian for an under-14, from
    the youth from 14 on (the kernel enforces who may give it). Sensitive data (health, bank
    account) needs its own, separate consent (art. 29)."""
    with transaction.atomic():
        locked = _lock(youth, acting_user, MANAGE)
        text = scope or (_("Health and bank account, for screening and paying aid")
                         if sensitive else _("Identity, family, school and household, to follow and help the youth"))
        return kernel_record_consent(locked.person, given_by=given_by, purpose=PURPOSE, scope=text,
                                     sensitive=sensitive, acting_user=acting_user, permission=MANAGE)


def _parent(value: Any, field: str) -> Resident | None:
    if value in (None, ""):
        return None
    if isinstance(value, Resident):
        return value
    try:
        number = validate_resident_id(str(value), field=field)
    except KernelError:
        person = Resident.objects.filter(pk=int(value)).first() if str(value).isdigit() else None
        if person is None:
            raise
        return person
    person = Resident.objects.filter(resident_id=number).first()
    if person is None:
        raise KernelError(_("No resident with this ID number is registered."), code=ErrorCode.NOT_FOUND, field=field)
    return person


def _clean_profile(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in ("deceased_parent", "surviving_parent", "guardian"):
            out[f"{key}_id"] = (p := _parent(value, key)) and p.pk
        elif key == "parent_died_on":
            out[key] = _date(value, key) if value not in (None, "") else None
        elif key == "risk":
            if value not in Risk.values:
                raise KernelError(_("Choose a risk level."), field=key)
            out[key] = value
        elif key == "surviving_parent_status":
            if value not in ParentStatus.values:
                raise KernelError(_("Choose the surviving parent's situation."), field=key)
            out[key] = value
        elif key == "stage":
            if value not in Stage.values and value != "":
                raise KernelError(_("Choose a school stage."), field=key)
            out[key] = value
        elif key in ("university_admitted_year", "household_size", "hardship_grade"):
            number = _int(value, key) if value not in (None, "") else (0 if key == "hardship_grade" else None)
            bounds = {"university_admitted_year": (2000, _today().year + 1), "household_size": (1, 20),
                      "hardship_grade": (0, 3)}[key]
            if number is not None and not bounds[0] <= number <= bounds[1]:
                raise KernelError(_("Between %(low)d and %(high)d.") % {"low": bounds[0], "high": bounds[1]},
                                  field=key)
            out[key] = number
        elif key == "monthly_income_fen":
            if value in (None, ""):
                out[key] = None
            else:
                from longcheng.kernel.ledger.money import parse_yuan

                out[key] = value if isinstance(value, int) else parse_yuan(value, field=key, allow_zero=True)
                if out[key] < 0:
                    raise KernelError(_("An amount must not be negative."), field=key)
        elif key in ("school", "grade", "needs", "health_note", "bank_name"):
            out[key] = _text(value, key, required=False, limit=2000 if key in ("needs", "health_note") else 100)
        elif key == "serious_illness":
            out[key] = bool(value) and value not in ("0", "false", "off")
        elif key == "bank_account":
            digits = str(value or "").replace(" ", "")
            if digits and (not digits.isdigit() or not 12 <= len(digits) <= 19):
                raise KernelError(_("A bank card number has 12 to 19 digits."), field=key)
            out[key] = digits
        else:
            raise KernelError(_("These fields cannot be changed here: %(f)s") % {"f": key}, field=key)
    return out


def _int(value: Any, field: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise KernelError(_("A whole number is required."), field=field) from None


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise KernelError(_("A date such as 2026-09-01 is required."), code=ErrorCode.INVALID_DATE,
                          field=field) from None


def do_update_profile(youth: Youth | int, *, acting_user: Any, reason: str, **values: Any) -> Youth:
    """Change the case's registry data; each change is kept with who, when and why. Health and bank
    fields need the role that may see them and the separate sensitive-data consent."""
    reason = _text(reason, "reason", minimum=2, limit=200)
    cleaned = _clean_profile(values)
    with transaction.atomic():
        locked = _lock(youth, acting_user, MANAGE)
        if consent_missing(locked):
            raise KernelError(
                _("Record the consent first (from a guardian for a youth under 14, PIPL art. 31).")
                if is_under_14(locked) else _("Record the youth's consent first."),
                code=ErrorCode.CONSENT_REQUIRED, field="consent")
        if any(k in cleaned for k in HEALTH_FIELDS + BANK_FIELDS):
            if any(k in cleaned for k in HEALTH_FIELDS) and not has_perm(acting_user, HEALTH):
                raise PermissionDenied(_("Your role may not record health data."), field="health_note")
            if any(k in cleaned for k in BANK_FIELDS) and not has_perm(acting_user, BANK):
                raise PermissionDenied(_("Your role may not record bank accounts."), field="bank_account")
            if consent_missing(locked, sensitive=True):
                raise KernelError(_("Health and bank data need their own consent (PIPL art. 29); record it first."),
                                  code=ErrorCode.CONSENT_REQUIRED, field="sensitive_consent")
        for key in ("deceased_parent_id", "surviving_parent_id", "guardian_id"):
            if cleaned.get(key) == locked.person_id:
                raise KernelError(_("A youth cannot be their own parent or guardian."), field=key.removesuffix("_id"))
        fields = [k for k in cleaned]
        before = snapshot(locked, fields)
        for key, value in cleaned.items():
            setattr(locked, key, value)
        if "deceased_parent_id" in cleaned and cleaned["deceased_parent_id"] and not locked.parent_died_on:
            locked.parent_died_on = Resident.objects.get(pk=cleaned["deceased_parent_id"]).died_on
        locked.save()
        old, new = changes(before, snapshot(locked, fields))
        if new:
            for key in set(new) & set(HEALTH_FIELDS + BANK_FIELDS):  # the trail says it changed, not to what
                old[key], new[key] = "***", "***"
            record(acting_user, "youthaid.update", locked, before=_jsonable(old), after=_jsonable(new), reason=reason)
    return locked


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}


def mask_account(number: str) -> str:
    if not number:
        return ""
    return "**** " + number[-4:]


def do_reveal(youth: Youth | int, *, fields: Sequence[str], reason: str, acting_user: Any) -> dict[str, Any]:
    """Show health or bank data to a named role, and audit that they looked."""
    allowed = {"health": HEALTH, "bank": BANK}
    if not fields or set(fields) - set(allowed):
        raise KernelError(_("Only health and bank can be revealed."), field="fields")
    for f in fields:
        require_perm(acting_user, allowed[f])
    reason = _text(reason, "reason", minimum=4, limit=200)
    with transaction.atomic():
        locked = _lock(youth, acting_user, VIEW)
        for f in fields:
            if not _in_scope(acting_user, allowed[f], locked):
                raise NotFound()
        record_read(acting_user, locked, fields, reason=reason)
    out: dict[str, Any] = {}
    if "health" in fields:
        out.update(serious_illness=locked.serious_illness, health_note=locked.health_note)
    if "bank" in fields:
        out.update(bank_name=locked.bank_name, bank_account=locked.bank_account)
    return out


# --- screening and monitoring ---------------------------------------------------------------------------


def _apply_outcome(youth: Youth, outcome: str, today: dt.date) -> None:
    if outcome == Outcome.ELIGIBLE:
        youth.status = CaseStatus.ACTIVE
        if youth.next_visit_due is None:
            youth.next_visit_due = today + dt.timedelta(days=visit_days(youth.risk))
    elif outcome == Outcome.NOT_ELIGIBLE:
        youth.status = CaseStatus.NOT_ELIGIBLE
    else:
        youth.status = CaseStatus.NEEDS_INFO


def screen(locked: Youth, *, acting_user: Any, trigger: str, note: str = "") -> Screening:
    today = _today()
    reasons = rules.criteria(rules.facts_of(locked), today)
    outcome = rules.outcome_of(reasons)
    before = locked.status
    _apply_outcome(locked, outcome, today)
    locked.save(update_fields=["status", "next_visit_due", "updated_at"])
    result = Screening.objects.create(youth=locked, outcome=outcome, reasons=[r.as_dict() for r in reasons],
                                      trigger=trigger, note=note[:300], by=acting_user if acting_user and
                                      getattr(acting_user, "is_authenticated", False) else None)
    record(acting_user, "youthaid.screen", locked, before={"status": before},
           after={"status": locked.status, "outcome": outcome, "trigger": trigger},
           reason="; ".join(r.text for r in reasons if r.met is not True)[:500] or note[:200])
    return result


def do_screen(youth: Youth | int, *, acting_user: Any, note: str = "") -> Screening:
    """Check the criteria and show every reason: eligible (monitoring starts), not eligible (may be
    appealed) or more information needed."""
    with transaction.atomic():
        locked = _lock(youth, acting_user, MANAGE)
        if locked.status == CaseStatus.CLOSED:
            raise KernelError(_("This case is closed."), code=Code.CASE_CLOSED, field="status")
        trigger = Trigger.APPEAL if locked.status == CaseStatus.APPEALED else Trigger.INTAKE
        return screen(locked, acting_user=acting_user, trigger=trigger, note=note)


def do_appeal(youth: Youth | int, *, note: str, acting_user: Any) -> Youth:
    """The family (through the case worker or the reporter) contests a 'not eligible'."""
    note = _text(note, "note", minimum=4)
    with transaction.atomic():
        pk = youth.pk if isinstance(youth, Youth) else youth
        by_reporter = Report.objects.filter(youth_id=pk, reporter=acting_user).exists() if getattr(
            acting_user, "is_authenticated", False) else False
        locked = _lock(youth, acting_user, REPORT if by_reporter and not has_perm(acting_user, MANAGE) else MANAGE)
        if locked.status != CaseStatus.NOT_ELIGIBLE:
            raise KernelError(_("Only a 'not eligible' decision can be appealed."), code=Code.NOT_APPEALABLE,
                              field="status")
        locked.status, locked.appeal_note = CaseStatus.APPEALED, note
        locked.save(update_fields=["status", "appeal_note", "updated_at"])
        record(acting_user, "youthaid.appeal", locked, before={"status": CaseStatus.NOT_ELIGIBLE},
               after={"status": CaseStatus.APPEALED}, reason=note[:200])
    return locked


def do_record_visit(youth: Youth | int, *, visited_on: Any, situation: str, risk: str, acting_user: Any,
                    needs: str = "") -> Visit:
    """A follow-up visit: the situation, needs and risk; the next visit falls due by the risk level."""
    on = _date(visited_on, "visited_on")
    if on > _today():
        raise KernelError(_("A visit cannot be in the future."), code=ErrorCode.INVALID_DATE, field="visited_on")
    if risk not in Risk.values:
        raise KernelError(_("Choose a risk level."), field="risk")
    situation = _text(situation, "situation", minimum=4)
    needs = _text(needs, "needs", required=False)
    with transaction.atomic():
        locked = _lock(youth, acting_user, MANAGE)
        if locked.status != CaseStatus.ACTIVE:
            raise KernelError(_("Follow-up visits are recorded for cases under monitoring."), code=Code.CASE_NOT_MONITORED,
                              field="status")
        next_due = on + dt.timedelta(days=visit_days(risk))
        visit = Visit.objects.create(youth=locked, visited_on=on, situation=situation, needs=needs, risk=risk,
                                     next_due=next_due, by=acting_user)
        before = {"risk": locked.risk, "next_visit_due": str(locked.next_visit_due)}
        if locked.last_visit_on is None or on >= locked.last_visit_on:
            locked.risk, locked.last_visit_on, locked.next_visit_due = risk, on, next_due
            if needs:
                locked.needs = needs
            locked.save(update_fields=["risk", "last_visit_on", "next_visit_due", "needs", "updated_at"])
        record(acting_user, "youthaid.visit", locked, before=before,
               after={"risk": locked.risk, "next_visit_due": str(locked.next_visit_due)}, reason=situation[:200])
    return visit


def do_life_event(youth: Youth | int, *, kind: str, on: Any, acting_user: Any, note: str = "",
                  hardship_grade: Any = None) -> LifeEvent:
    """A change in the youth's life re-checks eligibility, with the reason recorded."""
    if kind not in LifeEventKind.values:
        raise KernelError(_("Choose what happened."), field="kind")
    day = _date(on, "on")
    if day > _today():
        raise KernelError(_("The date cannot be in the future."), code=ErrorCode.INVALID_DATE, field="on")
    note = _text(note, "note", required=False, limit=300)
    with transaction.atomic():
        locked = _lock(youth, acting_user, MANAGE) if acting_user is not None else _system_lock(youth)
        if kind in (LifeEventKind.ILLNESS, LifeEventKind.RECOVERED) and acting_user is not None \
                and not has_perm(acting_user, HEALTH):
            raise PermissionDenied(_("Your role may not record health data."), field="kind")
        if LifeEvent.objects.filter(youth=locked, kind=kind, on=day).exists():
            raise KernelError(_("This event is already recorded for that day."), code=Code.EVENT_RECORDED, field="on")
        if kind == LifeEventKind.ADMITTED:
            locked.stage, locked.university_admitted_year = Stage.UNIVERSITY, day.year
        elif kind == LifeEventKind.ILLNESS:
            locked.serious_illness = True
        elif kind == LifeEventKind.RECOVERED:
            locked.serious_illness = False
        elif kind == LifeEventKind.REMARRIED:
            locked.surviving_parent_status = ParentStatus.REMARRIED
        elif kind == LifeEventKind.LEFT_SCHOOL:
            locked.stage = Stage.NOT_IN_SCHOOL
        elif kind == LifeEventKind.HARDSHIP:
            grade = _int(hardship_grade, "hardship_grade") if hardship_grade not in (None, "") else max(
                locked.hardship_grade, 1)
            if not 1 <= grade <= 3:
                raise KernelError(_("Between %(low)d and %(high)d.") % {"low": 1, "high": 3}, field="hardship_grade")
            locked.hardship_grade = grade
        locked.save()
        label = str(LifeEventKind(kind).label)
        event = LifeEvent.objects.create(youth=locked, kind=kind, on=day, note=note, by=_user_or_none(acting_user))
        if locked.status in (CaseStatus.ACTIVE, CaseStatus.NEEDS_INFO, CaseStatus.NOT_ELIGIBLE):
            event.screening = screen(locked, acting_user=acting_user, trigger=Trigger.LIFE_EVENT,
                                     note=f"{label} {day.isoformat()}")
            event.save(update_fields=["screening"])
        else:
            record(acting_user, "youthaid.life_event", locked, after={"kind": kind, "on": day.isoformat()},
                   reason=note or label)
    return event


def _user_or_none(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _system_lock(youth: Youth | int) -> Youth:
    pk = youth.pk if isinstance(youth, Youth) else youth
    Youth.objects.select_for_update().filter(pk=pk).first()
    return Youth.objects.select_related("person__place", "deceased_parent").get(pk=pk)


def record_birthdays(today: dt.date | None = None) -> int:
    """Youths under monitoring who turned 18 today: the system records it and re-checks (a youth who
    is not in school stops being eligible; a student goes on)."""
    day = today or _today()
    if day.month == 2 and day.day == 29:
        return 0  # 18 years before a leap day is a common year: nobody was born on that day
    born = [day.replace(year=day.year - rules.ADULT_AGE)]
    if (day.month, day.day) == (3, 1) and calendar.isleap(day.year - rules.ADULT_AGE):
        born.append(dt.date(day.year - rules.ADULT_AGE, 2, 29))  # born on 29 February: 18 on 1 March
    count = 0
    for pk in Youth.objects.filter(status=CaseStatus.ACTIVE, person__birth_date__in=born).values_list("pk", flat=True):
        try:
            do_life_event(pk, kind=LifeEventKind.TURNED_18, on=day, acting_user=None,
                          note=_("Recorded automatically from the birth date."))
            count += 1
        except KernelError:
            continue  # already recorded today
    return count


def overdue(user: Any, today: dt.date | None = None) -> Any:
    """Cases under monitoring whose follow-up visit is overdue, in the user's scope."""
    return restrict(Youth.objects.filter(status=CaseStatus.ACTIVE, next_visit_due__lt=today or _today()),
                    user, VIEW)


# --- aid: applications and review ----------------------------------------------------------------------


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
    problem = rules.cap_problem(aid_type, year, amount, used_fen(locked.pk, aid_type.pk, year, exclude=exclude))
    if problem:
        raise KernelError(problem, code=Code.YEARLY_CAP, field=field)


def do_apply(youth: Youth | int, *, aid_type: AidType | str, amount_fen: int, reason: str, acting_user: Any,
             year: int | None = None, attachments: Iterable[Any] = ()) -> Application:
    """An application for aid, filed by the case worker with its proof (admission letter, bills)."""
    year = year or _today().year
    if not 2000 <= year <= _today().year + 1:
        raise KernelError(_("Between %(low)d and %(high)d.") % {"low": 2000, "high": _today().year + 1}, field="year")
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


def do_recommend(application: int | Application, *, recommend: bool, note: str, acting_user: Any,
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


def do_decide(application: int | Application, *, approve: bool, reason: str, acting_user: Any,
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
                             memo=_("%(type)s for %(name)s, %(year)d") % {
                                 "type": app.aid_type, "name": mask_name(app.youth.person.name), "year": app.year})
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


# --- payment batches -----------------------------------------------------------------------------------


def _next_batch_code() -> str:
    year = _today().year
    count = PaymentBatch.objects.filter(code__startswith=f"{year}-").count()
    return f"{year}-{count + 1:03d}"


def do_create_batch(*, title: str, acting_user: Any, applications: Iterable[int] | None = None) -> PaymentBatch:
    """A payment batch from approved applications not yet in a batch (in the user's scope). A youth
    with two approved applications of one type gets one of them now and the other in the next
    batch: one payment per youth per aid type per batch."""
    require_perm(acting_user, PAY)
    title = _text(title, "title", limit=100)
    with transaction.atomic():
        _number_lock()
        qs = restrict(Application.objects.filter(status=AppStatus.APPROVED), acting_user, PAY).exclude(
            payments__status__in=[PayStatus.PENDING, PayStatus.PAID, PayStatus.RETURNED])  # returned: re-issue
        if applications is not None:
            qs = qs.filter(pk__in=list(applications))
        rows = list(qs.select_for_update(of=("self",)).order_by("pk").values_list(
            "pk", "youth_id", "aid_type_id", "approved_fen", "youth__bank_account"))
        if not rows:
            raise KernelError(_("No approved application is waiting for payment."), code=Code.NOTHING_TO_PAY,
                              field="applications")
        # A payment without a bank account could only come back: those wait, and the caller is told.
        unpayable = [r for r in rows if not r[4]]
        rows = [r for r in rows if r[4]]
        if not rows:
            raise KernelError(_("No approved application waiting for payment has a bank account recorded; record "
                                "the accounts on the cases first."), code=Code.NO_BANK_ACCOUNT, field="bank_account")
        batch = PaymentBatch.objects.create(code=_next_batch_code(), title=title, created_by=acting_user)
        seen: set[tuple[int, int]] = set()
        payments = []
        for pk, youth_id, type_id, amount, account in rows:
            if (youth_id, type_id) in seen:
                continue
            seen.add((youth_id, type_id))
            payments.append(Payment(batch=batch, application_id=pk, youth_id=youth_id, aid_type_id=type_id,
                                    amount_fen=amount or 0, bank_account=account or ""))
        Payment.objects.bulk_create(payments, batch_size=5000)
        batch.count, batch.total_fen = len(payments), sum(p.amount_fen for p in payments)
        batch.save(update_fields=["count", "total_fen"])
        record(acting_user, "youthaid.batch", batch, after={"count": batch.count, "total_fen": batch.total_fen,
                                                             "without_account": len(unpayable)})
    batch.without_account = len(unpayable)  # type: ignore[attr-defined]  # shown by the page
    return batch


def _number_lock() -> None:
    """Batch numbers come from counting this year's batches: two payers making batches at once wait
    for each other on the fund's row instead of colliding on the unique code."""
    Fund.objects.select_for_update().filter(pk=youth_fund().pk).first()


def do_pay_batch(batch: PaymentBatch | int, *, acting_user: Any) -> PaymentBatch:
    """Send the batch to the bank: each payment leaves the fund's commitment for the beneficiary's
    account. A double click or a retried request finds the batch paid and pays nobody twice (the
    batch row is locked, and each payment's posting carries its own idempotency key)."""
    require_perm(acting_user, PAY)
    pk = batch.pk if isinstance(batch, PaymentBatch) else batch
    with transaction.atomic():
        locked = PaymentBatch.objects.select_for_update().filter(pk=pk).first()
        if locked is None:
            raise NotFound()
        if locked.status == BatchStatus.PAID:
            return locked
        if restrict(Payment.objects.filter(batch=locked), acting_user, PAY).count() != locked.count:
            raise PermissionDenied(_("This batch pays youths outside your scope."))
        fund = youth_fund()
        commitment = ledger.fund_account(fund, ledger.AccountKind.COMMITMENT)
        payee = beneficiaries()
        rows = list(Payment.objects.filter(batch=locked, status=PayStatus.PENDING)
                    .values_list("pk", "amount_fen", "application_id"))
        specs = [ledger.EntrySpec(lines=[(commitment, -amount), (payee, amount)],
                                  memo=_("Aid payment %(batch)s #%(n)d") % {"batch": locked.code, "n": pk_},
                                  idempotency_key=f"youthaid:pay:{pk_}") for pk_, amount, _app in rows]
        entries = ledger.do_post_entries(specs, kind="payment", acting_user=acting_user, audit_obj=locked)
        now = timezone.now()
        _set_entries(rows, entries)
        Payment.objects.filter(batch=locked, status=PayStatus.PENDING).update(status=PayStatus.PAID)
        Application.objects.filter(pk__in=[app for _p, _a, app in rows]).update(status=AppStatus.PAID)
        locked.status, locked.paid_by, locked.paid_at = BatchStatus.PAID, acting_user, now
        locked.save(update_fields=["status", "paid_by", "paid_at"])
        record(acting_user, "youthaid.pay", locked, after={"count": len(rows), "total_fen": locked.total_fen})
    return locked


def _set_entries(rows: list[tuple[int, int, int]], entries: dict[str, Any]) -> None:
    """Link each payment to its posting by the posting's unique idempotency key, one statement per
    few hundred payments (a CASE over thousands of ids grew slower with the batch: 24 s → 11 s for
    100,000 payments, bench_youthaid.py)."""
    from django.db.models import CharField, OuterRef, Subquery, Value
    from django.db.models.functions import Cast, Concat

    from longcheng.kernel.ledger.models import JournalEntry

    key = Concat(Value("youthaid:pay:"), Cast(OuterRef("pk"), CharField()))
    entry = JournalEntry.objects.filter(idempotency_key=key).values("pk")[:1]
    ids = [pk for pk, _a, _app in rows]
    for start in range(0, len(ids), 900):
        Payment.objects.filter(pk__in=ids[start:start + 900]).update(entry_id=Subquery(entry))


def do_return_payment(payment: Payment | int, *, reason: str, acting_user: Any) -> Payment:
    """The bank returned a payment (closed account, wrong number): the money goes back to the
    commitment, ready to be re-issued."""
    reason = _text(reason, "return_reason", minimum=2, limit=200)
    require_perm(acting_user, PAY)
    with transaction.atomic():
        locked = _lock_payment(payment, acting_user)
        if locked.status != PayStatus.PAID:
            raise KernelError(_("Only a paid payment can come back from the bank."), code=Code.PAYMENT_NOT_PAID,
                              field="status")
        ledger.do_return_payment(youth_fund(), locked.amount_fen, payee=beneficiaries(), acting_user=acting_user,
                                 memo=_("Bank return of payment #%(n)d: %(reason)s") % {"n": locked.pk, "reason": reason},
                                 idempotency_key=f"youthaid:return:{locked.pk}")
        locked.status, locked.return_reason, locked.returned_at = PayStatus.RETURNED, reason, timezone.now()
        locked.save(update_fields=["status", "return_reason", "returned_at"])
        Application.objects.filter(pk=locked.application_id).update(status=AppStatus.APPROVED)
        record(acting_user, "youthaid.return", locked, after={"amount_fen": locked.amount_fen}, reason=reason)
    return locked


def do_reissue(payment: Payment | int, *, acting_user: Any) -> Payment:
    """Put a returned payment into the open batch (a new one if none is open), with the youth's
    current bank account (correct it on the case first)."""
    require_perm(acting_user, PAY)
    with transaction.atomic():
        locked = _lock_payment(payment, acting_user)
        if locked.status != PayStatus.RETURNED:
            raise KernelError(_("Only a returned payment can be re-issued."), code=Code.PAYMENT_NOT_RETURNED, field="status")
        _number_lock()
        batch = PaymentBatch.objects.filter(status=BatchStatus.OPEN).order_by("-pk").first()
        if batch is None or Payment.objects.filter(batch=batch, youth_id=locked.youth_id,
                                                   aid_type_id=locked.aid_type_id).exists():
            batch = PaymentBatch.objects.create(code=_next_batch_code(), title=_("Re-issued payments"),
                                                created_by=acting_user)
        account = Youth.objects.filter(pk=locked.youth_id).values_list("bank_account", flat=True).first() or ""
        new = Payment.objects.create(batch=batch, application_id=locked.application_id, youth_id=locked.youth_id,
                                     aid_type_id=locked.aid_type_id, amount_fen=locked.amount_fen, bank_account=account)
        PaymentBatch.objects.filter(pk=batch.pk).update(count=batch.count + 1, total_fen=batch.total_fen + new.amount_fen)
        locked.status, locked.reissued_as = PayStatus.REISSUED, new
        locked.save(update_fields=["status", "reissued_as"])
        record(acting_user, "youthaid.reissue", locked, after={"payment": new.pk, "batch": batch.code})
    return new


# --- the fund --------------------------------------------------------------------------------------------


def do_donate(amount_fen: int, *, donor: str, acting_user: Any, idempotency_key: str | None = None,
              at: dt.datetime | None = None) -> Any:
    require_perm(acting_user, FUND)
    donor = _text(donor, "donor", limit=100)
    return ledger.do_donate(youth_fund(), amount_fen, donor_name=donor, acting_user=acting_user,
                            idempotency_key=idempotency_key, at=at)


def do_update_aid_type(aid_type: AidType | str, *, acting_user: Any, reason: str, **values: Any) -> AidType:
    """The aid rules are data: the federation changes amounts and caps here, audited; applications
    are checked against the rules in force when they are filed and decided."""
    require_perm(acting_user, "youthaid.configure")
    reason = _text(reason, "reason", minimum=2, limit=200)
    allowed = {"name", "name_en", "min_fen", "max_fen", "yearly_cap_fen", "grade_amounts", "proof_required",
               "proof_label", "active"}
    unknown = set(values) - allowed
    if unknown:
        raise KernelError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    with transaction.atomic():
        code = aid_type.code if isinstance(aid_type, AidType) else aid_type
        locked = AidType.objects.select_for_update().filter(code=code).first()
        if locked is None:
            raise NotFound()
        before = snapshot(locked, sorted(values))
        for key, value in values.items():
            setattr(locked, key, value)
        for key in ("min_fen", "max_fen", "yearly_cap_fen"):
            value = getattr(locked, key)
            if not isinstance(value, int) or value <= 0:
                raise KernelError(_("An amount must be more than zero."), code=ErrorCode.INVALID_AMOUNT, field=key)
        if locked.max_fen < locked.min_fen:
            raise KernelError(_("The largest amount cannot be below the smallest."), field="max_fen")
        if locked.yearly_cap_fen < locked.max_fen:
            raise KernelError(_("The yearly cap cannot be below the largest amount."), field="yearly_cap_fen")
        for grade, amount in (locked.grade_amounts or {}).items():
            if grade not in ("1", "2", "3") or not isinstance(amount, int) or not locked.min_fen <= amount <= locked.max_fen:
                raise KernelError(_("Each grade's amount lies between the smallest and the largest amount."),
                                  field="grade_amounts")
        locked.save()
        old, new = changes(before, snapshot(locked, sorted(values)))
        if new:
            record(acting_user, "youthaid.aid_type", locked, before=old, after=new, reason=reason)
    return locked


# --- hope parents ----------------------------------------------------------------------------------------


def do_register_volunteer(*, name: str, phone: str, place: Place | None, acting_user: Any,
                          occupation: str = "") -> Volunteer:
    require_perm(acting_user, MANAGE)
    name = _text(name, "name", limit=50)
    phone = validate_phone(phone, required=True)
    if place is None:
        raise KernelError(_("Choose where the volunteer lives."), code=ErrorCode.REQUIRED, field="place")
    if not place_in_scope(acting_user, MANAGE, place.path):
        raise PermissionDenied(_("This place is outside your scope."), field="place")
    with transaction.atomic():
        if Volunteer.objects.filter(phone=phone).exists():
            raise KernelError(_("A volunteer with this phone is registered."), code=Code.VOLUNTEER_REGISTERED, field="phone")
        volunteer = Volunteer.objects.create(name=name, phone=phone, place=place, occupation=occupation.strip()[:60])
        record(acting_user, "youthaid.volunteer", volunteer, after={"name": name})
    return volunteer


def do_vet_volunteer(volunteer: Volunteer | int, *, status: str, note: str, acting_user: Any) -> Volunteer:
    if status not in (VettingStatus.VETTED, VettingStatus.REJECTED, VettingStatus.SUSPENDED):
        raise KernelError(_("Choose vetted, not accepted or suspended."), field="status")
    note = _text(note, "vetting_note", minimum=2, limit=300)
    require_perm(acting_user, MANAGE)
    with transaction.atomic():
        pk = volunteer.pk if isinstance(volunteer, Volunteer) else volunteer
        locked = restrict(Volunteer.objects.select_for_update(), acting_user, MANAGE).filter(pk=pk).first()
        if locked is None:
            raise NotFound()
        before = locked.status
        locked.status, locked.vetting_note, locked.vetted_by, locked.vetted_at = status, note, acting_user, timezone.now()
        locked.save()
        if status != VettingStatus.VETTED:  # a suspended volunteer's pairings end today
            Pairing.objects.filter(volunteer=locked, ended_on__isnull=True).update(ended_on=_today())
        record(acting_user, "youthaid.vet", locked, before={"status": before}, after={"status": status}, reason=note)
    return locked


def do_pair(volunteer: Volunteer | int, youth: Youth | int, *, acting_user: Any, on: Any = None) -> Pairing:
    day = _date(on, "started_on") if on else _today()
    with transaction.atomic():
        locked = _lock(youth, acting_user, MANAGE)
        pk = volunteer.pk if isinstance(volunteer, Volunteer) else volunteer
        vol = restrict(Volunteer.objects.all(), acting_user, MANAGE).filter(pk=pk).first()
        if vol is None:
            raise KernelError(_("Choose a volunteer."), code=ErrorCode.NOT_FOUND, field="volunteer")
        if vol.status != VettingStatus.VETTED:
            raise KernelError(_("Only a vetted volunteer can be paired with a youth."), field="volunteer")
        if locked.status != CaseStatus.ACTIVE:
            raise KernelError(_("Pair hope parents with youths under monitoring."), code=Code.CASE_NOT_MONITORED,
                              field="youth")
        if Pairing.objects.filter(youth=locked, ended_on__isnull=True).exists():
            raise KernelError(_("This youth already has a hope parent; end that pairing first."),
                              code=Code.ALREADY_PAIRED, field="youth")
        try:
            with transaction.atomic():
                pairing = Pairing.objects.create(volunteer=vol, youth=locked, started_on=day, created_by=acting_user)
        except IntegrityError as exc:
            raise KernelError(_("This youth already has a hope parent; end that pairing first."),
                              code=Code.ALREADY_PAIRED, field="youth") from exc
        record(acting_user, "youthaid.pair", locked, after={"volunteer": vol.pk, "on": day.isoformat()})
    return pairing


def do_end_pairing(pairing: Pairing | int, *, reason: str, acting_user: Any) -> Pairing:
    reason = _text(reason, "reason", minimum=2, limit=200)
    with transaction.atomic():
        pk = pairing.pk if isinstance(pairing, Pairing) else pairing
        found = Pairing.objects.filter(pk=pk).first()
        if found is None:
            raise NotFound()
        locked = _lock(found.youth_id, acting_user, MANAGE)
        if found.ended_on is not None:
            raise KernelError(_("This pairing has ended."), code=Code.PAIRING_ENDED)
        found.ended_on = _today()
        found.save(update_fields=["ended_on"])
        record(acting_user, "youthaid.unpair", locked, after={"volunteer": found.volunteer_id}, reason=reason)
    return found


def do_log_contact(pairing: Pairing | int, *, on: Any, kind: str, note: str, acting_user: Any) -> Contact:
    day = _date(on, "on")
    if day > _today():
        raise KernelError(_("The date cannot be in the future."), code=ErrorCode.INVALID_DATE, field="on")
    if kind not in ContactKind.values:
        raise KernelError(_("Choose the kind of contact."), field="kind")
    note = _text(note, "note", minimum=2)
    with transaction.atomic():
        pk = pairing.pk if isinstance(pairing, Pairing) else pairing
        found = Pairing.objects.filter(pk=pk).first()
        if found is None:
            raise NotFound()
        _lock(found.youth_id, acting_user, MANAGE)
        if day < found.started_on:
            raise KernelError(_("The date is before the pairing began."), code=ErrorCode.INVALID_DATE, field="on")
        if found.ended_on is not None and day > found.ended_on:
            raise KernelError(_("This pairing has ended."), code=ErrorCode.INVALID_DATE, field="on")
        contact = Contact.objects.create(pairing=found, on=day, kind=kind, note=note, by=acting_user)
        record(acting_user, "youthaid.contact", found.youth, after={"pairing": found.pk, "kind": kind})
    return contact


# --- dream rooms -------------------------------------------------------------------------------------------


def do_propose_room(youth: Youth | int, *, budget_fen: int, contractor: str, before_note: str,
                    acting_user: Any) -> RoomProject:
    contractor = _text(contractor, "contractor", limit=100)
    before_note = _text(before_note, "before_note", minimum=4)
    if not isinstance(budget_fen, int) or budget_fen <= 0:
        raise KernelError(_("An amount must be more than zero."), code=ErrorCode.INVALID_AMOUNT, field="budget_fen")
    with transaction.atomic():
        locked = _lock(youth, acting_user, MANAGE)
        if locked.status != CaseStatus.ACTIVE:
            raise KernelError(_("Dream rooms are for youths under monitoring."), code=Code.CASE_NOT_MONITORED, field="youth")
        room = RoomProject.objects.create(youth=locked, budget_fen=budget_fen, contractor=contractor,
                                          before_note=before_note, created_by=acting_user)
        record(acting_user, "youthaid.room", locked, after={"room": room.pk, "budget_fen": budget_fen})
    return room


def _lock_room(room: RoomProject | int, user: Any, permission: str) -> RoomProject:
    pk = room.pk if isinstance(room, RoomProject) else room
    found = RoomProject.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    _lock(found.youth_id, user, permission)
    return RoomProject.objects.select_for_update(of=("self",)).select_related("youth__person").get(pk=pk)


def do_advance_room(room: RoomProject | int, *, to: str, acting_user: Any, after_note: str = "",
                    spent_fen: int | None = None) -> RoomProject:
    """proposed → approved (the federation commits the budget from the fund) → in progress → done
    (the contractor is paid what was spent, at most the budget; the rest goes back) or cancelled
    (a committed budget goes back)."""
    allowed = {RoomStatus.PROPOSED: (RoomStatus.APPROVED, RoomStatus.CANCELLED),
               RoomStatus.APPROVED: (RoomStatus.IN_PROGRESS, RoomStatus.CANCELLED),
               RoomStatus.IN_PROGRESS: (RoomStatus.DONE, RoomStatus.CANCELLED)}
    permission = REVIEW if to in (RoomStatus.APPROVED, RoomStatus.DONE) else MANAGE
    with transaction.atomic():
        locked = _lock_room(room, acting_user, permission)
        if to not in allowed.get(RoomStatus(locked.status), ()):
            raise KernelError(_("A room project cannot go from %(a)s to %(b)s.") % {
                "a": locked.get_status_display(), "b": RoomStatus(to).label if to in RoomStatus.values else to},
                code=Code.ROOM_STEP_REFUSED, field="status")
        fund = youth_fund()
        name = mask_name(locked.youth.person.name)
        if to == RoomStatus.APPROVED:
            ledger.do_commit(fund, locked.budget_fen, acting_user=acting_user, idempotency_key=f"youthaid:room:{locked.pk}",
                             memo=_("Dream room for %(name)s") % {"name": name})
        elif to == RoomStatus.DONE:
            after_note = _text(after_note, "after_note", minimum=4)
            if not isinstance(spent_fen, int) or not 0 < spent_fen <= locked.budget_fen:
                raise KernelError(_("What was spent lies between ¥0.01 and the budget (%(budget)s).")
                                  % {"budget": ledger.format_fen(locked.budget_fen)}, code=ErrorCode.INVALID_AMOUNT,
                                  field="spent_fen")
            contractor = ledger.external_account("youthaid-contractors", "倾溧助 梦想小屋施工方", fund=fund)
            ledger.do_pay_from_commitment(fund, spent_fen, payee=contractor, acting_user=acting_user,
                                          idempotency_key=f"youthaid:room-pay:{locked.pk}",
                                          memo=_("Dream room for %(name)s, paid to %(who)s") % {
                                              "name": name, "who": locked.contractor})
            if spent_fen < locked.budget_fen:
                ledger.do_release_commitment(fund, locked.budget_fen - spent_fen, acting_user=acting_user,
                                             idempotency_key=f"youthaid:room-rest:{locked.pk}",
                                             memo=_("Dream room for %(name)s: unspent budget") % {"name": name})
            locked.spent_fen, locked.after_note = spent_fen, after_note
        elif to == RoomStatus.CANCELLED and locked.status in (RoomStatus.APPROVED, RoomStatus.IN_PROGRESS):
            ledger.do_release_commitment(fund, locked.budget_fen, acting_user=acting_user,
                                         idempotency_key=f"youthaid:room-cancel:{locked.pk}",
                                         memo=_("Dream room for %(name)s cancelled") % {"name": name})
        before = locked.status
        locked.status = to
        locked.save()
        record(acting_user, "youthaid.room_status", locked.youth, before={"room": locked.pk, "status": before},
               after={"room": locked.pk, "status": to, "spent_fen": locked.spent_fen})
    return locked


# --- figures ------------------------------------------------------------------------------------------------


def paid_total(qs: Any = None) -> int:
    qs = Payment.objects.all() if qs is None else qs
    return qs.filter(status__in=[PayStatus.PAID]).aggregate(s=Sum("amount_fen"))["s"] or 0


def reaided_count(youths: Any) -> int:
    """Youths granted aid again after an earlier payment (a re-aid application approved or paid)."""
    return youths.filter(Q(applications__is_reaid=True,
                           applications__status__in=[AppStatus.APPROVED, AppStatus.PAID])).distinct().count()
