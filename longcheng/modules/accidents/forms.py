"""The drivers', officers' and insurers' forms (Django forms; refusals through kernel.forms.refusal)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language, pgettext_lazy

from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import YuanField
from longcheng.kernel.people.validators import validate_phone, validate_resident_id
from longcheng.kernel.places.models import Place

from . import sketch
from .actions import LICENCE_CLASSES
from .models import Exclusion, Handoff, Insurer, LiabilityRule, Outcome, Photo

YES_NO = [("no", pgettext_lazy("accidents", "No")), ("yes", pgettext_lazy("accidents", "Yes"))]


def _text(row: Exclusion | LiabilityRule, zh: str, en: str) -> str:
    return str(getattr(row, en) if (get_language() or "zh-hans").startswith("en") else getattr(row, zh))


class StartForm(forms.Form):
    """The eligibility questions in force (one yes/no each), then where the accident happened."""

    place = forms.ModelChoiceField(queryset=Place.objects.none(), label=pgettext_lazy("accidents", "Where (district or street)"))
    lat = forms.FloatField(label=pgettext_lazy("accidents", "Latitude"), min_value=-90, max_value=90)
    lon = forms.FloatField(label=pgettext_lazy("accidents", "Longitude"), min_value=-180, max_value=180)
    third_party_property = forms.ChoiceField(
        choices=YES_NO, widget=forms.RadioSelect, initial="no",
        label=pgettext_lazy("accidents", "Was anyone else's property damaged (not the two vehicles)?"))

    def __init__(self, *args: Any, places: Any, exclusions: list[Exclusion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]
        self.exclusions = exclusions
        for row in exclusions:
            self.fields[f"q_{row.code}"] = forms.ChoiceField(
                choices=YES_NO, widget=forms.RadioSelect, label=_text(row, "question_zh", "question_en"))
        # The questions first: a "yes" ends the flow before anything else is asked.
        self.order_fields([f"q_{row.code}" for row in exclusions] + ["third_party_property", "place", "lat", "lon"])

    def answers(self) -> dict[str, bool]:
        return {row.code: self.cleaned_data[f"q_{row.code}"] == "yes" for row in self.exclusions}


class JoinForm(forms.Form):
    """The pairing code, then the eligibility questions in force, answered by the second driver."""

    code = forms.CharField(max_length=12, label=pgettext_lazy("accidents", "Pairing code"))

    def __init__(self, *args: Any, exclusions: list[Exclusion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exclusions = exclusions
        for row in exclusions:
            self.fields[f"q_{row.code}"] = forms.ChoiceField(
                choices=YES_NO, widget=forms.RadioSelect, label=_text(row, "question_zh", "question_en"))

    def answers(self) -> dict[str, bool]:
        return {row.code: self.cleaned_data[f"q_{row.code}"] == "yes" for row in self.exclusions}


class PartyForm(forms.Form):
    name = forms.CharField(max_length=50, label=pgettext_lazy("accidents", "Your name"))
    phone = forms.CharField(max_length=20, label=pgettext_lazy("accidents", "Mobile phone"))
    licence_no = forms.CharField(max_length=18, label=pgettext_lazy("accidents", "Driving licence number"))
    licence_class = forms.ChoiceField(choices=[(c, c) for c in LICENCE_CLASSES],
                                      label=pgettext_lazy("accidents", "Licence class"))
    plate = forms.CharField(max_length=10, label=pgettext_lazy("accidents", "Plate"))
    insurer = forms.ModelChoiceField(queryset=Insurer.objects.order_by("name"),
                                     label=pgettext_lazy("accidents", "Insurer"))
    policy_no = forms.CharField(max_length=30, label=pgettext_lazy("accidents", "Policy number"))
    loss_fen = YuanField(allow_zero=True, label=pgettext_lazy("accidents", "Estimated loss of your vehicle (yuan)"))

    # The kernel's rules for phones and ID numbers (a licence number is the ID number), checked with
    # the other fields so that every mistake is shown at once, each next to its own field.
    def clean_phone(self) -> str:
        return _kernel_rule(validate_phone, self.cleaned_data["phone"], field="phone", required=True)

    def clean_licence_no(self) -> str:
        return _kernel_rule(validate_resident_id, self.cleaned_data["licence_no"], field="licence_no")


def _kernel_rule(rule: Any, value: str, **options: Any) -> str:
    try:
        return str(rule(value, **options))
    except KernelError as exc:
        raise forms.ValidationError(exc.message, code=str(exc.code)) from exc


class TickForm(forms.Form):
    circumstances = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple,
        label=pgettext_lazy("accidents", "Tick what applies to your own vehicle"))

    def __init__(self, *args: Any, rules: list[LiabilityRule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["circumstances"].choices = [  # type: ignore[attr-defined]
            (r.code, _text(r, "situation_zh", "situation_en")) for r in rules]


class PhotoForm(forms.Form):
    shot = forms.ChoiceField(choices=Photo.Shot.choices, label=pgettext_lazy("accidents", "Which photo"))
    photo = forms.FileField(label=pgettext_lazy("accidents", "Photo"))
    taken_at = forms.DateTimeField(required=False, label=pgettext_lazy("accidents", "Taken at"))
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, label=pgettext_lazy("accidents", "Latitude"))
    lon = forms.FloatField(required=False, min_value=-180, max_value=180,
                           label=pgettext_lazy("accidents", "Longitude"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[
        ("accept", pgettext_lazy("accidents", "Accept the proposal")),
        ("change", pgettext_lazy("accidents", "Decide otherwise")),
        ("scene", pgettext_lazy("accidents", "Call the parties to the scene"))],
        widget=forms.RadioSelect, label=pgettext_lazy("accidents", "Decision"))
    liability_a = forms.ChoiceField(choices=[("", "—"), *Outcome.choices], required=False,
                                    label=pgettext_lazy("accidents", "Liability of driver A"))
    reason = forms.CharField(max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             label=pgettext_lazy("accidents", "Reason"))


class ClaimForm(forms.Form):
    status = forms.ChoiceField(choices=Handoff.Status.choices, label=pgettext_lazy("accidents", "Claim status"))


_CELLS = [(cell, cell) for cell in sketch.CELLS]


class SketchForm(forms.Form):
    """The sketch on the phone: the layout and, for each vehicle, its square (A1–E5) and heading."""

    layout = forms.ChoiceField(label=pgettext_lazy("accidents", "Road layout"), choices=list(sketch.LAYOUTS.items()))
    a_cell = forms.ChoiceField(label=pgettext_lazy("accidents", "Vehicle A: square"), choices=_CELLS)
    a_heading = forms.ChoiceField(label=pgettext_lazy("accidents", "Vehicle A: facing"),
                                  choices=list(sketch.HEADINGS.items()))
    b_cell = forms.ChoiceField(label=pgettext_lazy("accidents", "Vehicle B: square"), choices=_CELLS)
    b_heading = forms.ChoiceField(label=pgettext_lazy("accidents", "Vehicle B: facing"),
                                  choices=list(sketch.HEADINGS.items()))

    @staticmethod
    def initial_from(data: dict[str, Any]) -> dict[str, str]:
        if not data:
            return {"layout": "straight", "a_cell": "C4", "a_heading": "N", "b_cell": "C3", "b_heading": "N"}
        return {"layout": data.get("layout", ""), **{f"{side}_{key}": data.get(side, {}).get(key, "")
                                                      for side in ("a", "b") for key in ("cell", "heading")}}

    def sketch(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"layout": data["layout"], "a": {"cell": data["a_cell"], "heading": data["a_heading"]},
                "b": {"cell": data["b_cell"], "heading": data["b_heading"]}}
