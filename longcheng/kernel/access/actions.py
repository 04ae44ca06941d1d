"""Running the platform: staff accounts, role assignments, passwords.

Every change is an action with its audit row in one transaction. Administrators are scoped like
everyone else: an administrator manages the accounts whose home place lies within their own
`access.manage` scope, and can grant a role only at places where they hold every permission of that
role themselves ("no account can grant a role or a place it does not itself hold").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from longcheng.kernel import registry, tables
from longcheng.kernel.audit import actions as audit
from longcheng.kernel.errors import Conflict, ErrorCode, KernelError, NotFound, PermissionDenied
from longcheng.kernel.notify.api import queue_message
from longcheng.kernel.places.codes import place_by_code, places_by_codes, split_codes
from longcheng.kernel.places.models import Place

from .models import ApiToken, RoleAssignment, User, in_force_q
from .scope import ALL, is_city_wide, path_q, place_in_scope, scope_paths

MANAGE = "access.manage"
USERNAME_MAX = 150


# --- who manages whom -------------------------------------------------------------------------------
def manage_paths(actor: Any) -> tuple[str, ...]:
    return scope_paths(actor, MANAGE)


def staff_queryset(actor: Any) -> QuerySet[User]:
    """The accounts `actor` may see and manage (empty without `access.manage`)."""
    paths = manage_paths(actor)
    qs = User.objects.filter(resident__isnull=True)  # family accounts are not staff
    if not paths:
        return qs.none()
    if paths == ALL:
        return qs
    q = path_q("place__path", paths)
    if is_city_wide(paths):  # accounts without a home place belong to the whole city
        q |= Q(place__isnull=True)
    # Only a superuser manages a superuser.
    return qs.filter(q, is_superuser=False)


def filter_staff(actor: Any, *, q: str = "", role: str = "", place: str = "", status: str = "") -> QuerySet[User]:
    """The staff list of the page and the API: the accounts `actor` manages, narrowed by a search
    text (username or name), a role in force, a home place within the actor's places (by code or
    chooser label; one outside them finds nobody) and a status ("active" / "inactive")."""
    qs = staff_queryset(actor).select_related("place").order_by("username")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    if role:
        qs = qs.filter(in_force_q("role_assignments__"), role_assignments__role=role).distinct()
    if place:
        codes = split_codes(place)
        found = places_to_manage(actor).filter(code=codes[0]).first() if len(codes) == 1 else None
        qs = qs.filter(place__path__startswith=found.path) if found else qs.none()
    if status in ("active", "inactive"):
        qs = qs.filter(is_active=status == "active")
    return qs


def get_staff(actor: Any, pk: Any) -> User:
    """Fetch and authorise in one call: outside the scope, the same not-found as a missing id."""
    try:
        return staff_queryset(actor).select_related("place").get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def places_to_manage(actor: Any) -> QuerySet[Place]:
    paths = manage_paths(actor)
    if not paths:
        return Place.objects.none()
    return Place.objects.filter(path_q("path", paths))


def _require_manage(actor: Any) -> None:
    if not manage_paths(actor):
        raise PermissionDenied()


def _require_place(actor: Any, place: Place | None, field: str) -> None:
    if place is None:
        if not is_city_wide(manage_paths(actor)):
            raise KernelError(_("Choose the place the account belongs to."), code=ErrorCode.REQUIRED, field=field)
        return
    if not place_in_scope(actor, MANAGE, place.path):
        raise PermissionDenied(_("%(place)s is outside the places you manage.") % {"place": place.name},
                               field=field)


def _snapshot(user: User) -> dict[str, Any]:
    return {"username": user.username, "display_name": user.display_name, "phone": user.phone,
            "place": user.place.code if user.place_id and user.place else None, "is_active": user.is_active}


def _assignment_snapshot(a: RoleAssignment) -> dict[str, Any]:
    return {"user": a.user.username, "role": a.role, "places": sorted(p.code for p in a.places.all()),
            "ends_at": a.ends_at.isoformat() if a.ends_at else None, "reason": a.reason}


def _check_password(password: str, user: User | None, field: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise KernelError(" ".join(str(m) for m in exc.messages), code="weak_password", field=field) from exc


def _revoke_tokens(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- accounts ---------------------------------------------------------------------------------------
@transaction.atomic
def do_create_staff(*, username: str, display_name: str = "", phone: str = "", place: Place | None = None,
                    password: str = "", acting_user: User) -> User:
    """A new staff account. With an initial password, the person must change it at first sign-in;
    without one, the account cannot sign in until a reset link is used."""
    _require_manage(acting_user)
    username = (username or "").strip()
    if not username:
        raise KernelError(_("A username is required."), code=ErrorCode.REQUIRED, field="username")
    if len(username) > USERNAME_MAX or not all(c.isalnum() or c in "@.+-_" for c in username):
        raise KernelError(_("Use letters, digits and @ . + - _ only in a username."), field="username")
    _require_place(acting_user, place, "place")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("The username %(username)s is taken.") % {"username": username}, field="username")
    user = User(username=username, display_name=(display_name or "").strip()[:100], phone=(phone or "").strip()[:20],
                place=place)
    if password:
        _check_password(password, user, "password")
        user.set_password(password)
        user.must_change_password = True
    else:
        user.set_unusable_password()
    user.save()
    audit.record(acting_user, "access.staff.create", user, after=_snapshot(user))
    return user


@transaction.atomic
def do_update_staff(user: User, *, display_name: str, phone: str = "", place: Place | None = None,
                    acting_user: User) -> User:
    user = get_staff(acting_user, user.pk)
    _require_place(acting_user, place, "place")
    before = _snapshot(user)
    user.display_name = (display_name or "").strip()[:100]
    user.phone = (phone or "").strip()[:20]
    user.place = place
    user.save(update_fields=["display_name", "phone", "place"])
    audit.record(acting_user, "access.staff.update", user, before=before, after=_snapshot(user))
    return user


@transaction.atomic
def do_deactivate_staff(user: User, *, reason: str = "", acting_user: User) -> User:
    """A leaver: the account can no longer sign in, its session stops working on its next request
    (Django's backend refuses inactive users when it loads the session's user) and its API tokens
    are revoked (the token check also requires an active user)."""
    user = get_staff(acting_user, user.pk)
    if user.pk == getattr(acting_user, "pk", None):
        raise KernelError(_("You cannot deactivate your own account."), code=ErrorCode.CONFLICT, field="user")
    before = _snapshot(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    revoked = _revoke_tokens(user)
    audit.record(acting_user, "access.staff.deactivate", user, before=before,
                 after={**_snapshot(user), "tokens_revoked": revoked}, reason=reason)
    return user


@transaction.atomic
def do_reactivate_staff(user: User, *, reason: str = "", acting_user: User) -> User:
    user = get_staff(acting_user, user.pk)
    before = _snapshot(user)
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record(acting_user, "access.staff.reactivate", user, before=before, after=_snapshot(user), reason=reason)
    return user


# --- roles ------------------------------------------------------------------------------------------
def grantable_roles(actor: Any) -> list[tuple[str, str]]:
    """Roles worth offering in a form: the actor holds each of their permissions somewhere. The
    action checks the exact places."""
    if not manage_paths(actor):
        return []
    return [(code, str(role.label)) for code, role in registry.roles().items()
            if all(scope_paths(actor, perm) for perm in role.permissions)]


@transaction.atomic
def do_assign_role(user: User, *, role: str, places: Iterable[Place], ends_at: dt.datetime | None = None,
                   reason: str = "", acting_user: User) -> RoleAssignment:
    """Give `user` the role within `places` (replacing the places of an assignment the user already
    has for that role). `ends_at`: temporary duty, nothing is granted from then on."""
    user = get_staff(acting_user, user.pk)
    if not user.is_active:
        raise KernelError(_("The account is deactivated."), code=ErrorCode.CONFLICT, field="user")
    role_def = registry.roles().get(role)
    if role_def is None:
        raise KernelError(_("Unknown role."), field="role")
    chosen = list({p.pk: p for p in places}.values())
    if not chosen:
        raise KernelError(_("Choose at least one place."), code=ErrorCode.REQUIRED, field="places")
    for place in chosen:
        if not place_in_scope(acting_user, MANAGE, place.path):
            raise PermissionDenied(_("%(place)s is outside the places you manage.") % {"place": place.name},
                                   field="places")
        missing = sorted(perm for perm in role_def.permissions if not place_in_scope(acting_user, perm, place.path))
        if missing:
            raise PermissionDenied(
                _("You cannot grant %(role)s at %(place)s: you do not hold %(perms)s there yourself.")
                % {"role": role_def.label, "place": place.name, "perms": ", ".join(missing)}, field="role")
    if ends_at is not None and ends_at <= timezone.now():
        raise KernelError(_("The end must lie in the future."), code=ErrorCode.INVALID_DATE, field="ends_at")
    assignment = RoleAssignment.objects.select_for_update().filter(user=user, role=role).first()
    before = None
    if assignment is not None:
        before = _assignment_snapshot(assignment)
        # Replacing places the actor does not manage would take a grant away behind another's back.
        foreign = [p for p in assignment.places.all() if not place_in_scope(acting_user, MANAGE, p.path)]
        if foreign and assignment.in_force:
            raise PermissionDenied(_("This role is also held at places you do not manage."), field="places")
        assignment.ends_at = ends_at
        assignment.reason = (reason or "").strip()[:200]
        assignment.granted_by = acting_user if getattr(acting_user, "pk", None) else None
        assignment.save(update_fields=["ends_at", "reason", "granted_by"])
    else:
        assignment = RoleAssignment.objects.create(
            user=user, role=role, ends_at=ends_at, reason=(reason or "").strip()[:200],
            granted_by=acting_user if getattr(acting_user, "pk", None) else None)
    assignment.places.set(chosen)
    audit.record(acting_user, "access.role.assign", assignment, before=before,
                 after=_assignment_snapshot(assignment), reason=reason)
    return assignment


def get_assignment(actor: Any, pk: Any) -> RoleAssignment:
    try:
        assignment = RoleAssignment.objects.select_related("user").get(pk=pk)
    except (RoleAssignment.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc
    get_staff(actor, assignment.user_id)  # outside the actor's accounts: not found
    return assignment


@transaction.atomic
def do_end_assignment(assignment: RoleAssignment, *, reason: str = "", acting_user: User) -> RoleAssignment:
    """Take a role away now. The row stays (ended) so the record shows who held what and when."""
    assignment = get_assignment(acting_user, assignment.pk)
    foreign = [p.name for p in assignment.places.all() if not place_in_scope(acting_user, MANAGE, p.path)]
    if foreign:
        raise PermissionDenied(_("This role is also held at places you do not manage: %(places)s.")
                               % {"places": "、".join(foreign)}, field="places")
    before = _assignment_snapshot(assignment)
    now = timezone.now()
    if assignment.ends_at is None or assignment.ends_at > now:
        assignment.ends_at = now
    assignment.reason = (reason or assignment.reason).strip()[:200]
    assignment.save(update_fields=["ends_at", "reason"])
    audit.record(acting_user, "access.role.end", assignment, before=before, after=_assignment_snapshot(assignment),
                 reason=reason)
    return assignment


# --- passwords --------------------------------------------------------------------------------------
@transaction.atomic
def do_change_password(user: User, *, new_password: str, acting_user: User) -> User:
    """A person sets their own password (the old one was checked by the form)."""
    if getattr(acting_user, "pk", None) != user.pk:
        raise PermissionDenied()
    _check_password(new_password, user, "new_password1")
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(acting_user, "access.password_change", user)
    return user


def reset_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    # Django's token hashes the password and last sign-in: it stops working once used.
    return reverse("access:password_set", args=[uid, default_token_generator.make_token(user)])


@transaction.atomic
def do_reset_password(user: User, *, base_url: str = "", reason: str = "", acting_user: User) -> Any:
    """An administrator's reset: the old password stops working at once, a one-time link goes to the
    person's phone through the notify outbox, and they must set a new password before anything else."""
    user = get_staff(acting_user, user.pk)
    if not user.is_active:
        raise KernelError(_("The account is deactivated."), code=ErrorCode.CONFLICT, field="user")
    if not user.phone:
        raise KernelError(_("The account has no phone number to send the link to."), code=ErrorCode.REQUIRED,
                          field="phone")
    user.set_unusable_password()
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    link = base_url.rstrip("/") + reset_link(user)
    message = queue_message(
        "sms", to_user=user, address=user.phone, related=user,
        subject=_("Set your Longcheng password"),
        body=_("Your Longcheng password was reset by an administrator. Set a new one (the link works once): "
               "%(link)s") % {"link": link})
    audit.record(acting_user, "access.password.reset", user, after={"message": message.pk}, reason=reason)
    return message


