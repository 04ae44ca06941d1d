"""A weighing after the meal: the teacher's correction (with its reason) and, where the school weighs
pupil by pupil, the pupils' plates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.web.decorators import staff_view

from . import access, actions, rules
from .forms import CorrectForm
from .models import Weighing
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
