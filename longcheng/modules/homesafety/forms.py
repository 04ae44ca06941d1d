"""The alarm page's step forms (one URL per step, views.py ALARM_STEPS). Each field is typed and
labelled here; what a value may be (an outcome, who goes to the door) is the action's rule, whose
refusal names the field like the form's own (kernel.forms.refusal)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _l

from .models import Outcome


class StepForm(forms.Form):
    # Where to go after the step: the console or the alarm page (checked by the view).
    back = forms.CharField(required=False, max_length=300)


class NoteForm(StepForm):
    note = forms.CharField(required=False, max_length=500, label=_l("Note"))


class DispatchForm(NoteForm):
    to_user = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_l("Send to the door"))

    def __init__(self, data: Any, *, candidates: list[Any]) -> None:
        super().__init__(data)
        self.candidates = {u.pk: u for u in candidates}
        self.fields["to_user"].choices = [("", "—"), *((u.pk, str(u)) for u in candidates)]  # type: ignore[attr-defined]

    def chosen(self) -> Any:
        return self.candidates.get(self.cleaned_data["to_user"])


class ResolveForm(StepForm):
    # Left to the action when empty: "choose an outcome" is its rule, with its own message.
    outcome = forms.ChoiceField(required=False, choices=[("", "—"), *Outcome.choices], label=_l("Outcome"))
    notes = forms.CharField(required=False, max_length=2000, label=_l("Notes"))
