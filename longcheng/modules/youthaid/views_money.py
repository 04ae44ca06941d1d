"""The money side of the youth aid fund, and its people and figures: the federation's review queue,
payment batches, the fund and its statement, the aid rules, hope parents, dream rooms and the
reports by town, aid type and year. Each form posts a `step` to its page; every change goes through
an action in actions.py, which checks the permission and the scope again."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import ExtractYear
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from longcheng.kernel import privacy
from longcheng.kernel.access.scope import has_perm, restrict
from longcheng.kernel.errors import KernelError, NotFound, parse_id
from longcheng.kernel.forms import YuanField, refusal, yuan_text
from longcheng.kernel.ledger import actions as ledger
from longcheng.kernel.ledger.models import AccountKind, Posting
from longcheng.kernel.ledger.money import format_fen, parse_yuan
from longcheng.kernel.people.validators import mask_phone
from longcheng.kernel.places.models import Level, Place
from longcheng.kernel.registry import Chart
from longcheng.kernel.web.charts import render_chart
from longcheng.kernel.web.decorators import staff_view
from longcheng.kernel.web.forms import StatementForm

from . import actions
from .models import (
    AidType,
    Application,
    AppStatus,
    BatchStatus,
    CaseStatus,
    Condition,
    Pairing,
    Payment,
    PaymentBatch,
    PayStatus,
    RoomProject,
    RoomStatus,
    VettingStatus,
    Volunteer,
    Youth,
)

VIEW, MANAGE, REVIEW, PAY, FUND = actions.VIEW, actions.MANAGE, actions.REVIEW, actions.PAY, actions.FUND
CONFIGURE = "youthaid.configure"
QUEUE_SIZE = 200

# The dream-room moves offered on the rooms page: the federation's approval and sign-off (the case
# worker's moves are on the case page). Mirrors do_advance_room's permission, so only buttons that
# can work are shown.
ROOM_MOVES: dict[str, tuple[str, ...]] = {
    RoomStatus.PROPOSED: (RoomStatus.APPROVED,),
    RoomStatus.IN_PROGRESS: (RoomStatus.DONE,),
}


# --- small helpers -------------------------------------------------------------------------------------------


def _post(request: HttpRequest, step: Callable[[], str | tuple[str, str]]) -> HttpResponse:
    """Run one POSTed step: its message, then back to the page (or where the step says). A refusal
    becomes a message naming the rule, having written nothing; out of scope stays a 404 page."""
    try:
        outcome = step()
    except KernelError as error:
        if error.status == 404:
            raise
        messages.error(request, str(error.message))
        return redirect(request.get_full_path())
    text, target = outcome if isinstance(outcome, tuple) else (outcome, request.get_full_path())
    messages.success(request, text)
    return redirect(target)


def _balances() -> dict[str, int]:
    fund = actions.youth_fund()
    return {"available": ledger.fund_account(fund).balance_fen,
            "committed": ledger.fund_account(fund, AccountKind.COMMITMENT).balance_fen}


# --- review ---------------------------------------------------------------------------------------------------


class DecideForm(forms.Form):
    """The federation's decision on one recommended application."""

    application = forms.CharField(label=_l("Application"))
    decision = forms.ChoiceField(label=_l("Decision"), choices=(("approve", _l("Approve")), ("reject", _l("Reject"))),
                                 error_messages={"required": _l("Choose approve or reject."),
                                                 "invalid_choice": _l("Choose approve or reject.")})
    amount = YuanField(label=_l("Approved amount"), required=False)
    reason = forms.CharField(label=_l("Reason"), required=False, strip=False)


def _review_step(request: HttpRequest) -> str:
    post, user = request.POST, request.user
    if post.get("step") != "decide":
        raise KernelError(_("Unknown step."), field="step")
    form = DecideForm(post)
    if not form.is_valid():
        raise refusal(form)
    pk = parse_id(form.cleaned_data["application"], field="application")
    approve = form.cleaned_data["decision"] == "approve"
    amount = form.cleaned_data["amount"] if approve else None
    app = actions.do_decide(pk, approve=approve, amount_fen=amount, reason=form.cleaned_data["reason"],
                            acting_user=user)
    if app.status == AppStatus.APPROVED:
        return _("Approved %(amount)s for %(name)s; the money is committed on the fund.") % {
            "amount": format_fen(app.approved_fen), "name": app.youth.person.name}
    return _("The application of %(name)s is rejected.") % {"name": app.youth.person.name}


