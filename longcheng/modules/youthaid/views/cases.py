"""The registry's pages: the case worker's list of cases, one case (family, consent, profile, sensitive
data, screening, follow-up, aid, hope parent, dream room, history), the reporter's form with their own
reports, and the proofs of applications. Every change goes through an action in actions.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from longcheng.kernel import privacy, uploads
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import access_object, has_perm, place_in_scope, restrict
from longcheng.kernel.audit.actions import record_read
from longcheng.kernel.audit.display import described
from longcheng.kernel.audit.models import AuditEntry
from longcheng.kernel.errors import KernelError, NotFound, PermissionDenied, parse_id
from longcheng.kernel.forms import refusal, yuan_text
from longcheng.kernel.people.actions import GUARDIAN_CONSENT_AGE, has_consent
from longcheng.kernel.people.models import Consent, Relationship, Resident
from longcheng.kernel.people.validators import mask_name
from longcheng.kernel.places.models import Level, Place
from longcheng.kernel.web.decorators import staff_view

from .. import actions, rules
from ..forms import (
    AdvanceRoomForm,
    AppealForm,
    ApplyForm,
    ConsentForm,
    ContactForm,
    LifeEventForm,
    NoteForm,
    PairForm,
    ProfileForm,
    RecommendForm,
    ReportForm,
    RevealForm,
    RoomForm,
    SensitiveForm,
    UnpairForm,
    VisitForm,
    refused,
)
from ..models import (
    AidType,
    Application,
    AppStatus,
    Attachment,
    CaseStatus,
    Channel,
    Condition,
    Contact,
    ContactKind,
    LifeEventKind,
    Outcome,
    ParentStatus,
    Report,
    Risk,
    RoomStatus,
    Screening,
    Stage,
    VettingStatus,
    Volunteer,
    Youth,
)

VIEW, REPORT, MANAGE, REVIEW = actions.VIEW, actions.REPORT, actions.MANAGE, actions.REVIEW
HEALTH, BANK = actions.HEALTH, actions.BANK
PAGE_SIZE = 100

# Keys of the profile form, as do_update_profile takes them (parents by ID number). Health and bank
# fields are deliberately absent: they go through the separate, permission-checked "sensitive" step.
PROFILE_KEYS = ("risk", "deceased_parent", "parent_died_on", "surviving_parent", "surviving_parent_status",
                "guardian", "stage", "school", "grade", "university_admitted_year", "household_size",
                "monthly_income_fen", "hardship_grade", "needs")
PERSON_KEYS = ("deceased_parent", "surviving_parent", "guardian")

# Which step moves a dream room where, and the permission each needs (mirrors do_advance_room, so
# the page offers only the buttons that can work).
ROOM_MOVES: dict[str, tuple[tuple[str, str], ...]] = {
    RoomStatus.PROPOSED: ((RoomStatus.APPROVED, REVIEW), (RoomStatus.RETURNED, REVIEW), (RoomStatus.REJECTED, REVIEW),
                          (RoomStatus.CANCELLED, MANAGE)),
    RoomStatus.RETURNED: ((RoomStatus.PROPOSED, MANAGE), (RoomStatus.CANCELLED, MANAGE)),
    RoomStatus.APPROVED: ((RoomStatus.IN_PROGRESS, MANAGE), (RoomStatus.CANCELLED, MANAGE)),
    RoomStatus.IN_PROGRESS: ((RoomStatus.DONE, REVIEW), (RoomStatus.CANCELLED, MANAGE)),
}


def _today() -> dt.date:
    return timezone.localdate()


# --- the list of cases ------------------------------------------------------------------------------------


@staff_view(VIEW)
def cases(request: StaffRequest) -> HttpResponse:
    """The case worker's list: cases in scope with their follow-up state, filtered by status, overdue
    visits, town and name."""
    user = request.user
    base = restrict(Youth.objects.all(), user, VIEW)
    counts = dict(base.order_by().values_list("status").annotate(n=Count("pk")))
    overdue_only = request.GET.get("overdue") == "1"
    qs = actions.overdue(user) if overdue_only else base
    status = request.GET.get("status", "")
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    towns = list(restrict(Place.objects.filter(level=Level.STREET), user, VIEW).order_by("path"))
    town = next((t for t in towns if str(t.pk) == request.GET.get("town", "")), None)
    if town is not None:
        qs = qs.filter(person__place__path__startswith=town.path)
    text = request.GET.get("q", "").strip()[:50]
    if text:
        qs = qs.filter(person__name__icontains=text)
    latest = Report.objects.filter(youth=OuterRef("pk"), channel=Channel.REGISTRY).order_by("-created_at", "-pk")
    screened = Screening.objects.filter(youth=OuterRef("pk")).order_by("-at", "-pk")
    qs = (qs.select_related("person__place__parent")
          .annotate(registry_reason=Subquery(latest.values("note")[:1]),
                    last_outcome=Subquery(screened.values("outcome")[:1]))
          .order_by("next_visit_due", "person__name", "pk"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    outcomes = {value: str(label) for value, label in Outcome.choices}
    for youth in page:
        youth.last_outcome_label = outcomes.get(youth.last_outcome or "", "")
        # Through the kernel's policy: an observer sees names masked (docs/security.md).
        youth.display_name = privacy.show(user, privacy.Kind.MINOR, youth.person.name,
                                          youth.person.place.path if youth.person.place else None)
    return render(request, "youthaid/cases.html", {
        "page": page, "today": _today(), "status": status, "overdue_only": overdue_only, "towns": towns,
        "town": town, "q": text,
        "tabs": [(value, label, counts.get(value, 0)) for value, label in CaseStatus.choices],
        "total": sum(counts.values()), "overdue_count": actions.overdue(user).count(),
        "outreach": status == CaseStatus.OUTREACH,
    })


# --- one case -----------------------------------------------------------------------------------------------


def _consent_givers(youth: Youth) -> list[tuple[Resident, str]]:
    """Who may be chosen as giving consent: the youth and their recorded parents and guardians (the
    kernel then enforces PIPL art. 31: a guardian for an under-14)."""
    out: list[tuple[Resident, str]] = [(youth.person, _("the youth"))]
    links = (Relationship.objects.filter(person=youth.person)
             .filter(Q(is_guardian=True) | Q(kind__in=actions.PARENT_KINDS))
             .filter(relative__died_on__isnull=True).select_related("relative").order_by("pk"))
    for link in links:
        label = link.get_kind_display()
        if link.is_guardian:
            label = _("%(kind)s, guardian") % {"kind": label}
        out.append((link.relative, str(label)))
    return out


def _history(youth: Youth) -> Any:
    """The case's audit trail, and the consents recorded on the person (the kernel writes those on
    the resident): what, who, when, why."""
    q = Q(object_type=ContentType.objects.get_for_model(Youth), object_id=str(youth.pk))
    q |= Q(object_type=ContentType.objects.get_for_model(Resident), object_id=str(youth.person_id),
           action__startswith="people.consent")
    # In words (kernel.audit.display): the action's label, "label: value" lines, amounts in yuan.
    return AuditEntry.objects.filter(q).select_related("actor", "object_type").order_by("-at", "-id")[:300]


def _person_line(person: Resident | None, user: Any, *, full_name: bool = True) -> str:
    """A parent or guardian: the name plainly only if they are registered within the user's scope.
    A parent registered elsewhere is linked by ID number, and showing the registry's name for any
    number typed would make the profile form an oracle on the whole city's registry."""
    if person is None:
        return ""
    inside = person.place is not None and place_in_scope(user, VIEW, person.place.path)
    name = person.name if full_name and inside else mask_name(person.name)
    return f"{name} {person.masked_id}"


