"""platformdoor's pages: parse, authorise, call an action; a refusal is shown next to its field."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import pgettext

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import has_perm, require_perm, restrict
from longcheng.kernel.errors import KernelError
from longcheng.kernel.places.models import Place
from longcheng.kernel.web.decorators import staff_view

from . import access, actions
from .spec import MANAGE, VIEW


def _int(value: str) -> int:
    return int(value) if value.isdigit() else 0


@staff_view(VIEW)
def items(request: StaffRequest) -> HttpResponse:
    can_manage = has_perm(request.user, MANAGE)
    values = {"name": "", "place": ""}
    error: KernelError | None = None
    if request.method == "POST":
        values = {key: request.POST.get(key, "").strip() for key in values}
        require_perm(request.user, MANAGE)
        try:
            place = restrict(Place.objects.all(), request.user, MANAGE).filter(pk=_int(values["place"])).first()
            if place is None:
                raise KernelError(pgettext("platformdoor", "Choose a place in your scope."), field="place")
            item = actions.do_create_item(name=values["name"], place=place, acting_user=request.user)
        except KernelError as exc:
            if exc.status in (403, 404):
                raise
            error = exc
        else:
            return redirect("platformdoor:item", item.pk)
    places = restrict(Place.objects.all(), request.user, MANAGE).order_by("path")[:500] if can_manage else []
    return render(request, "platformdoor/items.html", {
        "items": access.items_for(request.user)[:500], "places": places, "values": values, "error": error,
    }, status=error.status if error else 200)


@staff_view(VIEW)
def item(request: StaffRequest, pk: int) -> HttpResponse:
    return render(request, "platformdoor/item.html", {"item": access.item_for(request.user, pk)})
