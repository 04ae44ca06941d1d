"""remediation's page forms (Django forms): the inspection form is built from its campaign's declaration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import pgettext_lazy

from .campaigns import AGENCIES, EVIDENCE, POLLUTANTS, REMEDIES, Campaign
from .models import Island, IslandMember

SCORES = [(str(n), str(n)) for n in range(4)]


class InspectionForm(forms.Form):
    note = forms.CharField(label=pgettext_lazy("remediation", "Note"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        for item in campaign.checklist:
            self.fields[f"check_{item.code}"] = forms.BooleanField(label=str(item.label), required=False)
        for axis in campaign.axes:
            self.fields[f"score_{axis.code}"] = forms.TypedChoiceField(
                label=str(axis.label), choices=SCORES, coerce=int, initial="0", widget=forms.RadioSelect)
            self.fields[f"reason_{axis.code}"] = forms.CharField(
                label=pgettext_lazy("remediation", "Reason"), required=False, max_length=500)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "checklist": {i.code: data[f"check_{i.code}"] for i in self.campaign.checklist},
            "scores": {a.code: data[f"score_{a.code}"] for a in self.campaign.axes},
            "reasons": {a.code: data[f"reason_{a.code}"] for a in self.campaign.axes},
            "note": data["note"],
        }


class DetermineForm(forms.Form):
    target = forms.TypedChoiceField(
        label=pgettext_lazy("remediation", "Determination"), coerce=lambda v: v == "yes",
        choices=[("yes", pgettext_lazy("remediation", "A target of the campaign")),
                 ("no", pgettext_lazy("remediation", "Not a target"))])
    note = forms.CharField(label=pgettext_lazy("remediation", "Note"), required=False, max_length=500)


class PlanForm(forms.Form):
    remedy = forms.ChoiceField(label=pgettext_lazy("remediation", "Remedy"))
    lead_agency = forms.ChoiceField(label=pgettext_lazy("remediation", "Lead agency"), choices=list(AGENCIES.items()))
    responsible = forms.CharField(label=pgettext_lazy("remediation", "Responsible person"), max_length=50)
    area_mu = forms.DecimalField(label=pgettext_lazy("remediation", "Land vacated or revived (mu)"), min_value=0,
                                 max_value=100_000, decimal_places=2, initial=0)
    milestone = forms.CharField(label=pgettext_lazy("remediation", "Milestone"), max_length=200)
    working_days = forms.IntegerField(label=pgettext_lazy("remediation", "Deadline in working days"), min_value=1,
                                      max_value=500, required=False)
    due_on = forms.DateField(label=pgettext_lazy("remediation", "Or a deadline date"), required=False,
                             widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        remedy = self.fields["remedy"]
        assert isinstance(remedy, forms.ChoiceField)
        remedy.choices = [(c, REMEDIES[c].label) for c in campaign.remedies]
        for code, label in POLLUTANTS.items():
            self.fields[f"before_{code}"] = forms.IntegerField(
                label=pgettext_lazy("remediation", "%(pollutant)s before (kg a year)") % {"pollutant": label},
                min_value=0, max_value=10**12, required=False)
            self.fields[f"after_{code}"] = forms.IntegerField(
                label=pgettext_lazy("remediation", "%(pollutant)s after (kg a year)") % {"pollutant": label},
                min_value=0, max_value=10**12, required=False)

    def pollutants(self) -> dict[str, tuple[int, int]]:
        data = self.cleaned_data
        return {code: (data[f"before_{code}"], data[f"after_{code}"] or 0) for code in POLLUTANTS
                if data.get(f"before_{code}") is not None}


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("remediation", "What the file proves"), choices=list(EVIDENCE.items()))
    file = forms.FileField(label=pgettext_lazy("remediation", "File (PDF, JPEG or PNG)"))


class NoteForm(forms.Form):
    note = forms.CharField(label=pgettext_lazy("remediation", "Note"), required=False, max_length=500)


class ReboundForm(forms.Form):
    found_running = forms.TypedChoiceField(
        label=pgettext_lazy("remediation", "What the patrol found"), coerce=lambda v: v == "yes",
        choices=[("no", pgettext_lazy("remediation", "Still closed or compliant")),
                 ("yes", pgettext_lazy("remediation", "Running again (rebound)"))])
    note = forms.CharField(label=pgettext_lazy("remediation", "Note"), required=False, max_length=500)


class AsOfForm(forms.Form):
    as_of = forms.DateField(label=pgettext_lazy("remediation", "As of"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))


class IslandForm(forms.Form):
    """A green island as the bureau records it: the place by its code, the operator by its credit code."""

    name = forms.CharField(label=pgettext_lazy("remediation", "Name of the island"), max_length=100)
    kind = forms.ChoiceField(label=pgettext_lazy("remediation", "Kind of island"), choices=Island.Kind.choices)
    place = forms.CharField(label=pgettext_lazy("remediation", "Place code"), max_length=20)
    operator = forms.CharField(label=pgettext_lazy("remediation", "Operator's credit code (optional)"),
                               max_length=18, required=False)
    capacity = forms.DecimalField(label=pgettext_lazy("remediation", "Capacity"), min_value=0, max_value=1_000_000,
                                  decimal_places=1)
    capacity_unit = forms.ChoiceField(label=pgettext_lazy("remediation", "Unit"), choices=Island.Unit.choices)
    opened_on = forms.DateField(label=pgettext_lazy("remediation", "In service since"),
                                widget=forms.DateInput(attrs={"type": "date"}))


class MemberForm(forms.Form):
    firm = forms.CharField(label=pgettext_lazy("remediation", "Firm's credit code"), max_length=18)
    case = forms.IntegerField(label=pgettext_lazy("remediation", "Case that moved it here (number, optional)"),
                              min_value=1, max_value=2**31 - 1, required=False)
    joined_on = forms.DateField(label=pgettext_lazy("remediation", "Joined"),
                                widget=forms.DateInput(attrs={"type": "date"}))


class MemberEndForm(forms.Form):
    member = forms.ModelChoiceField(label=pgettext_lazy("remediation", "Member firm"), queryset=IslandMember.objects.none())
    left_on = forms.DateField(label=pgettext_lazy("remediation", "Left"), widget=forms.DateInput(attrs={"type": "date"}))


class ManifestForm(forms.Form):
    member = forms.ModelChoiceField(label=pgettext_lazy("remediation", "Member firm"), queryset=IslandMember.objects.none())
    number = forms.CharField(label=pgettext_lazy("remediation", "Manifest number"), max_length=32)
    month = forms.DateField(label=pgettext_lazy("remediation", "Month"), input_formats=["%Y-%m", "%Y-%m-%d"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
    material = forms.ChoiceField(label=pgettext_lazy("remediation", "What was sent"), choices=Island.Kind.choices)
    volume_t = forms.DecimalField(label=pgettext_lazy("remediation", "Volume (t)"), min_value=0, max_value=100_000,
                                  decimal_places=2)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("remediation", "Milestone"), max_length=200)
    working_days = forms.IntegerField(label=pgettext_lazy("remediation", "Deadline in working days"), min_value=1,
                                      max_value=500, required=False)
    due_on = forms.DateField(label=pgettext_lazy("remediation", "Or a deadline date"), required=False,
                             widget=forms.DateInput(attrs={"type": "date"}))


def for_island(form: forms.Form, island: Island) -> forms.Form:
    """A member-choosing form limited to the island's current members (named by their firm)."""
    member = form.fields["member"]
    assert isinstance(member, forms.ModelChoiceField)
    member.queryset = island.members.filter(left_on=None).select_related("firm").order_by("joined_on", "pk")
    member.label_from_instance = lambda m: m.firm.name  # type: ignore[method-assign,assignment]
    return form