def _aid_context(youth: Youth, year: int, *, can_health: bool) -> dict[str, Any]:
    """The case's applications and what each aid type may still give this year."""
    applications = list(youth.applications.select_related("aid_type", "recommended_by", "decided_by")
                        .prefetch_related("attachments", "payments__batch").order_by("-created_at", "-pk"))
    entitlements: list[dict[str, Any]] = []
    aid_types = list(AidType.objects.filter(active=True))
    for kind in aid_types:
        used = actions.used_fen(youth.pk, kind.pk, year)
        entitlements.append({"type": kind, "used": used, "limit": rules.yearly_limit(kind, youth.hardship_grade),
                             "left": rules.entitlement(
            kind, stage=youth.stage, university_admitted_year=youth.university_admitted_year,
            serious_illness=youth.serious_illness, hardship_grade=youth.hardship_grade, used_fen=used)})
    if not can_health:
        # A medical application, its entitlement or an illness event would tell a serious illness.
        applications = [a for a in applications if a.aid_type.condition != Condition.SERIOUS_ILLNESS]
        entitlements = [e for e in entitlements if e["type"].condition != Condition.SERIOUS_ILLNESS]
    return {"applications": applications, "aid_types": aid_types, "entitlements": entitlements, "year": year,
            "applied": AppStatus.APPLIED}


