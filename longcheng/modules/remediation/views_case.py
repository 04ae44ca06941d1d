"""A case's page and the forms posted from it (determine, plan, evidence, accept, close, rebound check),
and the firm's own view of its case. Each POST parses a Django form, calls one action, and on a refusal
shows the case page again with the message beside the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import place_in_scope
from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import attempt
from longcheng.kernel.web.decorators import staff_view

from . import access, actions, rules
from .campaigns import ACCEPTED, CAMPAIGNS, DETERMINED, EVIDENCE, FINISHED, PLANNED, REMEDIES, STAGES
from .forms import DetermineForm, EvidenceForm, MilestoneForm, NoteForm, PlanForm, ReboundForm
from .models import Case, Milestone, Plan, ReboundCheck
from .spec import CLOSE, DETERMINE, INSPECT, RESPOND, VIEW


def _context(request: StaffRequest, case: Case, **extra: Any) -> dict[str, Any]:
    declared = CAMPAIGNS[case.campaign]
    plan = Plan.objects.filter(case=case).prefetch_related("milestones", "pollutants").first()
    kinds = list(case.evidence.values_list("kind", flat=True))
    path = case.place.path
    may = {p: place_in_scope(request.user, p, path) for p in (INSPECT, DETERMINE, CLOSE)}
    return {
        "case": case, "campaign": declared, "stage": STAGES[case.status], "plan": plan,
        "remedy": REMEDIES[plan.remedy] if plan else None,
        "missing": [" / ".join(str(EVIDENCE[k]) for k in g) for g in rules.missing_evidence(plan.remedy, kinds)]
        if plan else [],
        "history": case.changes.select_related("by").order_by("at", "pk"),
        "inspections": case.inspections.select_related("inspector").order_by("-at", "-pk")[:50],
        "evidence": case.evidence.order_by("-uploaded_at", "-pk"),
        "checks": case.rebound_checks.order_by("due_on", "pk"),
        "can_determine": declared.allows(case.status, DETERMINED), "can_plan": declared.allows(case.status, PLANNED),
        "can_accept": declared.allows(case.status, ACCEPTED),
        "may_inspect": may[INSPECT], "may_determine": may[DETERMINE], "may_close": may[CLOSE],
        "may_tick": case.status not in FINISHED and plan is not None and (
            may[DETERMINE] or (plan.lead_agency == "street" and may[INSPECT])),
        "today": timezone.localdate(),
        "determine_form": DetermineForm(), "plan_form": PlanForm(campaign=declared), "note_form": NoteForm(),
        "evidence_form": EvidenceForm(), "rebound_form": ReboundForm(), "axes": declared.axes,
        "milestone_form": MilestoneForm(),
        "may_add_milestone": may[DETERMINE] and plan is not None and case.status not in FINISHED,
        **extra,
    }


@staff_view(VIEW)
def case(request: StaffRequest, pk: int) -> HttpResponse:
    found = access.case_for(request.user, pk)
    return render(request, "remediation/case.html", _context(request, found))


def _post(request: StaffRequest, pk: int, form: forms.Form, act: Callable[[dict[str, Any]], Any], *,
          permission: str = VIEW, key: str = "") -> HttpResponse:
    """A step of the case page (`kernel.forms.attempt`): on a refusal the page again, with it (and, under
    `key`, the form as typed)."""
    found = access.case_for(request.user, pk, permission)
    _done, error = attempt(form, act)
    if error is not None:
        found.refresh_from_db()
        typed = {key: form} if key else {}
        return render(request, "remediation/case.html", _context(request, found, error=error, **typed),
                      status=error.status)
    return redirect("remediation:case", pk)


@require_POST
@staff_view(DETERMINE)
def determine(request: StaffRequest, pk: int) -> HttpResponse:
    return _post(request, pk, DetermineForm(request.POST), lambda d: actions.do_determine_case(
        pk, target=d["target"], note=d["note"], acting_user=request.user))


@require_POST
@staff_view(DETERMINE)
def plan(request: StaffRequest, pk: int) -> HttpResponse:
    found = access.case_for(request.user, pk)
    form = PlanForm(request.POST, campaign=CAMPAIGNS[found.campaign])

    def act(data: dict[str, Any]) -> Any:
        return actions.do_set_plan(
            pk, remedy=data["remedy"], lead_agency=data["lead_agency"], responsible=data["responsible"],
            area_mu=data["area_mu"], pollutants=form.pollutants(), acting_user=request.user,
            milestones=[actions.MilestoneIn(data["milestone"], data["due_on"], data["working_days"])])
    return _post(request, pk, form, act)


@require_POST
@staff_view(DETERMINE)
def milestone_add(request: StaffRequest, pk: int) -> HttpResponse:
    return _post(request, pk, MilestoneForm(request.POST), lambda d: actions.do_add_milestone(
        pk, actions.MilestoneIn(d["title"], d["due_on"], d["working_days"]), acting_user=request.user),
        key="milestone_form")


@require_POST
@staff_view(VIEW)
def evidence(request: StaffRequest, pk: int) -> HttpResponse:
    return _post(request, pk, EvidenceForm(request.POST, request.FILES), lambda d: actions.do_add_evidence(
        pk, kind=d["kind"], upload=d["file"], acting_user=request.user))


@require_POST
@staff_view(DETERMINE)
def accept(request: StaffRequest, pk: int) -> HttpResponse:
    return _post(request, pk, NoteForm(request.POST), lambda d: actions.do_accept_case(
        pk, note=d["note"], acting_user=request.user))


@require_POST
@staff_view(CLOSE)
def close(request: StaffRequest, pk: int) -> HttpResponse:
    return _post(request, pk, NoteForm(request.POST), lambda d: actions.do_close_case(
        pk, note=d["note"], acting_user=request.user))


@require_POST
@staff_view(VIEW)
def milestone_done(request: StaffRequest, pk: int) -> HttpResponse:
    case_id = Milestone.objects.filter(pk=pk).values_list("plan__case_id", flat=True).first()
    return _post(request, case_id or 0, NoteForm(request.POST), lambda d: actions.do_complete_milestone(
        pk, acting_user=request.user))


@require_POST
@staff_view(INSPECT)
def rebound_check(request: StaffRequest, pk: int) -> HttpResponse:
    check = access.rebound_checks_due(request.user, INSPECT).filter(pk=pk).first()
    case_id = check.case_id if check else ReboundCheck.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    return _post(request, case_id or 0, ReboundForm(request.POST), lambda d: actions.do_record_rebound_check(
        pk, found_running=d["found_running"], note=d["note"], acting_user=request.user),
        permission=INSPECT)


@staff_view(RESPOND)
def my_case(request: StaffRequest, pk: int) -> HttpResponse:
    """The firm's own case: its findings, its plan, the evidence it still owes, and the upload form."""
    found = access.own_case(request.user, pk)
    form = EvidenceForm(request.POST or None, request.FILES or None)
    error: KernelError | None = None
    if request.method == "POST":
        _done, error = attempt(form, lambda d: actions.do_add_evidence(
            pk, kind=d["kind"], upload=d["file"], acting_user=request.user))
        if error is None:
            return redirect("remediation:my_case", pk)
    context = _context(request, found, error=error, evidence_form=form)
    return render(request, "remediation/my_case.html", context, status=error.status if error else 200)

