"""The page forms of ecorestore (Django forms; yuan read through the kernel's YuanField): one form per
change, each posted to its own url (views.CASE_STEPS, views_shifts.SHIFT_STEPS). `shown` turns a
refusal into the message the page shows again, naming the field by the label the user sees."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import pgettext, pgettext_lazy

from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import YuanField
from longcheng.kernel.widgets import DateTimeWidget, DateWidget

from .models import Head, MoneyKind, PartyKind, Source, SpendPurpose, Stage, WorkKind


def shown(error: KernelError, form: forms.Form) -> dict[str, Any]:
    """A refusal as the page shows it: the field at fault (the element's id) and the message, prefixed
    with the field's label unless it names it already (a form's own refusal does: kernel.forms.refusal)."""
    message = str(error.message)
    field = form.fields.get(error.field or "")
    label = str(field.label) if field is not None and field.label else ""
    if label and not message.startswith(label):
        message = pgettext("ecorestore", "%(field)s: %(message)s") % {"field": label, "message": message}
    return {"field": error.field, "message": message}


class CaseForm(forms.Form):
    number = forms.CharField(label=pgettext_lazy("ecorestore", "Case number"), max_length=40)
    title = forms.CharField(label=pgettext_lazy("ecorestore", "Case"), max_length=200)
    source = forms.ChoiceField(label=pgettext_lazy("ecorestore", "Source"), choices=Source.choices)
    source_organ = forms.CharField(label=pgettext_lazy("ecorestore", "Court or procuratorate"), max_length=100)
    legal_basis = forms.CharField(label=pgettext_lazy("ecorestore", "Legal basis"), max_length=300)
    place = forms.IntegerField(label=pgettext_lazy("ecorestore", "Place"), min_value=1)
    party_name = forms.CharField(label=pgettext_lazy("ecorestore", "Party liable"), max_length=100)
    party_kind = forms.ChoiceField(label=pgettext_lazy("ecorestore", "Kind of party"), choices=PartyKind.choices)
    assessment_report = forms.CharField(label=pgettext_lazy("ecorestore", "Assessment report"), max_length=200,
                                        required=False)
    opened_on = forms.DateField(label=pgettext_lazy("ecorestore", "Received on"), widget=DateWidget())
    decided_on = forms.DateField(label=pgettext_lazy("ecorestore", "Judgement or agreement date"), required=False,
                                 widget=DateWidget())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in Head.choices:
            self.fields[f"head_{value}"] = YuanField(label=label, required=False, allow_zero=True)

    def heads(self) -> dict[str, int]:
        return {h: self.cleaned_data[f"head_{h}"] for h in Head.values if self.cleaned_data.get(f"head_{h}")}


class AdvanceForm(forms.Form):
    stage = forms.ChoiceField(label=pgettext_lazy("ecorestore", "Next stage"), choices=Stage.choices)
    on = forms.DateField(label=pgettext_lazy("ecorestore", "Date"), widget=DateWidget())


class ConvertForm(forms.Form):
    amount = YuanField(label=pgettext_lazy("ecorestore", "Amount to convert (yuan)"))
    consent = forms.BooleanField(label=pgettext_lazy("ecorestore", "The party consents"), required=False)
    hardship = forms.CharField(label=pgettext_lazy("ecorestore", "Evidence of hardship"), max_length=300,
                               required=False)
    due_on = forms.DateField(label=pgettext_lazy("ecorestore", "Perform by"), widget=DateWidget())


class BookForm(forms.Form):
    obligation = forms.IntegerField(label=pgettext_lazy("ecorestore", "Obligation"), min_value=1)
    zone = forms.IntegerField(label=pgettext_lazy("ecorestore", "Zone"), min_value=1)
    starts_at = forms.DateTimeField(label=pgettext_lazy("ecorestore", "Starts at"), widget=DateTimeWidget())
    hours = forms.IntegerField(label=pgettext_lazy("ecorestore", "Hours"), min_value=1, max_value=8)


class BreachForm(forms.Form):
    obligation = forms.IntegerField(label=pgettext_lazy("ecorestore", "Obligation"), min_value=1)
    reason = forms.CharField(label=pgettext_lazy("ecorestore", "Reason"), min_length=4, max_length=300)


class CheckInForm(forms.Form):
    # Filled by the phone's location (static/ecorestore/checkin.js); empty when the phone gives none.
    lat = forms.FloatField(label=pgettext_lazy("ecorestore", "Latitude"), min_value=-90, max_value=90, required=False)
    lon = forms.FloatField(label=pgettext_lazy("ecorestore", "Longitude"), min_value=-180, max_value=180,
                           required=False)
    photo = forms.FileField(label=pgettext_lazy("ecorestore", "Photo (optional)"), required=False)


class CheckOutForm(forms.Form):
    photo = forms.FileField(label=pgettext_lazy("ecorestore", "Photo (optional)"), required=False)


class CertifyForm(forms.Form):
    """Issuing the completion certificate: nothing to type, the case says everything."""


class ShiftForm(forms.Form):
    """Checking out or signing off a shift: nothing to type."""


class WorkForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("ecorestore", "Restoration in kind"), choices=WorkKind.choices)
    zone = forms.IntegerField(label=pgettext_lazy("ecorestore", "Zone"), min_value=1)
    quantity = forms.IntegerField(label=pgettext_lazy("ecorestore", "Quantity (trees, fish or m²)"), min_value=1,
                                  max_value=10_000_000)
    fen_per_unit = YuanField(label=pgettext_lazy("ecorestore", "Value per unit (yuan)"))
    tend_months = forms.IntegerField(label=pgettext_lazy("ecorestore", "Months of tending (trees)"), min_value=0,
                                     max_value=24, required=False)
    due_on = forms.DateField(label=pgettext_lazy("ecorestore", "Perform by"), widget=DateWidget())


class DeliverForm(forms.Form):
    work = forms.IntegerField(label=pgettext_lazy("ecorestore", "Restoration in kind"), min_value=1)
    quantity = forms.IntegerField(label=pgettext_lazy("ecorestore", "Quantity delivered"), min_value=1,
                                  max_value=10_000_000)
    on = forms.DateField(label=pgettext_lazy("ecorestore", "Delivered on"), widget=DateWidget())


class WorkBreachForm(forms.Form):
    work = forms.IntegerField(label=pgettext_lazy("ecorestore", "Restoration in kind"), min_value=1)
    reason = forms.CharField(label=pgettext_lazy("ecorestore", "Reason"), min_length=4, max_length=300)


class AssessForm(forms.Form):
    checked_on = forms.DateField(label=pgettext_lazy("ecorestore", "Check date"), widget=DateWidget())
    assessor = forms.CharField(label=pgettext_lazy("ecorestore", "Assessor"), max_length=100)
    survival_percent = forms.IntegerField(label=pgettext_lazy("ecorestore", "Survival rate (%)"), min_value=0,
                                          max_value=100, required=False)
    area_restored_m2 = forms.IntegerField(label=pgettext_lazy("ecorestore", "Area restored (m²)"), min_value=0,
                                          max_value=100_000_000, required=False)
    satisfactory = forms.BooleanField(label=pgettext_lazy("ecorestore", "Assessed as satisfactory"), required=False)
    notes = forms.CharField(label=pgettext_lazy("ecorestore", "Notes"), max_length=500, required=False)


class ThresholdForm(forms.Form):
    valid_from = forms.DateField(label=pgettext_lazy("ecorestore", "In force from"), widget=DateWidget())
    fast_lane_below_fen = YuanField(label=pgettext_lazy("ecorestore", "Fast lane below (yuan of damage)"),
                                    allow_zero=True)
    max_convert_fen = YuanField(label=pgettext_lazy("ecorestore", "At most converted per case (yuan, empty: no cap)"),
                                required=False)
    basis = forms.CharField(label=pgettext_lazy("ecorestore", "Basis"), max_length=200)


class ReceiptForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("ecorestore", "Money received"), choices=MoneyKind.choices)
    amount = YuanField(label=pgettext_lazy("ecorestore", "Amount (yuan)"))
    payer = forms.CharField(label=pgettext_lazy("ecorestore", "Paid by"), max_length=100)
    received_on = forms.DateField(label=pgettext_lazy("ecorestore", "Received on"), widget=DateWidget())
    case = forms.IntegerField(label=pgettext_lazy("ecorestore", "Case"), min_value=1, required=False)


class SpendForm(forms.Form):
    purpose = forms.ChoiceField(label=pgettext_lazy("ecorestore", "Paid for"), choices=SpendPurpose.choices)
    description = forms.CharField(label=pgettext_lazy("ecorestore", "What was bought or done"), max_length=200)
    amount = YuanField(label=pgettext_lazy("ecorestore", "Amount (yuan)"))
    payee = forms.CharField(label=pgettext_lazy("ecorestore", "Paid to"), max_length=100)
    spent_on = forms.DateField(label=pgettext_lazy("ecorestore", "Paid on"), widget=DateWidget())
    zone = forms.IntegerField(label=pgettext_lazy("ecorestore", "Zone"), min_value=1, required=False)


class ReverseForm(forms.Form):
    """A receipt or spend recorded in error: the reason, for the reversing entry and the audit."""

    reason = forms.CharField(label=pgettext_lazy("ecorestore", "Reason for the correction"), min_length=4,
                             max_length=200)
