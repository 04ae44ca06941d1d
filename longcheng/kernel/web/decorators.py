from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from longcheng.kernel.access.scope import has_perm
from longcheng.kernel.errors import KernelError, PermissionDenied


def render_error(request: HttpRequest, error: KernelError) -> HttpResponse:
    return render(request, "web/error.html", {"error": error}, status=error.status)


def staff_view(permission: str | None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Sign-in required; the permission must be held somewhere (the scope then limits the rows).
    A KernelError raised in the view becomes its page (404 for out-of-scope, 403, 400/409)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if permission and not has_perm(request.user, permission):
                return render_error(request, PermissionDenied())
            try:
                response: HttpResponse = view(request, *args, **kwargs)
                return response
            except KernelError as error:
                return render_error(request, error)

        wrapped.permission = permission  # type: ignore[attr-defined]  # read by the role × route test
        return wrapped

    return decorator
