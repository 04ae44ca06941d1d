from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from longcheng.kernel import registry
from longcheng.kernel.access.models import RoleAssignment
from longcheng.kernel.access.scope import has_perm
from longcheng.kernel.notify.api import unread_count


def public_landing(request: HttpRequest) -> str | None:
    """The URL of the page a public-side user (every role they hold declares the same landing) starts
    on; None for staff, for a user holding no role and for the superuser. One query a request: the
    home view and the page's shell both ask."""
    if not hasattr(request, "_public_landing"):
        request._public_landing = _landing(request.user)  # type: ignore[attr-defined]
    found: str | None = request._public_landing  # type: ignore[attr-defined]
    return found


def _landing(user: Any) -> str | None:
    if not user.is_authenticated or user.is_superuser:
        return None
    held = set(RoleAssignment.objects.filter(user=user).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now())).values_list("role", flat=True))
    known = registry.roles()
    landings = {known[code].landing if code in known else "" for code in held}
    if len(landings) != 1 or "" in landings:
        return None
    try:
        return reverse(landings.pop())
    except NoReverseMatch:
        return None


def shell(request: HttpRequest) -> dict[str, Any]:
    """Navigation by role: an item shows only if the user holds its permission somewhere."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = request.path
    nav = []
    for item in registry.nav_items():
        if item.permission and not has_perm(user, item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        nav.append({"label": item.label, "url": url, "current": False})
    # One item is current: the longest URL the path starts with (/youthaid/review/ beats /youthaid/),
    # so a page under two items' URLs does not light both (issue 15).
    matching = [n for n in nav if n["url"] != "/" and current.startswith(str(n["url"]))]
    if matching:
        max(matching, key=lambda n: len(str(n["url"])))["current"] = True
    landing = public_landing(request)
    return {"shell_nav": nav, "shell_unread": unread_count(user), "shell_landing": landing}
