"""Every change in remediation: do_<verb>_<thing>(..., *, acting_user), one transaction with its audit row.
Each stage change goes through _move: the campaign's declared transitions, a StatusChange row, an audit row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import has_perm, place_in_scope, require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import Conflict, KernelError, NotFound
from longcheng.kernel.uploads import SCANS, check_upload
from longcheng.kernel.workdays.api import SHANGHAI, add_working_days

from . import access, rules, tally
from .campaigns import (
    ACCEPTED,
    AGENCIES,
    CLOSED,
    DETERMINED,
    DISMISSED,
    EVIDENCE,
    FINISHED,
    PLANNED,
    POLLUTANTS,
    REMEDIES,
    REOPENED,
    SCREENED,
    Campaign,
    campaign,
)
from .conf import thresholds
from .errors import ErrorCode
from .history import record_change
from .models import (
    Case,
    Evidence,
    Inspection,
    Milestone,
    Plan,
    PollutantFigure,
    ReboundCheck,
    Site,
)
from .spec import CLOSE, DETERMINE, INSPECT, RESPOND

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


def _campaign_of(code: str) -> Campaign:
    declared = campaign(code)
    if declared is None:
        raise KernelError(pgettext("remediation", "No such campaign."), code=ErrorCode.UNKNOWN_CAMPAIGN,
                          field="campaign")
    return declared


def _move(case: Case, dst: str, *, user: User | None, note: str = "", now: dt.datetime | None = None) -> None:
    """Move a locked case to `dst` if its campaign declares the move; one history row and one audit row."""
    problem = rules.transition_problem(_campaign_of(case.campaign), case.status, dst)
    if problem:
        raise Conflict(problem, code=ErrorCode.TRANSITION, field="status")
    at = now or timezone.now()
    src, case.status = case.status, dst
    case.save(update_fields=["status", "closed_at", "rebound", "accepted_by"])
    record_change(case, dst, at, by=user, src=src, note=note[:500])
    tally.shift(case, src, dst)
    record(user, f"remediation.case.{dst}", case, before={"status": src}, after={"status": dst})


def _low_score(site: Site, yield_figures: Mapping[str, int] | None) -> int | None:
    if not yield_figures:
        return None
    return rules.low_yield_score(tax_fen=yield_figures.get("tax_fen", 0), output_fen=yield_figures.get("output_fen", 0),
                                 area_mu=site.area_mu, thresholds=thresholds())


def do_record_inspection(
    *, site: Site, campaign_code: str, checklist: Mapping[str, bool], scores: Mapping[str, int],
    reasons: Mapping[str, str], acting_user: User, note: str = "", yield_figures: Mapping[str, int] | None = None,
) -> Inspection:
    """A patrol's inspection (排查): attached to the firm's open case of the campaign, or opening one."""
    require_perm(acting_user, INSPECT)
    declared = _campaign_of(campaign_code)
    if not place_in_scope(acting_user, INSPECT, site.place.path):
        raise NotFound(field="site")
    scores = dict(scores)
    low = _low_score(site, yield_figures)
    if low is not None and any(a.code == "low" for a in declared.axes):
        scores["low"] = low  # 低 is computed from the figures against the configured thresholds
        reasons = {**reasons, "low": reasons.get("low") or pgettext("remediation", "Tax and output per mu")}
    problem = rules.scores_problem(declared, scores, reasons)
    if problem:
        raise KernelError(problem[1], code=ErrorCode.SCORES, field=problem[0])
    now = timezone.now()
    try:
        with transaction.atomic():
            case = (Case.objects.select_for_update().filter(firm=site.firm_id, campaign=declared.code)
                    .exclude(status__in=FINISHED).first())
            if case is None:
                case = Case.objects.create(campaign=declared.code, site=site, firm_id=site.firm_id,
                                           place_id=site.place_id, opened_at=now)
                record_change(case, SCREENED, now, by=acting_user)
                tally.shift(case, None, SCREENED)
            inspection = Inspection.objects.create(
                case=case, inspector=acting_user, at=now, note=note[:500],
                checklist={item.code: bool(checklist.get(item.code)) for item in declared.checklist},
                scores={a.code: scores[a.code] for a in declared.axes},
                reasons={a.code: (reasons.get(a.code) or "").strip() for a in declared.axes})
            record(acting_user, "remediation.inspection.record", case, after={
                "inspection": inspection.pk, "scores": inspection.scores, "target": rules.is_target(declared, scores)})
    except IntegrityError as exc:  # a second patrol opened the firm's case at the same moment
        raise Conflict(pgettext("remediation", "This firm already has an open case in this campaign."),
                       code=ErrorCode.OPEN_CASE_EXISTS, field="site") from exc
    return inspection


def do_determine_case(case_id: int, *, target: bool, acting_user: User, note: str = "") -> Case:
    """认定: the bureau confirms the firm as a target of the campaign, or dismisses the case."""
    with transaction.atomic():
        case = access.lock_case(acting_user, case_id, DETERMINE)
        _move(case, DETERMINED if target else DISMISSED, user=acting_user, note=note)
    return case


@dataclass(frozen=True)
class MilestoneIn:
    title: str
    due_on: dt.date | None = None
    working_days: int | None = None  # a deadline counted in working days from today instead of a date


def _due_on(item: MilestoneIn, now: dt.datetime) -> dt.date | None:
    if item.working_days is None:
        return item.due_on
    if not 1 <= item.working_days <= 500:
        raise KernelError(pgettext("remediation", "Working days: from 1 to 500."), code=ErrorCode.MILESTONE,
                          field="working_days")
    return add_working_days(now, item.working_days).astimezone(SHANGHAI).date()


def _plan_problem(declared: Campaign, remedy: str, lead_agency: str, responsible: str, area_mu: Decimal,
                  pollutants: Mapping[str, tuple[int, int]]) -> KernelError | None:
    if remedy not in declared.remedies:
        return KernelError(pgettext("remediation", "This campaign does not offer this remedy."),
                           code=ErrorCode.REMEDY, field="remedy")
    if lead_agency not in AGENCIES:
        return KernelError(pgettext("remediation", "Choose a lead agency."), code="required", field="lead_agency")
    if not responsible.strip() or len(responsible.strip()) > 50:
        return KernelError(pgettext("remediation", "Name the responsible person (at most 50 characters)."),
                           code="required", field="responsible")
    if not Decimal(0) <= area_mu <= Decimal(100_000):
        return KernelError(pgettext("remediation", "Area: from 0 to 100,000 mu."), code="invalid", field="area_mu")
    for code, (before, after) in pollutants.items():
        if code not in POLLUTANTS or not 0 <= after <= before <= 10**12:
            return KernelError(pgettext("remediation", "A pollutant's figure after remediation is at most its figure "
                                        "before, both from 0."), code="invalid", field="pollutants")
    return None


def do_set_plan(
    case_id: int, *, remedy: str, lead_agency: str, responsible: str, acting_user: User,
    milestones: Sequence[MilestoneIn] = (), area_mu: Decimal = Decimal(0),
    pollutants: Mapping[str, tuple[int, int]] | None = None,
) -> Plan:
    """一企一策: the firm's plan (remedy, lead agency, responsible person, milestones, figures)."""
    pollutants = pollutants or {}
    now = timezone.now()
    with transaction.atomic():
        case = access.lock_case(acting_user, case_id, DETERMINE)
        declared = _campaign_of(case.campaign)
        problem = _plan_problem(declared, remedy, lead_agency, responsible, area_mu, pollutants)
        if problem:
            raise problem
        dues = [(m.title.strip(), _due_on(m, now)) for m in milestones]
        for title, due in dues:
            bad = rules.milestone_problem(title, due, now.astimezone(SHANGHAI).date())
            if bad:
                raise KernelError(bad[1], code=ErrorCode.MILESTONE, field=bad[0])
        _move(case, PLANNED, user=acting_user)
        plan, _created = Plan.objects.update_or_create(case=case, defaults={
            "remedy": remedy, "lead_agency": lead_agency, "responsible": responsible.strip(), "area_mu": area_mu,
            "created_at": now})
        Milestone.objects.bulk_create([Milestone(plan=plan, title=t, due_on=d) for t, d in dues if d])
        PollutantFigure.objects.filter(plan=plan).delete()
        PollutantFigure.objects.bulk_create([PollutantFigure(plan=plan, pollutant=c, before_kg=b, after_kg=a)
                                             for c, (b, a) in sorted(pollutants.items())])
        record(acting_user, "remediation.plan.set", case, after={
            "remedy": remedy, "lead_agency": lead_agency, "area_mu": str(area_mu), "milestones": len(dues)})
    return plan


