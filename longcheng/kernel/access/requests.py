"""The request type of signed-in views, for the type checker."""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class StaffRequest(HttpRequest):
    """A request behind sign-in (`staff_view`, `login_required`, an authenticated API route):
    `request.user` is a `User`, never `AnonymousUser`. Only an annotation; nothing is checked
    at run time, the decorators and API authentication do that."""

    user: User