@staff_view(REVIEW)
def review(request: HttpRequest) -> HttpResponse:
    """The charity federation's queue: recommended applications, oldest first, each with what the
    youth already has this year of that aid type, and the fund's available money above."""
    if request.method == "POST":
        return _post(request, lambda: _review_step(request))
    user = request.user
    queue = list(restrict(Application.objects.filter(status=AppStatus.RECOMMENDED), user, REVIEW)
                 .select_related("youth__person__place__parent", "aid_type", "recommended_by")
                 .prefetch_related("attachments")
                 .order_by("recommended_at", "created_at", "pk")[:QUEUE_SIZE])
    for app in queue:
        # Excluding this application: what was asked for or granted besides it, against the cap.
        app.used = actions.used_fen(app.youth_id, app.aid_type_id, app.year, exclude=app.pk)  # type: ignore[attr-defined]
        app.recommended_text = yuan_text(app.recommended_fen or app.requested_fen)  # type: ignore[attr-defined]
    decided = (restrict(Application.objects.filter(decided_at__isnull=False), user, REVIEW)
               .select_related("youth__person", "aid_type", "decided_by").order_by("-decided_at", "-pk")[:30])
    return render(request, "youthaid/review.html", {
        "queue": queue, "decided": decided, "balances": _balances(),
        "waiting_total": sum(a.recommended_fen or a.requested_fen for a in queue),
    })


# --- payment batches --------------------------------------------------------------------------------------------


def _waiting(user: Any) -> Any:
    """Approved applications not yet in a batch (or returned and not re-issued), as do_create_batch
    picks them."""
    return restrict(Application.objects.filter(status=AppStatus.APPROVED), user, PAY).exclude(
        payments__status__in=[PayStatus.PENDING, PayStatus.PAID, PayStatus.RETURNED])


def _batches_step(request: HttpRequest) -> tuple[str, str]:
    if request.POST.get("step") != "create":
        raise KernelError(_("Unknown step."), field="step")
    batch = actions.do_create_batch(title=request.POST.get("title", ""), acting_user=request.user)
    text = _("Batch %(code)s made: %(count)d payments, %(total)s.") % {
        "code": batch.code, "count": batch.count, "total": format_fen(batch.total_fen)}
    waiting = getattr(batch, "without_account", 0)
    if waiting:
        text += " " + _("%(n)d approved applications wait: no bank account is recorded on their cases.") % {
            "n": waiting}
    return text, reverse("youthaid:batch", args=[batch.pk])


