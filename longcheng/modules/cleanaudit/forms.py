"""cleanaudit's page forms (Django forms): a refusal names the field (kernel.forms.refusal)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import pgettext_lazy

from longcheng.kernel.forms import YuanField

from . import rules
from .models import Figures
from .stages import ARTEFACTS, COST_CLASSES, INDUSTRIES, MODES, OPTION_STATUSES, STAGES, TRIGGERS

AMOUNT: dict[str, Any] = {"max_digits": 14, "decimal_places": 3, "min_value": 0}


class ListForm(forms.Form):
    firm = forms.IntegerField(label=pgettext_lazy("cleanaudit", "Firm"), min_value=1)
    year = forms.IntegerField(label=pgettext_lazy("cleanaudit", "Year of the list"), min_value=2016, max_value=2100)
    listed_on = forms.DateField(label=pgettext_lazy("cleanaudit", "Listed on"))
    trigger = forms.ChoiceField(label=pgettext_lazy("cleanaudit", "Trigger"), choices=list(TRIGGERS.items()))
    industry = forms.ChoiceField(label=pgettext_lazy("cleanaudit", "Industry"), choices=list(INDUSTRIES.items()))
    mode = forms.ChoiceField(label=pgettext_lazy("cleanaudit", "Mode"), choices=list(MODES.items()))
    consultancy = forms.IntegerField(label=pgettext_lazy("cleanaudit", "Consultancy"), required=False, min_value=1)


class ImportForm(forms.Form):
    year = forms.IntegerField(label=pgettext_lazy("cleanaudit", "Year of the list"), min_value=2016, max_value=2100)
    listed_on = forms.DateField(label=pgettext_lazy("cleanaudit", "Listed on"))
    file = forms.FileField(label=pgettext_lazy("cleanaudit", "File (.xlsx or .csv)"))


class ArtefactForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("cleanaudit", "Document"), choices=list(ARTEFACTS.items()))
    title = forms.CharField(label=pgettext_lazy("cleanaudit", "Title"), max_length=200)
    note = forms.CharField(label=pgettext_lazy("cleanaudit", "Content"), max_length=4000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    # The document itself (PDF, JPEG or PNG), checked by its content in the action (kernel.uploads).
    file = forms.FileField(label=pgettext_lazy("cleanaudit", "File (PDF or scan)"), required=False)


class FiguresForm(forms.Form):
    period = forms.ChoiceField(label=pgettext_lazy("cleanaudit", "Period"), choices=Figures.Period.choices)
    energy_tce = forms.DecimalField(label=pgettext_lazy("cleanaudit", "Energy (tce)"), **AMOUNT)
    water_m3 = forms.DecimalField(label=pgettext_lazy("cleanaudit", "Water (m³)"), **AMOUNT)
    materials_t = forms.DecimalField(label=pgettext_lazy("cleanaudit", "Materials (t)"), **AMOUNT)
    co2_t = forms.DecimalField(label=pgettext_lazy("cleanaudit", "CO₂ (t)"), **AMOUNT)
    value_added_fen = YuanField(label=pgettext_lazy("cleanaudit", "Industrial value added (yuan)"))
    output = forms.DecimalField(label=pgettext_lazy("cleanaudit", "Output"), **AMOUNT)
    output_unit = forms.CharField(label=pgettext_lazy("cleanaudit", "Unit of output"), max_length=16, initial="t")


class BalanceForm(forms.Form):
    inputs_t = forms.DecimalField(label=pgettext_lazy("cleanaudit", "Inputs (t)"), **AMOUNT)
    products_t = forms.DecimalField(label=pgettext_lazy("cleanaudit", "Products (t)"), **AMOUNT)
    byproducts_t = forms.DecimalField(label=pgettext_lazy("cleanaudit", "By-products (t)"), **AMOUNT)
    losses_t = forms.DecimalField(label=pgettext_lazy("cleanaudit", "Wastes and losses (t)"), **AMOUNT)


class OptionForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("cleanaudit", "Option"), max_length=200)
    cost_class = forms.ChoiceField(label=pgettext_lazy("cleanaudit", "Cost class"), choices=list(COST_CLASSES.items()))
    # A no-cost option (housekeeping) invests nothing: zero is allowed.
    investment_fen = YuanField(label=pgettext_lazy("cleanaudit", "Investment (yuan)"), allow_zero=True)
    yearly_saving_fen = YuanField(label=pgettext_lazy("cleanaudit", "Yearly savings (yuan)"), allow_zero=True)
    life_years = forms.IntegerField(label=pgettext_lazy("cleanaudit", "Life (years)"), min_value=1, max_value=50,
                                    initial=1)
    energy_saved_tce = forms.DecimalField(label=pgettext_lazy("cleanaudit", "Energy saved (tce a year)"),
                                          required=False, **AMOUNT)
    water_saved_m3 = forms.DecimalField(label=pgettext_lazy("cleanaudit", "Water saved (m³ a year)"),
                                        required=False, **AMOUNT)


class OptionStatusForm(forms.Form):
    status = forms.ChoiceField(label=pgettext_lazy("cleanaudit", "Status"), choices=list(OPTION_STATUSES.items()))
    measured_saving_fen = YuanField(label=pgettext_lazy("cleanaudit", "Measured yearly savings (yuan)"),
                                    allow_zero=True, required=False)


class ThreadForm(forms.Form):
    stage = forms.ChoiceField(label=pgettext_lazy("cleanaudit", "Stage"), choices=[(s.code, s.label) for s in STAGES])
    artefact = forms.IntegerField(label=pgettext_lazy("cleanaudit", "About the document"), required=False,
                                  min_value=1)
    subject = forms.CharField(label=pgettext_lazy("cleanaudit", "Subject"), max_length=200)
    body = forms.CharField(label=pgettext_lazy("cleanaudit", "Message"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ReplyForm(forms.Form):
    body = forms.CharField(label=pgettext_lazy("cleanaudit", "Answer"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class VisitForm(forms.Form):
    on = forms.DateField(label=pgettext_lazy("cleanaudit", "Visited on"))
    note = forms.CharField(label=pgettext_lazy("cleanaudit", "Note"), max_length=500, required=False)


class ReviewForm(forms.Form):
    """The scoring sheet of an assessment or acceptance: its items' points and the veto items hit."""

    reasons = forms.CharField(label=pgettext_lazy("cleanaudit", "Reasons"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    vetoes = forms.MultipleChoiceField(label=pgettext_lazy("cleanaudit", "Veto items (否定项)"), required=False,
                                       choices=list(rules.VETOES.items()), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        for item in rules.SHEETS[kind]:
            self.fields[f"score_{item.code}"] = forms.IntegerField(
                label=f"{item.label} (0–{item.weight})", min_value=0, max_value=item.weight)

    def scores(self) -> dict[str, int]:
        return {item.code: self.cleaned_data[f"score_{item.code}"] for item in rules.SHEETS[self.kind]}


class BenchmarkForm(forms.Form):
    """A new version of one indicator's levels for an industry; lower consumption is better."""

    industry = forms.ChoiceField(label=pgettext_lazy("cleanaudit", "Industry"), choices=list(INDUSTRIES.items()))
    indicator = forms.ChoiceField(label=pgettext_lazy("cleanaudit", "Indicator"),
                                  choices=list(rules.INDICATORS.items()))
    level_1 = forms.DecimalField(label=pgettext_lazy("cleanaudit", "Level I (international leading)"),
                                 max_digits=14, decimal_places=4)
    level_2 = forms.DecimalField(label=pgettext_lazy("cleanaudit", "Level II (domestic advanced)"),
                                 max_digits=14, decimal_places=4)
    level_3 = forms.DecimalField(label=pgettext_lazy("cleanaudit", "Level III (domestic basic)"),
                                 max_digits=14, decimal_places=4)
    restrictive = forms.BooleanField(label=pgettext_lazy("cleanaudit", "Restrictive indicator (限定性指标)"),
                                     required=False)
    effective_from = forms.DateField(label=pgettext_lazy("cleanaudit", "In force from"), required=False)


class TermForm(forms.Form):
    """The deadlines of one year's list."""

    year = forms.IntegerField(label=pgettext_lazy("cleanaudit", "Year of the list"), min_value=2016, max_value=2100)
    register_months = forms.IntegerField(label=pgettext_lazy("cleanaudit", "Registration within (months)"))
    start_months = forms.IntegerField(label=pgettext_lazy("cleanaudit", "Start within (months)"))
    assess_working_days = forms.IntegerField(label=pgettext_lazy("cleanaudit", "Assessment within (working days)"))
    accept_months = forms.IntegerField(label=pgettext_lazy("cleanaudit", "Acceptance within (months of the assessment)"))
