"""The pages' forms: a refusal names its field (kernel/forms.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import pgettext_lazy

from .models import Cause, Detector, Door, TestResult


class CloseForm(forms.Form):
    cause = forms.ChoiceField(label=pgettext_lazy("platform door alarm", "Cause"), required=False,
                              choices=[("", "—"), *Cause.choices])
    note = forms.CharField(label=pgettext_lazy("platformdoor", "Note"), required=False, max_length=300)


class BypassForm(forms.Form):
    """A bypass of one detector or one door of a platform in the requester's scope."""

    target = forms.ChoiceField(label=pgettext_lazy("platformdoor", "Detector or door"))
    reason = forms.CharField(label=pgettext_lazy("platformdoor", "Reason"), max_length=300)
    hours = forms.IntegerField(label=pgettext_lazy("platformdoor", "Hours"), min_value=1, max_value=72, initial=2)

    def __init__(self, *args: Any, detectors: list[Detector], doors: list[Door], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [  # type: ignore[attr-defined]
            *((f"detector:{d.pk}", f"{d.door} · {d.get_kind_display()}") for d in detectors),
            *((f"door:{d.pk}", f"{d} · {d.get_kind_display()}") for d in doors),
        ]


class TestForm(forms.Form):
    result = forms.ChoiceField(label=pgettext_lazy("functional test", "Result"), choices=TestResult.choices)
    note = forms.CharField(label=pgettext_lazy("platformdoor", "Note"), required=False, max_length=300)
