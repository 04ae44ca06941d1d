"""A round through its stages: listing a firm, the firm's artefacts, figures, balance and options, and
closing a stage when its gate lets it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import place_in_scope, require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import Conflict, KernelError, NotFound
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.uploads import SCANS, check_upload
from longcheng.kernel.workdays.api import SHANGHAI, CalendarDataMissing, add_working_days

from .. import access, rules
from ..errors import ErrorCode
from ..models import Artefact, AuditRound, Balance, Consultancy, Figures, Option, StageRecord
from ..spec import REVIEW
from ..stages import ARTEFACTS, FIRST, INDUSTRIES, MODES, STAGE_BY_CODE, TRIGGERS
from .common import decimal_of, facts_of, fen_of, must_be_in_stage, must_be_party
from .deadlines import term_for

FIGURE_FIELDS = ("energy_tce", "water_m3", "materials_t", "co2_t", "output")  # and value_added_fen, in fen


def _choice(value: str, choices: Mapping[str, Any], field: str) -> str:
    if value not in choices:
        raise KernelError(pgettext("cleanaudit", "Choose one of the listed values."), code="invalid", field=field)
    return value


def _engage(mode: str, consultancy: Consultancy | None, firm: Organisation, last_grade: str | None) -> Consultancy | None:
    if mode == "self":
        if last_grade is None:
            last = AuditRound.objects.filter(firm=firm).exclude(grade="").order_by("-year").first()
            last_grade = last.grade if last is not None else ""
        if not rules.may_self_audit(last_grade):
            raise KernelError(pgettext("cleanaudit", "A firm graded C must engage a consultancy for its next audit."),
                              code=ErrorCode.SELF_AUDIT_NOT_ALLOWED, field="mode")
        return None
    if consultancy is None:
        raise KernelError(pgettext("cleanaudit", "Choose a consultancy from the roster."), code="required",
                          field="consultancy")
    problem = rules.consultancy_problem(legal_qa=consultancy.legal_qa, balance_equipment=consultancy.balance_equipment,
                                        technicians=consultancy.technicians, auditors=consultancy.auditors)
    if problem:
        raise KernelError(problem[1], code=ErrorCode.CONSULTANCY_UNQUALIFIED, field=problem[0])
    return consultancy


def do_list_round(*, firm: Organisation, year: int, listed_on: dt.date, trigger: str, industry: str, mode: str,
                  consultancy: Consultancy | None = None, acting_user: User, now: dt.datetime | None = None,
                  last_grade: str | None = None, term: rules.Term | None = None) -> AuditRound:
    """Put a firm on the year's list: its round opens at 筹划与组织, due within 2 months. `last_grade`: the
    firm's latest grade ("" for none) when the caller looked the grades of a whole list up at once; `term`:
    the year's deadlines when the caller read them once for a whole list."""
    require_perm(acting_user, REVIEW)
    if firm.place is None or not place_in_scope(acting_user, REVIEW, firm.place.path):
        raise NotFound(field="firm")
    _choice(trigger, TRIGGERS, "trigger")
    _choice(industry, INDUSTRIES, "industry")
    _choice(mode, MODES, "mode")
    if listed_on.year != year:
        raise KernelError(pgettext("cleanaudit", "The list date must fall in the list's year."), code="invalid_date",
                          field="listed_on")
    engaged = _engage(mode, consultancy, firm, last_grade)
    at = now or timezone.now()
    deadlines = term or term_for(year)
    try:
        with transaction.atomic():
            audit = AuditRound.objects.create(firm=firm, place=firm.place, year=year, listed_on=listed_on,
                                              trigger=trigger, industry=industry, mode=mode, consultancy=engaged,
                                              registration_due=rules.registration_due(listed_on, deadlines))
            StageRecord.objects.create(round=audit, stage=FIRST, opened_at=at,
                                       due_on=rules.stage_due(FIRST, listed_on, deadlines))
            record(acting_user, "cleanaudit.round.list", audit, after={
                "year": year, "trigger": trigger, "mode": mode, "consultancy": engaged.pk if engaged else None})
    except IntegrityError as exc:
        raise Conflict(pgettext("cleanaudit", "This firm is already on this year's list."),
                       code=ErrorCode.ALREADY_LISTED, field="firm") from exc
    return audit