def _support_context(youth: Youth, user: Any, *, can_manage: bool) -> dict[str, Any]:
    """The hope parent (now and before), their contacts, and the dream rooms with the moves the user may make."""
    pairing = youth.pairings.filter(ended_on__isnull=True).select_related("volunteer").first()
    rooms = list(youth.rooms.order_by("-created_at", "-pk"))
    for room in rooms:
        room.moves = [(to, RoomStatus(to).label) for to, perm in ROOM_MOVES.get(room.status, ())  # type: ignore[attr-defined]
                      if has_perm(user, perm)]
    return {
        "pairing": pairing,
        "past_pairings": youth.pairings.filter(ended_on__isnull=False).select_related("volunteer")
        .order_by("-ended_on"),
        "contacts": list(Contact.objects.filter(pairing__youth=youth).select_related("pairing__volunteer", "by")[:50]),
        "contact_kinds": ContactKind.choices,
        "volunteers": restrict(Volunteer.objects.filter(status=VettingStatus.VETTED), user, MANAGE).order_by("name")
        if can_manage and pairing is None else [],
        "rooms": rooms,
    }


def _profile_values(youth: Youth) -> dict[str, Any]:
    """The profile form's current values (never the hidden fields)."""
    values = {key: getattr(youth, key) for key in ("risk", "surviving_parent_status", "stage", "school", "grade",
                                                    "needs")}
    values.update(parent_died_on=youth.parent_died_on.isoformat() if youth.parent_died_on else "",
                  university_admitted_year=youth.university_admitted_year or "",
                  household_size=youth.household_size or "", hardship_grade=youth.hardship_grade,
                  monthly_income_fen=yuan_text(youth.monthly_income_fen))
    return values


def _case_context(request: StaffRequest, youth: Youth, revealed: dict[str, Any] | None = None) -> dict[str, Any]:
    user = request.user
    today = _today()
    can_manage = has_perm(user, MANAGE)
    can_health, can_bank, can_review = has_perm(user, HEALTH), has_perm(user, BANK), has_perm(user, REVIEW)
    person = youth.person
    age = person.age(today)
    screenings = list(youth.screenings.select_related("by"))
    full = can_manage or can_review  # those who serve the youth; an observer sees the case masked
    # Names, notes about the youth and their home, through the kernel's policy (docs/security.md):
    # an observer sees names masked and no notes.
    path = person.place.path if person.place else None
    names_plain = privacy.level(user, privacy.Kind.MINOR, path) >= privacy.Level.PLAIN
    sees_notes = privacy.level(user, privacy.Kind.NOTES, path) >= privacy.Level.PLAIN
    consents = list(Consent.objects.filter(subject=person, purpose=actions.PURPOSE).select_related("given_by")
                    .order_by("-given_at"))
    for consent in consents:
        consent.shown_given_by = privacy.show(user, privacy.Kind.MINOR, consent.given_by.name,  # type: ignore[attr-defined]
                                              path)
    visits = list(youth.visits.select_related("by")[:50])
    return {
        "youth": youth, "person": person, "age": age, "today": today,
        "display_name": privacy.show(user, privacy.Kind.MINOR, person.name, path),
        "sees_notes": sees_notes,
        "under_14": age < GUARDIAN_CONSENT_AGE,
        # Parents and guardian by the policy too: those who serve the youth (case worker, reviewer) by
        # name, an observer masked (issue 15, finding 2).
        "deceased": _person_line(youth.deceased_parent, user, full_name=names_plain),
        "surviving": _person_line(youth.surviving_parent, user, full_name=names_plain),
        "guardian_line": _person_line(youth.guardian, user, full_name=names_plain),
        "consent": has_consent(person, actions.PURPOSE),
        "sensitive_consent": has_consent(person, actions.PURPOSE, sensitive=True),
        "consents": consents,
        "givers": _consent_givers(youth) if can_manage else [],
        "values": _profile_values(youth),
        "risks": Risk.choices, "parent_statuses": ParentStatus.choices, "stages": Stage.choices,
        "grades": range(0, 4),
        "can_manage": can_manage, "can_health": can_health, "can_bank": can_bank, "can_review": can_review,
        "revealed": revealed or {},
        "masked_account": actions.mask_account(youth.bank_account),
        "has_health": bool(youth.health_note) or youth.serious_illness,
        "latest": screenings[0] if screenings else None, "screenings": screenings,
        "visits": visits,
        "life_events": (youth.life_events.select_related("by") if can_health else youth.life_events.exclude(
            kind__in=[LifeEventKind.ILLNESS, LifeEventKind.RECOVERED]).select_related("by"))[:50],
        "event_kinds": LifeEventKind.choices,
        **_aid_context(youth, today.year, can_health=can_health),
        **_support_context(youth, user, can_manage=can_manage),
        # The trail names every field and amount; it is for those who serve the youth.
        "history": described(_history(youth), user) if full else [],
        "interval": actions.visit_days(youth.risk),
        "overdue": youth.status == CaseStatus.ACTIVE and youth.next_visit_due is not None
        and youth.next_visit_due < today,
    }