def do_add_milestone(case_id: int, item: MilestoneIn, *, acting_user: User) -> Milestone:
    """A milestone added to a plan later (the bureau at the case's place); refused on a finished case
    and on a case without a plan. The deadline is a date or working days from today, as with the plan."""
    now = timezone.now()
    with transaction.atomic():
        case = access.lock_case(acting_user, case_id, DETERMINE)
        if case.status in FINISHED:
            raise Conflict(pgettext("remediation", "The case is finished; its milestones are closed with it."),
                           code=ErrorCode.TRANSITION, field="status")
        plan = Plan.objects.filter(case=case).first()
        if plan is None:
            raise Conflict(pgettext("remediation", "The case has no plan yet."), code=ErrorCode.MILESTONE,
                           field="plan")
        title, due = item.title.strip(), _due_on(item, now)
        bad = rules.milestone_problem(title, due, now.astimezone(SHANGHAI).date())
        if bad:
            raise KernelError(bad[1], code=ErrorCode.MILESTONE, field="title" if bad[0] == "milestone" else bad[0])
        assert due is not None  # milestone_problem refuses a missing deadline
        milestone = Milestone.objects.create(plan=plan, title=title, due_on=due)
        record(acting_user, "remediation.milestone.add", case, after={
            "milestone": milestone.pk, "title": title, "due_on": due.isoformat()})
    return milestone