MAX_ARTEFACT_BYTES = 20 * 1024 * 1024  # a scanned report of a few dozen pages


def do_add_artefact(round_id: int, *, kind: str, title: str, note: str = "", upload: Any = None,
                    acting_user: User) -> Artefact:
    """The firm files a document its current stage asks for: a typed record, the document itself (a PDF or
    a scan, checked by the kernel's one upload check), or both."""
    if kind not in ARTEFACTS:
        raise KernelError(pgettext("cleanaudit", "No such kind of document."), code="invalid", field="kind")
    if not title.strip() or len(title.strip()) > 200:
        raise KernelError(pgettext("cleanaudit", "A title of at most 200 characters is required."), code="required",
                          field="title")
    with transaction.atomic():
        audit, side = access.lock_round(acting_user, round_id)
        must_be_party(side)
        must_be_in_stage(audit)
        if kind not in STAGE_BY_CODE[audit.status].artefacts:
            raise KernelError(pgettext("cleanaudit", "The current stage does not ask for this document."),
                              code=ErrorCode.WRONG_STAGE, field="kind")
        # The file is read only for the party who may add it: a stranger learns nothing from its refusal.
        name = ""
        if upload is not None:
            check_upload(upload, allowed=SCANS, max_bytes=MAX_ARTEFACT_BYTES, field="file")
            name = (getattr(upload, "name", "") or "file")[-200:]
        artefact = Artefact.objects.create(round=audit, stage=audit.status, kind=kind, title=title.strip(),
                                           note=note[:4000], file=upload if upload is not None else "", file_name=name, added_by=acting_user,
                                           added_at=timezone.now())
        record(acting_user, "cleanaudit.artefact.add", audit,
               after={"stage": audit.status, "kind": kind, **({"name": name} if name else {})})
    return artefact


def do_set_figures(round_id: int, *, period: str, values: Mapping[str, Any], output_unit: str = "t",
                   acting_user: User) -> Figures:
    """The firm's own yearly figures, before or after; the indicators are computed from them."""
    _choice(period, dict(Figures.Period.choices), "period")
    clean: dict[str, Any] = {name: decimal_of(values.get(name, ""), name) for name in FIGURE_FIELDS}
    clean["value_added_fen"] = fen_of(values.get("value_added_fen", ""), "value_added_fen")
    problem = rules.figures_problem(clean)
    if problem:
        raise KernelError(problem[1], code=ErrorCode.FIGURES, field=problem[0])
    with transaction.atomic():
        audit, side = access.lock_round(acting_user, round_id)
        must_be_party(side)
        if audit.status in ("accepted", "failed") or (period == "before" and audit.status not in STAGE_BY_CODE):
            raise Conflict(pgettext("cleanaudit", "These figures can no longer be changed."),
                           code=ErrorCode.WRONG_STAGE, field="period")
        figures, _created = Figures.objects.update_or_create(
            round=audit, period=period, defaults={**clean, "output_unit": (output_unit or "t")[:16]})
        record(acting_user, "cleanaudit.figures.set", audit,
               after={"period": period, **{k: str(v) for k, v in clean.items()}})
    return figures


def do_set_balance(round_id: int, *, values: Mapping[str, Any], acting_user: User) -> Balance:
    """The material balance of the audit focus; the 审核 stage closes only when it closes within tolerance."""
    clean = {name: decimal_of(values.get(name, ""), name)
             for name in ("inputs_t", "products_t", "byproducts_t", "losses_t")}
    with transaction.atomic():
        audit, side = access.lock_round(acting_user, round_id)
        must_be_party(side)
        must_be_in_stage(audit)
        balance, _created = Balance.objects.update_or_create(round=audit, defaults=clean)
        record(acting_user, "cleanaudit.balance.set", audit, after={k: str(v) for k, v in clean.items()})
    return balance


