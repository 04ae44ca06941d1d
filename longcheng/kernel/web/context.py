from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from longcheng.kernel import registry
from longcheng.kernel.access.scope import has_perm
from longcheng.kernel.notify.api import unread_count


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
    return {"shell_nav": nav, "shell_unread": unread_count(user)}