def do_add_evidence(case_id: int, *, kind: str, upload: Any, acting_user: User) -> Evidence:
    """A file proving the work (a photo, the utility's record, a park's record, a report): from the
    firm itself (its own case) or staff who inspect or determine at the case's place."""
    if kind not in EVIDENCE:
        raise KernelError(pgettext("remediation", "Choose what the file proves."), code="required", field="kind")
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("place").filter(pk=case_id).first()
        staff = case is not None and any(place_in_scope(acting_user, p, case.place.path) for p in (INSPECT, DETERMINE))
        own = (case is not None and has_perm(acting_user, RESPOND) and acting_user.organisation_id == case.firm_id
               and place_in_scope(acting_user, RESPOND, case.place.path))
        if case is None or not (staff or own):
            raise NotFound()
        # The file is read only for someone who may add it: a stranger learns nothing from its refusal.
        check_upload(upload, allowed=SCANS, max_bytes=MAX_EVIDENCE_BYTES, field="file")
        name = (getattr(upload, "name", "") or "file")[-200:]
        evidence = Evidence.objects.create(case=case, kind=kind, file=upload, name=name, size=upload.size,
                                           uploaded_by=acting_user, uploaded_at=timezone.now())
        record(acting_user, "remediation.evidence.add", case, after={"kind": kind, "name": name})
    return evidence


def _evidence_guard(case: Case) -> None:
    plan = Plan.objects.filter(case=case).first()
    if plan is None:
        raise Conflict(pgettext("remediation", "The case has no plan yet."), code=ErrorCode.EVIDENCE_MISSING,
                       field="plan")
    missing = rules.missing_evidence(plan.remedy, case.evidence.values_list("kind", flat=True))
    if missing:
        names = "；".join(" / ".join(str(EVIDENCE[k]) for k in group) for group in missing)
        raise Conflict(pgettext("remediation", "%(remedy)s needs this evidence first: %(missing)s") % {
            "remedy": REMEDIES[plan.remedy].label, "missing": names}, code=ErrorCode.EVIDENCE_MISSING, field="evidence")


def do_accept_case(case_id: int, *, acting_user: User, note: str = "") -> Case:
    """验收: the bureau accepts the remediation, once its evidence is complete."""
    with transaction.atomic():
        case = access.lock_case(acting_user, case_id, DETERMINE)
        _evidence_guard(case)
        case.accepted_by = acting_user
        _move(case, ACCEPTED, user=acting_user, note=note)
    return case


