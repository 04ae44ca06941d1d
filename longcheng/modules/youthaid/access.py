"""Fetch and authorise in one call: the case, application or payment an actor may act on, through
kernel.access.scope, locked for the caller's transaction. Out of scope reads as not found."""

from __future__ import annotations

from typing import Any

from longcheng.kernel.access.scope import place_in_scope, require_perm, restrict
from longcheng.kernel.errors import NotFound

from .models import Application, Payment, Youth

PAY = "youthaid.pay"


def _in_scope(user: Any, permission: str, youth: Youth) -> bool:
    place = youth.person.place
    return place is not None and place_in_scope(user, permission, place.path)


def _lock(youth: Youth | int, user: Any, permission: str) -> Youth:
    """The case row, locked for this transaction (so caps and statuses are checked against what is
    committed), after checking the user may act on it. Out of scope reads as not found."""
    pk = youth.pk if isinstance(youth, Youth) else youth
    locked = Youth.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise NotFound()
    locked = Youth.objects.select_related("person__place", "deceased_parent", "surviving_parent", "guardian").get(
        pk=locked.pk)
    require_perm(user, permission)
    if not _in_scope(user, permission, locked):
        raise NotFound()
    return locked


def _lock_application(pk: int | Application, user: Any, permission: str) -> Application:
    pk = pk.pk if isinstance(pk, Application) else pk
    app = Application.objects.select_related("aid_type").filter(pk=pk).first()
    if app is None:
        raise NotFound()
    _lock(app.youth_id, user, permission)  # youth first: every cap check serialises on the youth's row
    app = Application.objects.select_for_update(of=("self",)).select_related("aid_type", "youth__person__place").get(pk=app.pk)
    return app


def _lock_payment(payment: Payment | int, user: Any) -> Payment:
    pk = payment.pk if isinstance(payment, Payment) else payment
    locked = restrict(Payment.objects.select_for_update(of=("self",)), user, PAY).filter(pk=pk).first()
    if locked is None:
        raise NotFound()
    return locked
