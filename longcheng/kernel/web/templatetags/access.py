"""`{% load access %}{% if user|holds:"people.view" %}`: show a link only to who may follow it."""

from __future__ import annotations

from typing import Any

from django import template

from longcheng.kernel.access.scope import has_perm

register = template.Library()


@register.filter
def holds(user: Any, permission: str) -> bool:
    """Whether the user holds the permission anywhere (the page behind the link scopes the rest)."""
    return bool(user is not None and user.is_authenticated and has_perm(user, permission))
