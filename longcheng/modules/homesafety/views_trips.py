"""The dispatched worker's pages (trips.py): phone-sized, reached from the dispatch message."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from longcheng.kernel.errors import KernelError
from longcheng.kernel.web.decorators import staff_view

from . import mapping
from .trips import do_arrive_on_trip, do_share_position, trip_of, trips_of


class ArriveForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("What you found at the door"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


@staff_view(None)
def trips(request: HttpRequest) -> HttpResponse:
    return render(request, "homesafety/trips.html", {"trips": trips_of(request.user)})


def _trip_page(request: HttpRequest, pk: int, form: ArriveForm, status: int = 200) -> HttpResponse:
    alarm = trip_of(request.user, pk)
    features = mapping.person_features(alarm.enrollee, [], [], alarm)
    return render(request, "homesafety/trip.html", {"alarm": alarm, "form": form, "map": features,
                                                    "person": alarm.enrollee.person}, status=status)


@staff_view(None)
def trip(request: HttpRequest, pk: int) -> HttpResponse:
    return _trip_page(request, pk, ArriveForm())


@staff_view(None)
@require_POST
def share_position(request: HttpRequest, pk: int) -> HttpResponse:
    """From the page's script while the worker shares: {lat, lon, accuracy_m} → the time taken."""
    try:
        alarm = do_share_position(pk, lat=request.POST.get("lat"), lon=request.POST.get("lon"),
                                  accuracy_m=request.POST.get("accuracy_m"), acting_user=request.user)
    except KernelError as error:
        if error.status == 404:
            raise
        return JsonResponse({"field": error.field, "message": str(error.message)}, status=400)
    seen = timezone.localtime(alarm.worker_seen_at)
    return JsonResponse({"seen_at": seen.isoformat(), "message": _("Position shared at %(time)s.") % {
        "time": f"{seen:%H:%M:%S}"}})


@staff_view(None)
@require_POST
def arrive(request: HttpRequest, pk: int) -> HttpResponse:
    form = ArriveForm(request.POST)
    if not form.is_valid():
        return _trip_page(request, pk, form, 400)
    try:
        do_arrive_on_trip(pk, acting_user=request.user, note=form.cleaned_data["note"])
    except KernelError as error:
        if error.status == 404:
            raise
        messages.error(request, str(error.message))
        return _trip_page(request, pk, form, error.status)
    messages.success(request, _("Arrival recorded; the duty operator sees it."))
    return redirect("homesafety:trips")
