"""The places import page: a GeoJSON file, checked by kernel.uploads, through
kernel.places.importer (all or nothing, a report line per feature)."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.errors import KernelError
from longcheng.kernel.places.importer import MANAGE, import_upload

from .decorators import staff_view
from .views import attach_error


class PlacesImportForm(forms.Form):
    file = forms.FileField(label=_("GeoJSON file"), required=False)


@staff_view(MANAGE)
def places_import(request: StaffRequest) -> HttpResponse:
    form = PlacesImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = import_upload(form.cleaned_data["file"], request.user)
        except KernelError as error:
            attach_error(form, error)
    failed = bool(form.errors) or (report is not None and not report["applied"])
    return render(request, "web/places_import.html", {"form": form, "report": report},
                  status=400 if failed else 200)
