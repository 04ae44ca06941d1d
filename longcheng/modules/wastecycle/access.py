"""Fetch and authorise in one call, through kernel.access.scope: an object outside the user's scope
is the same NotFound as one that does not exist."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from longcheng.kernel.access.scope import access_object, place_in_scope, restrict
from longcheng.kernel.errors import PermissionDenied

from .models import Batch, Collector, Lot, SchoolClass, SchoolDay, Shipment, Station, Ticket, Weighing
from .spec import VIEW


def require_place(user: Any, permission: str, path: str, field: str) -> None:
    """Actions check the object's place again: a caller that skipped the fetch cannot act beside it."""
    if not place_in_scope(user, permission, path):
        raise PermissionDenied(field=field)


def classes_for(user: Any, permission: str = VIEW) -> QuerySet[SchoolClass]:
    return restrict(SchoolClass.objects.select_related("school", "grade", "place"), user, permission)


def class_for(user: Any, pk: int, permission: str = VIEW) -> SchoolClass:
    return access_object(SchoolClass, user, pk, permission,
                         queryset=SchoolClass.objects.select_related("school", "grade", "place"))


def school_days_for(user: Any, permission: str = VIEW) -> QuerySet[SchoolDay]:
    return restrict(SchoolDay.objects.all(), user, permission)


def weighing_for(user: Any, pk: int, permission: str = VIEW) -> Weighing:
    return access_object(Weighing, user, pk, permission, queryset=Weighing.objects.select_related("klass__place"))


def stations_for(user: Any, permission: str = VIEW) -> QuerySet[Station]:
    return restrict(Station.objects.select_related("place"), user, permission).order_by("name", "pk")


def station_for(user: Any, pk: int, permission: str = VIEW) -> Station:
    return access_object(Station, user, pk, permission, queryset=Station.objects.select_related("place"))


def ticket_for(user: Any, pk: int, permission: str = VIEW) -> Ticket:
    return access_object(Ticket, user, pk, permission, queryset=Ticket.objects.select_related("station__place"))


def batch_for(user: Any, pk: int, permission: str = VIEW) -> Batch:
    return access_object(Batch, user, pk, permission, queryset=Batch.objects.select_related("station__place"))


def lot_for(user: Any, pk: int, permission: str = VIEW) -> Lot:
    return access_object(Lot, user, pk, permission, queryset=Lot.objects.select_related("batch__station__place"))


def collector_for(user: Any, pk: int, permission: str = VIEW) -> Collector:
    return access_object(Collector, user, pk, permission,
                         queryset=Collector.objects.select_related("station__place", "village"))


def shipment_for(user: Any, pk: int, permission: str = VIEW) -> Shipment:
    return access_object(Shipment, user, pk, permission, queryset=Shipment.objects.select_related("station__place"))