def do_add_option(round_id: int, *, title: str, cost_class: str, investment_fen: Any, yearly_saving_fen: Any,
                  life_years: int | None, energy_saved_tce: Any = 0, water_saved_m3: Any = 0,
                  acting_user: User) -> Option:
    investment = fen_of(investment_fen, "investment_fen")
    saving = fen_of(yearly_saving_fen, "yearly_saving_fen")
    problem = rules.option_problem(title=title, cost_class=cost_class, investment=investment, saving=saving,
                                   life_years=life_years)
    if problem:
        raise KernelError(problem[1], code=ErrorCode.OPTION, field=problem[0])
    assert life_years is not None  # option_problem refused None
    energy, water = decimal_of(energy_saved_tce, "energy_saved_tce"), decimal_of(water_saved_m3, "water_saved_m3")
    with transaction.atomic():
        audit, side = access.lock_round(acting_user, round_id)
        must_be_party(side)
        must_be_in_stage(audit)
        option = Option.objects.create(round=audit, title=title.strip(), cost_class=cost_class,
                                       investment_fen=investment, yearly_saving_fen=saving, life_years=life_years,
                                       energy_saved_tce=energy, water_saved_m3=water)
        record(acting_user, "cleanaudit.option.add", audit, after={"option": option.pk, "cost_class": cost_class})
    return option


def do_set_option_status(option_id: int, *, status: str, measured_saving_fen: Any = None,
                         acting_user: User) -> Option:
    """Adopt, implement or drop an option; an implemented one may carry its measured savings."""
    _choice(status, {"proposed": 1, "adopted": 1, "implemented": 1, "dropped": 1}, "status")
    measured = None if measured_saving_fen in (None, "") else fen_of(measured_saving_fen, "measured_saving_fen")
    if measured is not None and status != "implemented":
        raise KernelError(pgettext("cleanaudit", "Savings are measured only for an implemented option."),
                          code=ErrorCode.OPTION, field="measured_saving_fen")
    round_id = Option.objects.filter(pk=option_id).values_list("round_id", flat=True).first()
    if round_id is None:
        raise NotFound(field="option")
    with transaction.atomic():
        audit, side = access.lock_round(acting_user, round_id)
        must_be_party(side)
        if audit.status in ("accepted", "failed", "assessment"):
            raise Conflict(pgettext("cleanaudit", "The options can no longer be changed."),
                           code=ErrorCode.WRONG_STAGE, field="status")
        option = Option.objects.select_for_update().get(pk=option_id)
        before = option.status
        option.status = status
        option.measured_saving_fen = measured if status == "implemented" else None
        option.save(update_fields=["status", "measured_saving_fen"])
        record(acting_user, "cleanaudit.option.status", audit,
               before={"option": option.pk, "status": before}, after={"option": option.pk, "status": status})
    return option


def _assessment_due(at: dt.datetime, term: rules.Term) -> dt.date:
    """The term's working days (22 by default) by the kernel's calendar; a firm's application is never
    refused because next year's holidays are not published yet: then the rule's plain month stands in."""
    try:
        return rules.assessment_due(at.astimezone(SHANGHAI), add_working_days, term)
    except CalendarDataMissing:
        return rules.add_months(at.astimezone(SHANGHAI).date(), 1)


def do_close_stage(round_id: int, *, acting_user: User, now: dt.datetime | None = None) -> AuditRound:
    """Close the round's current stage if its gate lets it; the next opens, or after the seventh the
    round awaits the bureau's assessment (due in 22 working days)."""
    at = now or timezone.now()
    with transaction.atomic():
        audit, side = access.lock_round(acting_user, round_id)
        must_be_party(side)
        must_be_in_stage(audit)
        stage = audit.status
        problems = rules.gate_problems(stage, facts_of(audit))
        if problems:
            field, message = problems[0]
            raise KernelError(message, code=ErrorCode.GATE, field=field)
        StageRecord.objects.filter(round=audit, stage=stage).update(closed_at=at, closed_by=acting_user)
        following, term = rules.next_stage(stage), term_for(audit.year)
        if following is None:
            audit.status = "assessment"
            audit.review_due = _assessment_due(at, term)
        else:
            audit.status = following
            StageRecord.objects.create(round=audit, stage=following, opened_at=at,
                                       due_on=rules.stage_due(following, audit.listed_on, term))
        audit.save(update_fields=["status", "review_due"])
        record(acting_user, "cleanaudit.stage.close", audit, before={"stage": stage}, after={"stage": audit.status})
    return audit