def do_close_case(case_id: int, *, acting_user: User, note: str = "") -> Case:
    """销号: the campaign office closes an accepted case whose evidence is complete, and schedules 回头看."""
    with transaction.atomic():
        case = access.lock_case(acting_user, case_id, CLOSE)
        _evidence_guard(case)
        problem = rules.closure_problem(rebound=case.rebound, accepted_by=case.accepted_by_id, closer=acting_user.pk)
        if problem:
            code = ErrorCode.REBOUND_FOUR_EYES if case.accepted_by_id else ErrorCode.NOT_ACCEPTED
            raise Conflict(problem, code=code, field="status")
        now = timezone.now()
        case.closed_at = now
        _move(case, CLOSED, user=acting_user, note=note, now=now)
        declared = _campaign_of(case.campaign)
        today = now.astimezone(SHANGHAI).date()
        dates = zip(declared.rebound_days, rules.rebound_dates(today, declared.rebound_days), strict=True)
        ReboundCheck.objects.bulk_create([ReboundCheck(case=case, place_id=case.place_id, days=d, due_on=due)
                                          for d, due in dates])
    return case


def do_record_rebound_check(check_id: int, *, found_running: bool, acting_user: User, note: str = "") -> ReboundCheck:
    """回头看: a patrol re-inspects a closed site; found running again, the case reopens as a rebound."""
    require_perm(acting_user, INSPECT)
    try:
        return _record_rebound_check(check_id, found_running=found_running, acting_user=acting_user, note=note)
    except IntegrityError as exc:  # the firm has a newer open case in the campaign: reopening would make two
        raise Conflict(pgettext("remediation", "This firm already has an open case in this campaign."),
                       code=ErrorCode.OPEN_CASE_EXISTS, field="check") from exc


def _record_rebound_check(check_id: int, *, found_running: bool, acting_user: User, note: str) -> ReboundCheck:
    with transaction.atomic():
        check = ReboundCheck.objects.select_for_update().filter(pk=check_id).first()
        if check is None:
            raise NotFound()
        case = access.lock_case(acting_user, check.case_id, INSPECT)
        if check.inspection_id is not None:
            raise Conflict(pgettext("remediation", "This rebound check is already recorded."),
                           code=ErrorCode.CHECK_DONE, field="check")
        check.inspection = Inspection.objects.create(case=case, inspector=acting_user, at=timezone.now(),
                                                     found_running=found_running, note=note[:500])
        check.save(update_fields=["inspection"])
        record(acting_user, "remediation.rebound_check.record", case, after={"days": check.days,
                                                                            "found_running": found_running})
        if found_running:
            if case.status != CLOSED:
                raise Conflict(pgettext("remediation", "Only a closed case can rebound."), code=ErrorCode.TRANSITION,
                               field="status")
            case.rebound, case.closed_at, case.accepted_by = True, None, None
            # The checks left of the closure that failed are void: the next 销号 schedules its own.
            ReboundCheck.objects.filter(case=case, inspection=None).delete()
            _move(case, REOPENED, user=acting_user, note=note)
    return check


def do_complete_milestone(milestone_id: int, *, acting_user: User) -> Milestone:
    """A milestone of an open case's plan done: by the bureau (determine) at the case's place, or by the
    street's patrol where the street leads the plan. Done once; an overdue milestone stops being listed."""
    with transaction.atomic():
        milestone = (Milestone.objects.select_for_update(of=("self",)).select_related("plan__case__place")
                     .filter(pk=milestone_id).first())
        if milestone is None:
            raise NotFound()
        case, path = milestone.plan.case, milestone.plan.case.place.path
        allowed = place_in_scope(acting_user, DETERMINE, path) or (
            milestone.plan.lead_agency == "street" and place_in_scope(acting_user, INSPECT, path))
        if not allowed:
            raise NotFound()
        if milestone.done_at is not None:
            raise Conflict(pgettext("remediation", "This milestone is already done."), code=ErrorCode.MILESTONE,
                           field="milestone")
        if case.status in FINISHED:
            raise Conflict(pgettext("remediation", "The case is finished; its milestones are closed with it."),
                           code=ErrorCode.TRANSITION, field="status")
        milestone.done_at, milestone.done_by = timezone.now(), acting_user
        milestone.save(update_fields=["done_at", "done_by"])
        record(acting_user, "remediation.milestone.done", case, after={"milestone": milestone.pk,
                                                                        "title": milestone.title})
    return milestone