@transaction.atomic
def do_set_password_by_link(user: User, *, new_password: str) -> User:
    _check_password(new_password, user, "new_password1")
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(user, "access.password.set_by_link", user)
    return user


# --- bulk import ------------------------------------------------------------------------------------
IMPORT_COLUMNS = ["username", "display_name", "phone", "place", "role", "role_places", "ends_on", "reason"]


IMPORT_HEADERS = {**{c: c for c in IMPORT_COLUMNS}, "用户名": "username", "姓名": "display_name", "手机": "phone",
                  "地点代码": "place", "角色": "role", "角色地点": "role_places", "截止日期": "ends_on", "理由": "reason"}


def read_import_rows(data: bytes) -> tables.TableRows:
    """The rows of an XLSX sheet whose first row names the columns (IMPORT_COLUMNS, or in Chinese)."""
    return tables.read_table(data, headers=IMPORT_HEADERS, required=("username",), defaults={"username": "username"})


def _end_of_day(day: dt.date) -> dt.datetime:
    """`ends_on` is the last day of duty: the assignment ends at the following midnight, local time."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def _import_row(row: dict[str, str], acting_user: User, base_url: str) -> str:
    username = row.get("username", "")
    existing = User.objects.filter(username__iexact=username).first() if username else None
    if existing is not None:
        user = get_staff(acting_user, existing.pk)
        outcome = "existing"
    else:
        place = place_by_code(row.get("place", ""), field="place")
        user = do_create_staff(username=username, display_name=row.get("display_name", ""),
                               phone=row.get("phone", ""), place=place, acting_user=acting_user)
        outcome = "created"
        if user.phone:
            # The new account has no password: its one-time link goes out with the import (after commit).
            do_reset_password(user, base_url=base_url, reason=_("Imported account"), acting_user=acting_user)
            outcome += "+link"
    if row.get("role"):
        field = "role_places" if row.get("role_places") else "place"
        places = places_by_codes(row.get("role_places") or row.get("place", ""), field=field)
        ends_at = None
        if row.get("ends_on"):
            try:
                ends_at = _end_of_day(dt.date.fromisoformat(row["ends_on"][:10]))
            except ValueError as exc:
                raise KernelError(_("Write the end date as YYYY-MM-DD."), code=ErrorCode.INVALID_DATE,
                                  field="ends_on") from exc
        do_assign_role(user, role=row["role"], places=places, ends_at=ends_at, reason=row.get("reason", ""),
                       acting_user=acting_user)
        outcome += "+role"
    return outcome


def do_import_staff(rows: list[dict[str, str]], *, base_url: str = "", acting_user: User) -> dict[str, Any]:
    """All or nothing: every row goes through the same actions as the pages (each in a savepoint, so
    a refused row leaves no trace); if any row is refused, the whole import is rolled back and the
    report lists each row's outcome or refusal. Row numbers are the sheet's (the header is row 1)."""
    _require_manage(acting_user)
    report: list[dict[str, Any]] = []
    with transaction.atomic():
        for number, row in tables.numbered(rows):
            try:
                with transaction.atomic():
                    outcome = _import_row(row, acting_user, base_url)
            except KernelError as error:
                report.append({"row": number, "username": row.get("username", ""), "ok": False, **error.as_dict()})
            else:
                report.append({"row": number, "username": row.get("username", ""), "ok": True, "outcome": outcome})
        failed = [r for r in report if not r["ok"]]
        if failed:
            transaction.set_rollback(True)
    return {"applied": not failed and bool(rows), "rows": report, "failed": len(failed)}


# --- API tokens ---------------------------------------------------------------------------------------
def do_issue_token(user: User, *, name: str, days: int | None = None, acting_user: User) -> tuple[ApiToken, str]:
    """A token for `user` (who must be the one acting: nobody issues tokens for another account).
    Returns the token and its raw value, which is shown once; only its hash is kept."""
    if acting_user is None or acting_user.pk != user.pk:
        raise NotFound()
    name = token_name(name, days)
    with transaction.atomic():
        token, raw = ApiToken.issue(user, name, days=days)
        audit.record(acting_user, "access.token_issue", token,
               after={"name": name, "prefix": token.prefix, "expires_at": token.expires_at.isoformat()})
    return token, raw


def token_name(name: str, days: int | None) -> str:
    """A new token's name, stripped, and its lifetime checked: the rules of every token, one's own or
    a gateway's (kernel.telemetry.gateways). Refusals name their field."""
    name = (name or "").strip()
    if not name:
        raise KernelError(_("Give the token a name, e.g. the program that will use it."),
                          code=ErrorCode.REQUIRED, field="name")
    if len(name) > 100:
        raise KernelError(_("At most %(n)d characters.") % {"n": 100}, field="name")
    if days is not None and not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise KernelError(_("A token lasts between 1 and %(n)d days.") % {"n": settings.API_TOKEN_MAX_DAYS},
                          field="days")
    return name


def tokens_of(user: Any) -> list[ApiToken]:
    """One's own tokens, newest first (revoked and expired ones too, so one can see what happened)."""
    return list(ApiToken.objects.filter(user_id=user.pk).order_by("-created_at", "-pk"))


def do_revoke_token(token_id: int, *, acting_user: User) -> ApiToken:
    """Revoke one of one's own tokens; another account's token is 'not found', as if it did not exist."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user_id=acting_user.pk).first()
        if token is None:
            raise NotFound()
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(acting_user, "access.token_revoke", token, after={"prefix": token.prefix})
    return token