def _own_application(youth: Youth, value: str) -> int:
    """An application of this case (the form names one by id); any other id reads as not found."""
    pk = parse_id(value, field="application")
    if not Application.objects.filter(pk=pk, youth=youth).exists():
        raise NotFound()
    return pk


# --- the case's steps: one url, one form and one view each (cases/<pk>/<step>/) ---------------------------
# A step's form types the inputs (forms.py); the step calls its action with the cleaned values and
# returns revealed values (the reveal step, shown in that response only) or None. The action checks
# the permission, the scope and its rules again.

Run = Callable[[StaffRequest, Youth, Any], "dict[str, Any] | None"]


def _consent(request: StaffRequest, youth: Youth, form: ConsentForm) -> None:
    data = form.cleaned_data
    actions.do_record_consent(youth.pk, given_by=form.givers[data["given_by"]], sensitive=data["sensitive"],
                              acting_user=request.user)


def _profile(request: StaffRequest, youth: Youth, form: ProfileForm) -> None:
    # A field the form did not send is left as it is; an empty parent or guardian keeps the person on
    # record (their ID number is never put in the form).
    values = {key: value for key, value in form.changes(PROFILE_KEYS).items() if value or key not in PERSON_KEYS}
    actions.do_update_profile(youth.pk, acting_user=request.user, reason=form.cleaned_data["reason"], **values)


def _reveal(request: StaffRequest, youth: Youth, form: RevealForm) -> dict[str, Any]:
    return actions.do_reveal(youth.pk, fields=form.cleaned_data["fields"], reason=form.cleaned_data["reason"],
                             acting_user=request.user)


def _sensitive(request: StaffRequest, youth: Youth, form: SensitiveForm) -> None:
    values = form.changes()
    if not values:
        raise KernelError(_("Enter what to record."), code="required", field="sensitive")
    actions.do_update_profile(youth.pk, acting_user=request.user, reason=form.cleaned_data["reason"], **values)


def _screen(request: StaffRequest, youth: Youth, form: NoteForm) -> None:
    actions.do_screen(youth.pk, acting_user=request.user, note=form.cleaned_data["note"])


def _appeal(request: StaffRequest, youth: Youth, form: AppealForm) -> None:
    actions.do_appeal(youth.pk, note=form.cleaned_data["note"], acting_user=request.user)


def _visit(request: StaffRequest, youth: Youth, form: VisitForm) -> None:
    data = form.cleaned_data
    actions.do_record_visit(youth.pk, visited_on=data["visited_on"], situation=data["situation"],
                            risk=data["risk"], needs=data["needs"], acting_user=request.user)


def _life_event(request: StaffRequest, youth: Youth, form: LifeEventForm) -> None:
    data = form.cleaned_data
    actions.do_life_event(youth.pk, kind=data["kind"], on=data["on"], note=data["note"],
                          hardship_grade=data["hardship_grade"], acting_user=request.user)


