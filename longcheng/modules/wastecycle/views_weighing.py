"""A weighing after the meal: the teacher's correction (with its reason) and, where the school weighs
pupil by pupil, the pupils' plates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.web.decorators import staff_view

from . import access, actions, rules
from .conf import conf
from .forms import CorrectForm, OptionsForm, PupilsForm
from .models import SchoolClass, Weighing
from .spec import WEIGH
from .views_common import post


def _correct_page(request: StaffRequest, weighing: Weighing, form: forms.Form, error: dict[str, Any] | None,
                  status: int = 200) -> HttpResponse:
    shown = rules.shown_grams(rules.grams_per_diner(weighing.grams, weighing.diners))
    return render(request, "wastecycle/correct.html", {"w": weighing, "klass": weighing.klass, "form": form,
                                                       "error": error, "shown": shown}, status=status)


@staff_view(WEIGH)
def correct(request: StaffRequest, pk: int) -> HttpResponse:
    """A class's weighing corrected by its teacher: the new grams and why; the first figure stays audited."""
    weighing = access.weighing_for(request.user, pk, WEIGH)
    if request.method != "POST":
        return _correct_page(request, weighing, CorrectForm(initial={"grams": weighing.grams}), None)
    form = CorrectForm(request.POST)

    def call(data: dict[str, Any]) -> Weighing:
        return actions.do_correct_weighing(weighing, grams=data["grams"], reason=data["reason"],
                                           acting_user=request.user)

    return post(form, call, lambda forms_, error, status: _correct_page(request, weighing, form, error, status),
                lambda w: reverse("wastecycle:weigh", args=[w.klass_id]) + "?corrected=" + str(w.pk))


def _pupils_page(request: StaffRequest, klass: SchoolClass, form: forms.Form, error: dict[str, Any] | None,
                 status: int = 200) -> HttpResponse:
    saved = Weighing.objects.filter(klass=klass, pk=request.GET.get("saved") or 0).first()
    plates = list(saved.pupils.all()) if saved else []
    clean = conf("WASTECYCLE_CLEAN_PLATE_GRAMS")
    return render(request, "wastecycle/pupils.html", {
        "klass": klass, "form": form, "error": error, "saved": saved, "plates": plates,
        "clean_seats": [p.seat for p in plates if p.grams <= clean], "per_pupil": actions.per_pupil(klass.school_id)},
        status=status)


@staff_view(WEIGH)
def pupils(request: StaffRequest, pk: int) -> HttpResponse:
    """A class's meal plate by plate (where the school weighs per pupil); 光盘 pupils are praised."""
    klass = access.class_for(request.user, pk, WEIGH)
    if request.method != "POST":
        return _pupils_page(request, klass, PupilsForm(initial={"day": timezone.localdate(), "meal": "lunch"}), None)
    form = PupilsForm(request.POST)

    def call(data: dict[str, Any]) -> Weighing:
        return actions.do_weigh_pupils(klass, day=data["day"], meal=data["meal"], plates=data["plates"],
                                       acting_user=request.user)

    return post(form, call, lambda forms_, error, status: _pupils_page(request, klass, form, error, status),
                lambda w: reverse("wastecycle:pupils", args=[klass.pk]) + "?saved=" + str(w.pk))


@staff_view(WEIGH)
@require_POST
def options(request: StaffRequest, pk: int) -> HttpResponse:
    """The school's weighing option (the school reached through a class in the user's scope)."""
    klass = access.class_for(request.user, pk, WEIGH)
    form = OptionsForm(request.POST)

    def call(data: dict[str, Any]) -> Any:
        return actions.do_set_school_options(klass, per_pupil=data["per_pupil"], acting_user=request.user)

    return post(form, call, lambda forms_, error, status: _pupils_page(request, klass, PupilsForm(), error, status),
                lambda _row: reverse("wastecycle:pupils", args=[klass.pk]))
