"""The officer's queue (the 15-minute clock) and review page, and the insurers' hand-offs."""

from __future__ import annotations

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import refusal
from longcheng.kernel.web.decorators import staff_view

from . import access, actions, documents, figures, registries, rules, sketch
from .forms import ClaimForm, DecisionForm
from .shown import parties_view
from .spec import CLAIMS, FIGURES, REVIEW


@staff_view(REVIEW)
def queue(request: StaffRequest) -> HttpResponse:
    now = timezone.now()
    rows = [{"report": r, "minutes": rules.review_minutes(r.submitted_at or now, now),
             "overdue": rules.overdue(r.submitted_at or now, now)} for r in access.queue(request.user)[:200]]
    return render(request, "accidents/queue.html", {"rows": rows, "target": int(rules.REVIEW_TARGET.seconds // 60)})


@staff_view(REVIEW)
def review(request: StaffRequest, pk: int) -> HttpResponse:
    report = access.reviewable(request.user, pk)
    form = DecisionForm(request.POST or None)
    error: KernelError | None = None
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise refusal(form)
            data = form.cleaned_data
            if data["decision"] == "scene":
                actions.do_call_to_scene(report, reason=data["reason"], acting_user=request.user)
            else:
                actions.do_decide_liability(report, liability_a=data["liability_a"] if data["decision"] == "change"
                                            else None, reason=data["reason"], acting_user=request.user)
        except KernelError as exc:
            if exc.status in (403, 404):
                raise
            error = exc
        else:
            return redirect("accidents:queue")
    parties = parties_view(request.user, report)
    return render(request, "accidents/review.html", {
        "report": report, "parties": parties, "form": form, "error": error,
        "ticked": [(p["side"], documents.situation_labels(p["circumstances"])) for p in parties], "photos": report.photos.select_related("party").order_by("party__side", "shot"),
        "checks": [(p.side, registries.stored(p))
                   for p in report.parties.prefetch_related("registry_checks").order_by("side")],
        "minutes": rules.review_minutes(report.submitted_at, timezone.now()) if report.submitted_at else None,
        **sketch.shown(report.sketch),
    }, status=error.status if error else 200)


@staff_view(CLAIMS)
def claims(request: StaffRequest) -> HttpResponse:
    return render(request, "accidents/claims.html", {"handoffs": access.handoffs(request.user)[:200]})


@staff_view(CLAIMS)
def claim(request: StaffRequest, pk: int) -> HttpResponse:
    handoff = access.handoff(request.user, pk)
    form = ClaimForm(request.POST or None, initial={"status": handoff.status})
    error: KernelError | None = None
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise refusal(form)
            actions.do_update_claim(handoff, status=form.cleaned_data["status"], acting_user=request.user)
        except KernelError as exc:
            if exc.status in (403, 404):
                raise
            error = exc
        else:
            return redirect("accidents:claim", handoff.pk)
    return render(request, "accidents/claim.html", {
        "handoff": handoff, "parties": parties_view(request.user, handoff.report), "form": form, "error": error,
        "photos": handoff.report.photos.select_related("party").order_by("party__side", "shot", "pk"),
        **sketch.shown(handoff.report.sketch),
    }, status=error.status if error else 200)


@staff_view(REVIEW)
def review_photo(request: StaffRequest, pk: int, photo_pk: int) -> HttpResponseBase:
    return documents.photo(request.user, access.reviewable(request.user, pk), photo_pk)


@staff_view(REVIEW)
def review_agreement(request: StaffRequest, pk: int) -> HttpResponse:
    return documents.agreement(request.user, access.reviewable(request.user, pk))


@staff_view(CLAIMS)
def claim_photo(request: StaffRequest, pk: int, photo_pk: int) -> HttpResponseBase:
    """The insurer sees the photos of a report handed to it, both drivers' (the claim needs them)."""
    return documents.photo(request.user, access.handoff(request.user, pk).report, photo_pk)


@staff_view(CLAIMS)
def claim_agreement(request: StaffRequest, pk: int) -> HttpResponse:
    return documents.agreement(request.user, access.handoff(request.user, pk).report)


@staff_view(FIGURES)
def hotspots(request: StaffRequest) -> HttpResponse:
    """Where the reports of the viewer's places happened (figures.hotspots, scoped)."""
    return render(request, "accidents/hotspots.html", figures.hotspots(request.user))