def _apply(request: StaffRequest, youth: Youth, form: ApplyForm) -> None:
    data = form.cleaned_data
    actions.do_apply(youth.pk, aid_type=data["aid_type"], amount_fen=data["amount"], reason=data["reason"],
                     year=data["year"], attachments=request.FILES.getlist("proof"), acting_user=request.user)


def _recommend(request: StaffRequest, youth: Youth, form: RecommendForm) -> None:
    data = form.cleaned_data
    actions.do_recommend(_own_application(youth, data["application"]), recommend=data["recommend"] == "yes",
                         note=data["note"], amount_fen=data["amount"], acting_user=request.user)


def _pair(request: StaffRequest, youth: Youth, form: PairForm) -> None:
    actions.do_pair(parse_id(form.cleaned_data["volunteer"], field="volunteer"), youth.pk, acting_user=request.user,
                    on=form.cleaned_data["on"])


def _current_pairing(youth: Youth) -> Any:
    pairing = youth.pairings.filter(ended_on__isnull=True).first()
    if pairing is None:
        raise KernelError(_("This youth has no hope parent now."), field="pairing")
    return pairing


def _contact(request: StaffRequest, youth: Youth, form: ContactForm) -> None:
    data = form.cleaned_data
    actions.do_log_contact(_current_pairing(youth).pk, on=data["on"], kind=data["kind"], note=data["note"],
                           acting_user=request.user)


def _unpair(request: StaffRequest, youth: Youth, form: UnpairForm) -> None:
    actions.do_end_pairing(_current_pairing(youth).pk, reason=form.cleaned_data["reason"], acting_user=request.user)


def _room(request: StaffRequest, youth: Youth, form: RoomForm) -> None:
    data = form.cleaned_data
    actions.do_propose_room(youth.pk, budget_fen=data["budget"], contractor=data["contractor"],
                            before_note=data["before_note"], acting_user=request.user)


def _room_advance(request: StaffRequest, youth: Youth, form: AdvanceRoomForm) -> None:
    data = form.cleaned_data
    room = youth.rooms.filter(pk=parse_id(data["room"], field="room")).first()
    if room is None:
        raise NotFound()
    actions.do_advance_room(room.pk, to=data["to"], after_note=data["after_note"], spent_fen=data["spent"],
                            reason=data["reason"], budget_fen=data["budget"], acting_user=request.user)


# The steps by url name (youthaid:case_<name>, at cases/<pk>/<name with dashes>/): the form, the step.
STEPS: dict[str, tuple[type[forms.Form], Run]] = {
    "consent": (ConsentForm, _consent), "profile": (ProfileForm, _profile), "reveal": (RevealForm, _reveal),
    "sensitive": (SensitiveForm, _sensitive), "screen": (NoteForm, _screen), "appeal": (AppealForm, _appeal),
    "visit": (VisitForm, _visit), "life_event": (LifeEventForm, _life_event), "apply": (ApplyForm, _apply),
    "recommend": (RecommendForm, _recommend), "pair": (PairForm, _pair), "contact": (ContactForm, _contact),
    "unpair": (UnpairForm, _unpair), "room": (RoomForm, _room), "room_advance": (AdvanceRoomForm, _room_advance),
}

# Typed values not sent back into the page: ID numbers and bank account numbers are only ever shown
# masked (kernel.privacy), even the user's own typing.
NOT_ECHOED = ("csrfmiddlewaretoken", *PERSON_KEYS, "bank_account")


def _step_form(name: str, request: StaffRequest, youth: Youth) -> forms.Form:
    form_class = STEPS[name][0]
    if form_class is ConsentForm:
        return ConsentForm(request.POST, givers=[person for person, _label in _consent_givers(youth)])
    return form_class(request.POST)


def _typed(form: forms.Form) -> dict[str, Any]:
    """What the user typed into the refused form, to show it again."""
    data: Any = form.data  # the request's QueryDict
    return {key: data.getlist(key) if key == "fields" else data.get(key, "") for key in data if key not in NOT_ECHOED}


def _case_youth(request: StaffRequest, pk: int) -> Youth:
    queryset = Youth.objects.select_related("person__place__parent", "deceased_parent", "surviving_parent",
                                            "guardian", "case_worker")
    return access_object(Youth, request.user, pk, VIEW, queryset=queryset)


