"""Pages for running the platform: staff, roles within places, passwords, two-factor sign-in.
Views parse, authorise and call the actions in `actions.py` / `twofactor.py`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from longcheng.kernel import registry
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.errors import KernelError
from longcheng.kernel.places.models import Place
from longcheng.kernel.web.decorators import staff_view
from longcheng.kernel.web.views import attach_error

from . import actions, twofactor
from .forms import AssignForm, ImportForm, ReasonForm, StaffFilterForm, StaffForm, TokenForm, place_label
from .models import RoleAssignment, User

MANAGE = actions.MANAGE
# Places the chooser's list holds at once: a district's tree at most, never a city's grid cells.
CHOOSER_SIZE = 300


def place_choices(actor: Any, q: str = "", limit: int = CHOOSER_SIZE) -> list[tuple[str, str]]:
    """(code, whole path) of at most `limit` places the actor manages, for the chooser: those whose
    name contains `q` or whose code starts with it, else the top of the actor's tree (the places
    nearest its top first). Only these places and their ancestors are read, never the whole tree;
    the chooser asks again (`/api/v1/access/places?q=`) as the person types."""
    qs = actions.places_to_manage(actor)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    places = sorted(qs.order_by("depth", "path").values_list("code", "path")[:limit], key=lambda p: p[1])
    prefixes = {path[: i + 1] for _code, path in places for i, ch in enumerate(path) if ch == "."}
    names = dict(Place.objects.filter(path__in=prefixes).values_list("path", "name"))
    out = []
    for code, path in places:
        chain = [names.get(prefix, "") for prefix in sorted((p for p in prefixes if path.startswith(p)), key=len)]
        out.append((code, " / ".join(n for n in chain if n)))
    return out


def _roles_label(code: str) -> str:
    role = registry.roles().get(code)
    return str(role.label) if role else code


@staff_view(MANAGE)
def staff_list(request: HttpRequest) -> HttpResponse:
    roles = [(code, str(role.label)) for code, role in registry.roles().items()]
    form = StaffFilterForm(request.GET or None, roles=roles)
    qs = actions.filter_staff(request.user, **form.cleaned_data) if form.is_valid() else \
        actions.filter_staff(request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "access/staff_list.html", {
        "form": form, "page": page, "place_choices": place_choices(request.user)})


@staff_view(MANAGE)
def staff_new(request: StaffRequest) -> HttpResponse:
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.do_create_staff(acting_user=request.user, **form.cleaned_data)
        except KernelError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("Account created."))
            return redirect("access:staff_detail", pk=user.pk)
    return render(request, "access/staff_form.html", {"form": form, "place_choices": place_choices(request.user)},
                  status=400 if form.errors else 200)


@staff_view(MANAGE)
def staff_detail(request: StaffRequest, pk: int) -> HttpResponse:
    person = actions.get_staff(request.user, pk)
    edit_form = StaffForm(request.POST if request.POST.get("form") == "edit" else None, editing=True,
                          initial={"display_name": person.display_name, "phone": person.phone,
                                   "place": f"{place_label(person.place)} ({person.place.code})" if person.place else ""})
    assign_form = AssignForm(request.POST if request.POST.get("form") == "assign" else None, actor=request.user)
    if request.method == "POST":
        if request.POST.get("form") == "edit" and edit_form.is_valid():
            try:
                actions.do_update_staff(person, acting_user=request.user, **edit_form.cleaned_data)
            except KernelError as error:
                attach_error(edit_form, error)
            else:
                messages.success(request, _("Account saved."))
                return redirect("access:staff_detail", pk=person.pk)
        elif request.POST.get("form") == "assign" and assign_form.is_valid():
            try:
                actions.do_assign_role(person, role=assign_form.cleaned_data["role"],
                                       places=assign_form.cleaned_data["places"], ends_at=assign_form.ends_at(),
                                       reason=assign_form.cleaned_data["reason"], acting_user=request.user)
            except KernelError as error:
                attach_error(assign_form, error)
            else:
                messages.success(request, _("Role granted."))
                return redirect("access:staff_detail", pk=person.pk)
    assignments = [
        {"a": a, "label": _roles_label(a.role), "active": a.in_force,
         "places": [p for p in a.places.all()]}
        for a in RoleAssignment.objects.filter(user=person).prefetch_related("places").order_by("role")
    ]
    failed = bool(edit_form.errors or assign_form.errors)
    return render(request, "access/staff_detail.html", {
        "person": person, "edit_form": edit_form, "assign_form": assign_form, "assignments": assignments,
        "reason_form": ReasonForm(auto_id="id_signin_%s"), "place_choices": place_choices(request.user),
        "has_totp": twofactor.confirmed_device(person) is not None,
        "needs_totp": twofactor.requires_two_factor(person),
    }, status=400 if failed else 200)


def _post_action(request: HttpRequest, pk: int, run: Any, done: str) -> HttpResponse:
    person = actions.get_staff(request.user, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        run(person, reason)
    except KernelError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, done)
    return redirect("access:staff_detail", pk=person.pk)


@require_POST
@staff_view(MANAGE)
def staff_deactivate(request: StaffRequest, pk: int) -> HttpResponse:
    return _post_action(request, pk, lambda p, r: actions.do_deactivate_staff(p, reason=r, acting_user=request.user),
                        _("Account deactivated: its sessions and API tokens no longer work."))


@require_POST
@staff_view(MANAGE)
def staff_reactivate(request: StaffRequest, pk: int) -> HttpResponse:
    return _post_action(request, pk, lambda p, r: actions.do_reactivate_staff(p, reason=r, acting_user=request.user),
                        _("Account reactivated."))


@require_POST
@staff_view(MANAGE)
def staff_reset_password(request: StaffRequest, pk: int) -> HttpResponse:
    base = request.build_absolute_uri("/")
    return _post_action(
        request, pk, lambda p, r: actions.do_reset_password(p, base_url=base, reason=r, acting_user=request.user),
        _("Password reset: a one-time link was sent to the account's phone."))


@require_POST
@staff_view(MANAGE)
def staff_remove_totp(request: StaffRequest, pk: int) -> HttpResponse:
    return _post_action(request, pk, lambda p, r: twofactor.do_remove_totp(p, reason=r, acting_user=request.user),
                        _("Authenticator removed: the person enrols a new one at next sign-in."))


@require_POST
@staff_view(MANAGE)
def assignment_end(request: StaffRequest, pk: int) -> HttpResponse:
    assignment = actions.get_assignment(request.user, pk)
    form = ReasonForm(request.POST)
    try:
        actions.do_end_assignment(assignment, reason=form.cleaned_data["reason"] if form.is_valid() else "",
                                  acting_user=request.user)
    except KernelError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Role taken away."))
    return redirect("access:staff_detail", pk=assignment.user_id)


@staff_view(MANAGE)
def staff_import(request: StaffRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = actions.read_import_rows(form.cleaned_data["file"].read())
            report = actions.do_import_staff(rows, base_url=request.build_absolute_uri("/"), acting_user=request.user)
        except KernelError as error:
            attach_error(form, error)
        else:
            if report["applied"]:
                messages.success(request, _("Imported %(n)d rows.") % {"n": len(report["rows"])})
    failed = bool(form.errors) or (report is not None and not report["applied"])
    return render(request, "access/staff_import.html", {"form": form, "report": report,
                                                        "columns": actions.IMPORT_COLUMNS},
                  status=400 if failed else 200)


# --- one's own sign-in ------------------------------------------------------------------------------
@staff_view(None)
def password_change(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = PasswordChangeForm(user, request.POST or None)  # checks the old password and the validators
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_change_password(user, new_password=form.cleaned_data["new_password1"], acting_user=user)
        except KernelError as error:
            attach_error(form, error)
        else:
            update_session_auth_hash(request, user)  # stay signed in here; other sessions end
            messages.success(request, _("Your password was changed."))
            return redirect("web:home")
    return render(request, "access/password_change.html", {"form": form, "forced": user.must_change_password},
                  status=400 if form.errors else 200)


def password_set(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The one-time link of an administrator's reset; no sign-in needed (the token is the proof)."""
    try:
        user = get_user_model()._default_manager.get(pk=force_str(urlsafe_base64_decode(uidb64)), is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "access/password_set.html", {"invalid": True}, status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_set_password_by_link(user, new_password=form.cleaned_data["new_password1"])
        except KernelError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("Your password is set. Sign in with it."))
            return redirect("web:login")
    return render(request, "access/password_set.html", {"form": form}, status=400 if form.errors else 200)


@staff_view(None)
def twofactor_setup(request: StaffRequest) -> HttpResponse:
    device = twofactor.pending_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = twofactor.do_enrol_totp(request.user, token=form.cleaned_data["token"],
                                             acting_user=request.user)
        except KernelError as error:
            attach_error(form, error)
        else:
            otp_login(request, device)
            messages.success(request, _("Your authenticator is set up."))
            return redirect("web:home")
    return render(request, "access/twofactor_setup.html", {
        "form": form, "qr": twofactor.qr_svg(device), "key": twofactor.manual_key(device)},
        status=400 if form.errors else 200)


@staff_view(None)
def twofactor_verify(request: HttpRequest) -> HttpResponse:
    if twofactor.confirmed_device(request.user) is None:
        return render(request, "access/twofactor_verify.html", {"form": None})
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = twofactor.verify(request.user, form.cleaned_data["token"])
        except KernelError as error:
            attach_error(form, error)
        else:
            otp_login(request, device)
            target = request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = ""
            return redirect(target or "web:home")
    return render(request, "access/twofactor_verify.html", {"form": form}, status=400 if form.errors else 200)
