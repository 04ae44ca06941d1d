"""The rule keeper's forms: one version of an exclusion or of a liability rule (views_rules.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import pgettext_lazy

from .models import Exclusion, Outcome


class _VersionForm(forms.Form):
    """`based_on`: the version the keeper opened (0 for a new code), so that a version saved by
    someone else meanwhile is not overwritten silently."""

    code = forms.RegexField(regex=r"^[a-z][a-z0-9_]{1,39}$", max_length=40, label=pgettext_lazy("accidents", "Rule code"),
                            help_text=pgettext_lazy("accidents", "Lower-case letters, digits and _; never changes."))
    based_on = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    order = forms.IntegerField(min_value=0, max_value=999, label=pgettext_lazy("accidents", "Position in the list"))
    active = forms.BooleanField(required=False, label=pgettext_lazy("accidents", "In force"),
                                help_text=pgettext_lazy("accidents", "Untick to withdraw the rule from the next report."))

    def __init__(self, *args: Any, code: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if code is not None:  # an existing rule: its code is in the address, not typed
            del self.fields["code"]
        self.rule_code = code

    def code_value(self) -> str:
        return self.rule_code or str(self.cleaned_data.get("code", ""))


class ExclusionForm(_VersionForm):
    basis = forms.ChoiceField(choices=Exclusion.Basis.choices, label=pgettext_lazy("accidents", "Basis"))
    question_zh = forms.CharField(max_length=200, label=pgettext_lazy("accidents", "Question (Chinese)"))
    question_en = forms.CharField(max_length=200, label=pgettext_lazy("accidents", "Question (English)"))
    field_order = ["code", "basis", "question_zh", "question_en", "order", "active", "based_on"]


class RuleForm(_VersionForm):
    situation_zh = forms.CharField(max_length=200, label=pgettext_lazy("accidents", "Situation (Chinese)"))
    situation_en = forms.CharField(max_length=200, label=pgettext_lazy("accidents", "Situation (English)"))
    outcome = forms.ChoiceField(choices=Outcome.choices,
                                label=pgettext_lazy("accidents", "Liability of the party it applies to"))
    field_order = ["code", "situation_zh", "situation_en", "outcome", "order", "active", "based_on"]