def step_view(name: str) -> Callable[[HttpRequest, int], HttpResponse]:
    """The view of one step: POST only; a refusal is the case page again with a message naming the
    field and the rule and the typed values kept, having written nothing; out of scope stays a 404."""
    run = STEPS[name][1]

    @staff_view(VIEW)
    @require_POST
    def view(request: StaffRequest, pk: int) -> HttpResponse:
        youth = _case_youth(request, pk)
        form = _step_form(name, request, youth)
        try:
            if not form.is_valid():
                raise refusal(form)
            revealed = run(request, youth, form)
        except KernelError as error:
            if error.status == 404:
                raise
            messages.error(request, refused(error, form))
            typed = _typed(form)
            context = {**_case_context(request, youth), "typed": {name: typed}}
            if name == "profile":  # the profile form shows the current values: the typed ones instead
                context["values"] = {**context["values"], **typed}
            status = error.status if error.status in (400, 403, 409, 422) else 400
            return render(request, "youthaid/case.html", context, status=status)
        if revealed is not None:
            # Shown in this response only: a reload shows the masked values again.
            return render(request, "youthaid/case.html", _case_context(request, youth, revealed))
        messages.success(request, _("Saved."))
        return redirect(reverse("youthaid:case", args=[youth.pk]))

    view.__name__ = view.__qualname__ = f"case_{name}"
    return view


@staff_view(VIEW)
def case(request: StaffRequest, pk: int) -> HttpResponse:
    """One case; each of its forms posts to its own step (STEPS), the action checks permission and scope."""
    return render(request, "youthaid/case.html", _case_context(request, _case_youth(request, pk)))


# --- reporting ------------------------------------------------------------------------------------------------


REPORT_CHANNELS = [(value, label) for value, label in Channel.choices if value != Channel.REGISTRY]


@staff_view(REPORT)
def report(request: StaffRequest) -> HttpResponse:
    """The reporter's form and their own reports, nothing of anyone else's and nothing more of the
    case than its status."""
    user: Any = request.user
    values = {"resident_id": "", "name": "", "channel": "", "note": ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST)
        values = {key: str(form.data.get(key, "")).strip() for key in values}  # kept when refused
        try:
            if not form.is_valid():
                raise refusal(form)
            done = actions.do_report(**form.cleaned_data, acting_user=user)
        except KernelError as error:
            field = error.field if error.field in values else "form"
            # Shown next to its field, and naming it ("你看到的情况：至少 4 个字"), as every form's refusal does.
            errors[field] = refused(error, form)
            status = error.status if error.status in (400, 403, 404, 409) else 400
        else:
            messages.success(request, _("Thank you: the report on %(name)s is recorded.") % {
                "name": done.youth.person.name})
            return redirect(request.path)
    mine = (Report.objects.filter(reporter=user).select_related("youth__person").order_by("-created_at", "-pk")[:300])
    return render(request, "youthaid/report.html", {
        "channels": REPORT_CHANNELS, "values": values, "errors": errors, "reports": mine,
    }, status=status)


# --- proofs -------------------------------------------------------------------------------------------------


@staff_view(VIEW)
def attachment(request: StaffRequest, pk: int) -> HttpResponseBase:
    """A proof file, for someone who may see the case. Hospital bills are health data: they need the
    health role, and each opening is audited."""
    user = request.user
    found = Attachment.objects.select_related("application__aid_type").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    youth = access_object(Youth, user, found.application.youth_id, VIEW,
                          queryset=Youth.objects.select_related("person__place"))
    if found.application.aid_type.condition == Condition.SERIOUS_ILLNESS:
        place = youth.person.place
        if place is None or not place_in_scope(user, HEALTH, place.path):
            raise PermissionDenied(_("Medical proofs are health data; your role may not open them."))
        record_read(user, youth, ["attachment"], reason=_("opened proof %(name)s") % {"name": found.name})
    try:
        return uploads.download(found.file, found.name, acting_user=user, action="youthaid.download", obj=found,
                                after={"application": found.application_id, "youth": youth.pk})
    except (FileNotFoundError, ValueError):
        raise NotFound() from None
