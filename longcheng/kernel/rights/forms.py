from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import IdentityCheck, RequestKind


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("request"), choices=RequestKind.choices)
    requester_name = forms.CharField(label=_("requester"), max_length=50)
    identity_check = forms.ChoiceField(label=_("identity checked by"), choices=IdentityCheck.choices)
    identity_note = forms.CharField(label=_("document checked"), max_length=200,
                                    help_text=_("e.g. identity card, last four characters 123X, shown in person"))
    details = forms.CharField(label=_("what is asked"), max_length=2000, required=False, widget=forms.Textarea)


class CloseForm(forms.Form):
    outcome = forms.CharField(label=_("what was done"), max_length=2000, widget=forms.Textarea)


class ReportForm(forms.Form):
    format = forms.ChoiceField(label=_("format"), choices=[("xlsx", "XLSX"), ("pdf", "PDF")])