@staff_view(PAY)
def batches(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _post(request, lambda: _batches_step(request))
    user = request.user
    mine = restrict(Payment.objects.all(), user, PAY).values("batch_id")
    rows = PaymentBatch.objects.filter(pk__in=mine).select_related("created_by", "paid_by").order_by("-created_at",
                                                                                                   "-pk")[:300]
    waiting = _waiting(user).aggregate(n=Count("pk"), fen=Sum("approved_fen"))
    return render(request, "youthaid/batches.html", {
        "batches": rows, "waiting_count": waiting["n"] or 0, "waiting_fen": waiting["fen"] or 0,
        "default_title": _("Aid payments %(date)s") % {"date": timezone.localdate().isoformat()},
    })


def _batch_payment(batch: PaymentBatch, user: Any, value: str | None) -> int:
    """A payment of this batch in the user's scope (the form names it by id); any other reads as not found."""
    pk = parse_id(value, field="payment")
    if not restrict(Payment.objects.filter(batch=batch, pk=pk), user, PAY).exists():
        raise NotFound()
    return pk


def _batch_step(request: HttpRequest, batch: PaymentBatch) -> str | tuple[str, str]:
    post, user = request.POST, request.user
    step = post.get("step", "")
    if step == "pay":
        already = batch.status == BatchStatus.PAID
        paid = actions.do_pay_batch(batch.pk, acting_user=user)
        if already:
            # A second click or a retried request: the action found the batch paid and paid nobody twice.
            return _("Batch %(code)s was already sent to the bank; nothing was paid twice.") % {"code": paid.code}
        return _("Batch %(code)s sent to the bank: %(count)d payments, %(total)s.") % {
            "code": paid.code, "count": paid.count, "total": format_fen(paid.total_fen)}
    if step == "return":
        payment = actions.do_return_payment(_batch_payment(batch, user, post.get("payment")),
                                            reason=post.get("reason", ""), acting_user=user)
        return _("Payment #%(n)d recorded as returned by the bank; %(amount)s is back in the commitment.") % {
            "n": payment.pk, "amount": format_fen(payment.amount_fen)}
    if step == "reissue":
        new = actions.do_reissue(_batch_payment(batch, user, post.get("payment")), acting_user=user)
        return (_("Re-issued as payment #%(n)d in batch %(code)s.") % {"n": new.pk, "code": new.batch.code},
                reverse("youthaid:batch", args=[new.batch_id]))
    raise KernelError(_("Unknown step."), field="step")


def _batch_xlsx(batch: PaymentBatch, payments: list[Payment]) -> HttpResponse:
    """The batch as a spreadsheet, bank accounts masked: the list to check against the bank's file,
    not the payment order itself (that needs the bank role and goes through the bank's channel)."""
    from openpyxl.styles import Font

    from longcheng.kernel import exports

    book = exports.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = batch.code[:31]
    sheet.append([f"{batch.code} {batch.title}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_("Status"), str(batch.get_status_display())])
    sheet.append([])
    sheet.append(["#", _("Youth"), _("Aid type"), _("Amount"), _("Bank account"), _("Status"),
                  _("Reason for the return")])
    for p in payments:
        sheet.append([p.pk, p.youth.person.name, str(p.aid_type), p.amount_fen / 100,
                      actions.mask_account(p.bank_account), str(p.get_status_display()), p.return_reason])
        sheet.cell(row=sheet.max_row, column=4).number_format = "#,##0.00"
    sheet.append([_("Total"), "", "", sum(p.amount_fen for p in payments) / 100])
    sheet.cell(row=sheet.max_row, column=4).number_format = "#,##0.00"
    for column, width in zip("ABCDEFG", (8, 16, 16, 14, 16, 20, 30), strict=True):
        sheet.column_dimensions[column].width = width
    response = HttpResponse(exports.xlsx_bytes(book),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="youthaid-batch-{batch.code}.xlsx"'
    return response


@staff_view(PAY)
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = PaymentBatch.objects.select_related("created_by", "paid_by").filter(pk=pk).first()
    scoped = restrict(Payment.objects.filter(batch_id=pk), user, PAY)
    if found is None or not scoped.exists():
        raise NotFound()
    if request.method == "POST":
        return _post(request, lambda: _batch_step(request, found))
    payments = list(scoped.select_related("youth__person", "aid_type", "reissued_as__batch").order_by("pk"))
    if request.GET.get("export") == "xlsx":
        return _batch_xlsx(found, payments)
    for p in payments:
        p.masked_account = actions.mask_account(p.bank_account)  # type: ignore[attr-defined]
    return render(request, "youthaid/batch.html", {
        "batch": found, "payments": payments, "in_scope_fen": sum(p.amount_fen for p in payments),
        "partial": len(payments) != found.count,
    })


# --- the fund -------------------------------------------------------------------------------------------------


def _fund_step(request: HttpRequest) -> str:
    post = request.POST
    if post.get("step") != "donate":
        raise KernelError(_("Unknown step."), field="step")
    amount = parse_yuan(post.get("amount", ""), field="amount")
    token = (post.get("token") or "").strip()[:64]
    # The form's token keys the posting: a double-submitted donation is recorded once.
    key = f"youthaid:donate:{token}" if token else None
    actions.do_donate(amount, donor=post.get("donor", ""), acting_user=request.user, idempotency_key=key)
    return _("Donation of %(amount)s recorded.") % {"amount": format_fen(amount)}


@staff_view(VIEW)
def fund(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _post(request, lambda: _fund_step(request))
    user = request.user
    the_fund = actions.youth_fund()
    today = timezone.localdate()
    start, end = today.replace(month=1, day=1), today
    form = StatementForm(request.GET or None, initial={"start": start, "end": end})
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    result = ledger.statement(the_fund, start, end)
    available = ledger.fund_account(the_fund)
    line = next((x for x in result.lines if x.kind == AccountKind.FUND), None)
    # The running balance is kept apart from the postings; it must equal the statement's closing
    # plus whatever was posted after the period: a second, independent check.
    after_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=ledger.SHANGHAI)
    after = (Posting.objects.filter(account=available, at__gte=after_end)
             .aggregate(s=Sum("amount_fen"))["s"] or 0)
    reconcile = None
    if line is not None:
        reconcile = {"line": line, "ok": line.closing_fen == line.opening_fen + line.in_fen - line.out_fen,
                     "after": after, "balance": available.balance_fen,
                     "balance_ok": available.balance_fen == line.closing_fen + after}
    return render(request, "youthaid/fund.html", {
        "fund": the_fund, "balances": _balances(), "paid_total": actions.paid_total(),
        "form": form, "start": start, "end": end, "statement": result, "reconcile": reconcile,
        "can_donate": has_perm(user, FUND), "can_ledger": has_perm(user, "ledger.view"),
        "token": uuid.uuid4().hex, "postings": result.postings[:500], "more": max(len(result.postings) - 500, 0),
    }, status=400 if form.errors else 200)


# --- the aid rules ---------------------------------------------------------------------------------------------


def _rules_step(request: HttpRequest) -> str:
    post = request.POST
    if post.get("step") != "edit":
        raise KernelError(_("Unknown step."), field="step")
    code = post.get("code", "")
    kind = AidType.objects.filter(code=code).first()
    if kind is None:
        raise NotFound()
    values: dict[str, Any] = {
        "min_fen": parse_yuan(post.get("min", ""), field="min_fen"),
        "max_fen": parse_yuan(post.get("max", ""), field="max_fen"),
        "yearly_cap_fen": parse_yuan(post.get("cap", ""), field="yearly_cap_fen"),
        "proof_required": post.get("proof_required") == "on",
        "active": post.get("active") == "on",
    }
    if kind.condition == Condition.HARDSHIP:
        values["grade_amounts"] = {grade: parse_yuan(post.get(f"grade_{grade}", ""), field="grade_amounts")
                                   for grade in ("1", "2", "3")}
    updated = actions.do_update_aid_type(code, acting_user=request.user, reason=post.get("reason", ""), **values)
    return _("The rules of %(type)s are saved.") % {"type": updated}


@staff_view(VIEW)
def rules_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _post(request, lambda: _rules_step(request))
    types = list(AidType.objects.all())
    for kind in types:
        kind.grades = [(g, kind.grade_amounts.get(g)) for g in ("1", "2", "3")]  # type: ignore[attr-defined]
        kind.form = {  # type: ignore[attr-defined]
            "min": yuan_text(kind.min_fen), "max": yuan_text(kind.max_fen), "cap": yuan_text(kind.yearly_cap_fen),
            "grades": [(g, yuan_text(kind.grade_amounts.get(g))) for g in ("1", "2", "3")],
            "hardship": kind.condition == Condition.HARDSHIP,
        }
    return render(request, "youthaid/rules.html", {"types": types, "can_configure": has_perm(request.user, CONFIGURE)})


# --- hope parents ------------------------------------------------------------------------------------------------


def _volunteer_places(user: Any) -> Any:
    return (restrict(Place.objects.filter(level__in=[Level.STREET, Level.COMMUNITY, Level.GRID]), user, MANAGE)
            .select_related("parent").order_by("path"))


def _volunteers_step(request: HttpRequest) -> str:
    post, user = request.POST, request.user
    step = post.get("step", "")
    if step == "register":
        place_pk = parse_id(post["place"], field="place") if post.get("place") else 0
        place = _volunteer_places(user).filter(pk=place_pk).first() if place_pk else None
        if place_pk and place is None:
            raise KernelError(_("This place is outside your scope."), field="place")
        volunteer = actions.do_register_volunteer(name=post.get("name", ""), phone=post.get("phone", ""), place=place,
                                                  occupation=post.get("occupation", ""), acting_user=user)
        return _("%(name)s is registered as a hope parent, awaiting vetting.") % {"name": volunteer.name}
    if step == "vet":
        volunteer = actions.do_vet_volunteer(parse_id(post.get("volunteer"), field="volunteer"), status=post.get("status", ""),
                                             note=post.get("note", ""), acting_user=user)
        return _("%(name)s: %(status)s.") % {"name": volunteer.name, "status": volunteer.get_status_display()}
    raise KernelError(_("Unknown step."), field="step")


@staff_view(VIEW)
def volunteers(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _post(request, lambda: _volunteers_step(request))
    user = request.user
    current = (Pairing.objects.filter(ended_on__isnull=True).select_related("youth__person__place")
               .order_by("started_on"))
    qs = restrict(Volunteer.objects.all(), user, VIEW)
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("pk")))
    status = request.GET.get("status", "")
    if status in VettingStatus.values:
        qs = qs.filter(status=status)
    rows = list(qs.select_related("place__parent")
                .annotate(contact_count=Count("pairings__contacts"))
                .prefetch_related(Prefetch("pairings", queryset=current, to_attr="current"))
                .order_by("status", "name", "pk")[:500])
    for v in rows:
        v.masked_phone = mask_phone(v.phone)  # type: ignore[attr-defined]
        for pairing in v.current:
            pairing.shown_name = _youth_name(user, pairing.youth)  # type: ignore[attr-defined]
    can_manage = has_perm(user, MANAGE)
    return render(request, "youthaid/volunteers.html", {
        "volunteers": rows, "status": status,
        "tabs": [(value, label, counts.get(value, 0)) for value, label in VettingStatus.choices],
        "can_manage": can_manage, "places": list(_volunteer_places(user)[:2000]) if can_manage else [],
        "vet_choices": [(s, VettingStatus(s).label) for s in (VettingStatus.VETTED, VettingStatus.REJECTED,
                                                              VettingStatus.SUSPENDED)],
    })


def _youth_name(user: Any, youth: Any) -> str:
    person = youth.person
    return privacy.show(user, privacy.Kind.MINOR, person.name, person.place.path if person.place else None)


# --- dream rooms ----------------------------------------------------------------------------------------------------


class AdvanceRoomForm(forms.Form):
    """One step of a dream room: where it goes, what was spent (when done) and a note."""

    room = forms.CharField(label=_l("Dream room"))
    to = forms.CharField(label=_l("Step"))
    spent = YuanField(label=_l("Spent"), required=False, allow_zero=False)
    after_note = forms.CharField(label=_l("Note"), required=False, strip=False)


def _rooms_step(request: HttpRequest) -> str:
    if request.POST.get("step") != "advance":
        raise KernelError(_("Unknown step."), field="step")
    form = AdvanceRoomForm(request.POST)
    if not form.is_valid():
        raise refusal(form)
    data = form.cleaned_data
    room = actions.do_advance_room(parse_id(data["room"], field="room"), to=data["to"], spent_fen=data["spent"],
                                   after_note=data["after_note"], acting_user=request.user)
    return _("The dream room of %(name)s: %(status)s.") % {"name": room.youth.person.name,
                                                            "status": room.get_status_display()}


@staff_view(VIEW)
def rooms(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _post(request, lambda: _rooms_step(request))
    user = request.user
    qs = restrict(RoomProject.objects.all(), user, VIEW)
    totals = {row["status"]: row for row in qs.order_by().values("status").annotate(
        n=Count("pk"), budget=Sum("budget_fen"), spent=Sum("spent_fen"))}
    status = request.GET.get("status", "")
    rows = list((qs.filter(status=status) if status in RoomStatus.values else qs)
                .select_related("youth__person__place").order_by("-updated_at", "-pk")[:500])
    can_review = has_perm(user, REVIEW)
    for room in rows:
        room.moves = [(to, RoomStatus(to).label) for to in ROOM_MOVES.get(room.status, ())  # type: ignore[attr-defined]
                      if can_review]
        room.budget_text = yuan_text(room.budget_fen)  # type: ignore[attr-defined]
        # Names and notes about the home through the kernel's policy: an observer sees the name
        # masked and no notes (docs/security.md).
        path = room.youth.person.place.path if room.youth.person.place else None
        room.shown_name = _youth_name(user, room.youth)  # type: ignore[attr-defined]
        room.shown_before = privacy.show(user, privacy.Kind.NOTES, room.before_note, path)  # type: ignore[attr-defined]
        room.shown_after = privacy.show(user, privacy.Kind.NOTES, room.after_note, path)  # type: ignore[attr-defined]
    return render(request, "youthaid/rooms.html", {
        "rooms": rows, "status": status, "can_review": can_review,
        "totals": [(value, label, totals.get(value, {"n": 0, "budget": 0, "spent": 0}))
                   for value, label in RoomStatus.choices],
        "total_n": sum(t["n"] for t in totals.values()),
        "total_budget": sum(t["budget"] or 0 for t in totals.values()),
        "total_spent": sum(t["spent"] or 0 for t in totals.values()),
    })


# --- figures --------------------------------------------------------------------------------------------------------


def _street_of(paths: set[str]) -> dict[str, Place | None]:
    """Each place path's street-level ancestor (the town or street), or None above street level.
    A few thousand streets at most: one query, then prefixes of each path looked up in memory."""
    streets = {p.path: p for p in Place.objects.filter(level=Level.STREET).only("pk", "name", "path", "code")}
    out: dict[str, Place | None] = {}
    for path in paths:
        parts = [c for c in (path or "").split(".") if c]
        found = None
        for i in range(1, len(parts) + 1):
            found = streets.get(".".join(parts[:i]) + ".")
            if found is not None:
                break
        out[path] = found
    return out


def _years(user: Any) -> list[int]:
    apps = restrict(Application.objects.all(), user, VIEW).order_by().values_list("year", flat=True).distinct()
    youths = (restrict(Youth.objects.all(), user, VIEW).order_by().annotate(y=ExtractYear("created_at"))
              .values_list("y", flat=True).distinct())
    return sorted({*apps, *youths}, reverse=True)


def figure_tables(user: Any, year: int | None) -> dict[str, Any]:
    """The report's tables, each from grouped queries over the user's scope. With a year: the aid of
    that aid year, and the cases opened that year."""
    youths = restrict(Youth.objects.all(), user, VIEW)
    if year:
        youths = youths.filter(created_at__year=year)
    paid = restrict(Payment.objects.filter(status=PayStatus.PAID), user, VIEW)
    apps = restrict(Application.objects.all(), user, VIEW)
    if year:
        paid = paid.filter(application__year=year)
        apps = apps.filter(year=year)

    # By town: group by the youth's place, then roll places up to their street.
    by_place = list(youths.order_by().values("person__place__path").annotate(
        n=Count("pk"), active=Count("pk", filter=Q(status=CaseStatus.ACTIVE))))
    paid_by_place = list(paid.order_by().values("youth__person__place__path").annotate(
        aided=Count("youth", distinct=True), fen=Sum("amount_fen")))
    streets = _street_of({r["person__place__path"] or "" for r in by_place}
                         | {r["youth__person__place__path"] or "" for r in paid_by_place})
    towns: dict[Any, dict[str, Any]] = {}

    def town(path: str | None) -> dict[str, Any]:
        street = streets.get(path or "")
        key = street.path if street else ""
        if key not in towns:
            towns[key] = {"name": street.name if street else _("Not in a town"), "youths": 0, "active": 0,
                          "aided": 0, "fen": 0}
        return towns[key]

    for r in by_place:
        row = town(r["person__place__path"])
        row["youths"] += r["n"]
        row["active"] += r["active"]
    for r in paid_by_place:
        row = town(r["youth__person__place__path"])
        row["aided"] += r["aided"]
        row["fen"] += r["fen"] or 0
    town_rows = sorted(towns.values(), key=lambda t: (t["name"] == _("Not in a town"), -t["fen"], t["name"]))

    totals = youths.aggregate(youths=Count("pk"), active=Count("pk", filter=Q(status=CaseStatus.ACTIVE)))
    totals.update(paid.aggregate(aided=Count("youth", distinct=True), fen=Sum("amount_fen")))
    totals["fen"] = totals["fen"] or 0

    # By aid type.
    type_apps = {r["aid_type"]: r for r in apps.order_by().values("aid_type").annotate(
        n=Count("pk"), approved=Count("pk", filter=Q(status__in=[AppStatus.APPROVED, AppStatus.PAID])),
        reaid=Count("pk", filter=Q(is_reaid=True)))}
    type_paid = {r["aid_type"]: r for r in paid.order_by().values("aid_type").annotate(
        aided=Count("youth", distinct=True), fen=Sum("amount_fen"))}
    type_rows = [{"type": kind, "applications": type_apps.get(kind.pk, {}).get("n", 0),
                  "approved": type_apps.get(kind.pk, {}).get("approved", 0),
                  "reaid": type_apps.get(kind.pk, {}).get("reaid", 0),
                  "aided": type_paid.get(kind.pk, {}).get("aided", 0),
                  "fen": type_paid.get(kind.pk, {}).get("fen") or 0} for kind in AidType.objects.all()]

    # By year: cases opened that year, and aid of that aid year.
    year_youths = {r["y"]: r for r in youths.order_by().annotate(y=ExtractYear("created_at")).values("y").annotate(
        n=Count("pk"), active=Count("pk", filter=Q(status=CaseStatus.ACTIVE)))}
    year_apps = {r["year"]: r["n"] for r in apps.order_by().values("year").annotate(n=Count("pk"))}
    year_paid = {r["application__year"]: r for r in paid.order_by().values("application__year").annotate(
        aided=Count("youth", distinct=True), fen=Sum("amount_fen"))}
    type_year = list(paid.order_by().values("application__year", "aid_type").annotate(fen=Sum("amount_fen")))
    years = sorted({*year_youths, *year_apps, *year_paid} - {None})
    year_rows = [{"year": y, "youths": year_youths.get(y, {}).get("n", 0),
                  "active": year_youths.get(y, {}).get("active", 0), "applications": year_apps.get(y, 0),
                  "aided": year_paid.get(y, {}).get("aided", 0), "fen": year_paid.get(y, {}).get("fen") or 0}
                 for y in years]
    return {"towns": town_rows, "totals": totals, "types": type_rows, "years": year_rows, "type_year": type_year}


def figure_charts(tables: dict[str, Any]) -> list[Chart]:
    charts: list[Chart] = []
    towns = [t for t in tables["towns"] if t["fen"]]
    if towns:
        charts.append(Chart(_("Aid paid by town (yuan)"), "bar", [t["name"] for t in towns],
                            {_("yuan"): [t["fen"] / 100 for t in towns]}))
    years = [r["year"] for r in tables["years"] if r["fen"]]
    if years:
        series: dict[str, list[float]] = {}
        for row in tables["types"]:
            kind = row["type"]
            values = [sum(x["fen"] or 0 for x in tables["type_year"]
                          if x["aid_type"] == kind.pk and x["application__year"] == y) / 100 for y in years]
            if any(values):
                series[str(kind)] = values
        charts.append(Chart(_("Aid paid by aid type and year (yuan)"), "bar", [str(y) for y in years], series))
    return charts


@staff_view(VIEW)
def figures(request: HttpRequest) -> HttpResponse:
    user = request.user
    years = _years(user)
    chosen = request.GET.get("year", "")
    year = int(chosen) if chosen.isdigit() and int(chosen) in years else None
    tables = figure_tables(user, year)
    return render(request, "youthaid/figures.html", {
        **tables, "year": year, "year_choices": years,
        "charts": [render_chart(c) for c in figure_charts(tables)],
        "reaided": actions.reaided_count(restrict(Youth.objects.all(), user, VIEW)),
    })
