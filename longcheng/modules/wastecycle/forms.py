"""The page forms of wastecycle: one form per change, each posted to its own url. Each form's inputs
have ids of their own (`auto_id`), so several forms share a page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import pgettext, pgettext_lazy

from longcheng.kernel.widgets import DateTimeWidget, DateWidget

from . import rules
from .models import KitchenReason, Meal, Step, Stream


class _Form(forms.Form):
    key = "form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.key}-%s")
        super().__init__(*args, **kwargs)


class WeighForm(_Form):
    key = "weigh"
    day = forms.DateField(label=pgettext_lazy("wastecycle", "Day"), widget=DateWidget())
    meal = forms.ChoiceField(label=pgettext_lazy("wastecycle", "Meal"), choices=Meal.choices, initial=Meal.LUNCH)
    diners = forms.IntegerField(label=pgettext_lazy("wastecycle", "Diners"), min_value=1, max_value=200,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    grams = forms.IntegerField(label=pgettext_lazy("wastecycle", "Leftovers (g)"), min_value=0, max_value=200_000,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class CorrectForm(_Form):
    key = "correct"
    grams = forms.IntegerField(label=pgettext_lazy("wastecycle", "Corrected leftovers (g)"), min_value=0,
                               max_value=200_000, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    reason = forms.CharField(label=pgettext_lazy("wastecycle", "Reason for the correction"), min_length=4,
                             max_length=200)


class PupilsForm(_Form):
    key = "pupils"
    day = forms.DateField(label=pgettext_lazy("wastecycle", "Day"), widget=DateWidget())
    meal = forms.ChoiceField(label=pgettext_lazy("wastecycle", "Meal"), choices=Meal.choices, initial=Meal.LUNCH)
    plates = forms.CharField(label=pgettext_lazy("wastecycle", "Plates: seat and grams, one pupil a line"),
                             widget=forms.Textarea(attrs={"rows": 8, "placeholder": "1 35\n2 0\n3 120"}))

    def clean_plates(self) -> dict[int, int]:
        plates: dict[int, int] = {}
        for n, line in enumerate(self.cleaned_data["plates"].splitlines(), 1):
            parts = line.replace(":", " ").replace("，", " ").replace(",", " ").split()
            if not parts:
                continue
            if len(parts) != 2 or not all(p.isdigit() for p in parts) or int(parts[0]) in plates:
                raise forms.ValidationError(pgettext("wastecycle", "Line %(n)d: a seat number and grams, once a seat.")
                                            % {"n": n})
            plates[int(parts[0])] = int(parts[1])
        return plates


class OptionsForm(_Form):
    key = "options"
    per_pupil = forms.BooleanField(label=pgettext_lazy("wastecycle", "This school weighs pupil by pupil"),
                                   required=False)


class KitchenForm(_Form):
    key = "kitchen"
    day = forms.DateField(label=pgettext_lazy("wastecycle", "Day"), widget=DateWidget())
    reason = forms.ChoiceField(label=pgettext_lazy("wastecycle", "Reason"), choices=KitchenReason.choices)
    grams = forms.IntegerField(label=pgettext_lazy("wastecycle", "Kitchen waste (g)"), min_value=1,
                               max_value=2_000_000)


class TicketForm(_Form):
    key = "ticket"
    ticket_key = forms.CharField(label=pgettext_lazy("wastecycle", "Ticket number"), max_length=64)
    vehicle = forms.CharField(label=pgettext_lazy("wastecycle", "Vehicle plate"), max_length=20)
    source_name = forms.CharField(label=pgettext_lazy("wastecycle", "From (community or market)"), max_length=100)
    stream = forms.ChoiceField(label=pgettext_lazy("wastecycle", "Stream"), choices=Stream.choices)
    gross_kg = forms.IntegerField(label=pgettext_lazy("wastecycle", "Gross (kg)"), min_value=1, max_value=100_000)
    gross_at = forms.DateTimeField(label=pgettext_lazy("wastecycle", "Weighed loaded at"), widget=DateTimeWidget())
    tare_kg = forms.IntegerField(label=pgettext_lazy("wastecycle", "Tare (kg)"), min_value=0, max_value=100_000)
    tare_at = forms.DateTimeField(label=pgettext_lazy("wastecycle", "Weighed empty at"), widget=DateTimeWidget())
    photo = forms.ImageField(label=pgettext_lazy("wastecycle", "Photo"), required=False)


class ReverseForm(_Form):
    key = "reverse"
    reason = forms.CharField(label=pgettext_lazy("wastecycle", "Reason for the correction"), min_length=4,
                             max_length=200)


class BatchForm(_Form):
    key = "batch"
    code = forms.CharField(label=pgettext_lazy("wastecycle", "Batch code"), max_length=30)
    started_at = forms.DateTimeField(label=pgettext_lazy("wastecycle", "Started at"), widget=DateTimeWidget())
    tickets = forms.CharField(label=pgettext_lazy("wastecycle", "Input ticket numbers (comma-separated)"),
                              max_length=2000)

    def ticket_keys(self) -> list[str]:
        return [k.strip() for k in self.cleaned_data["tickets"].replace("，", ",").split(",") if k.strip()]


class StepForm(_Form):
    key = "step"
    step = forms.ChoiceField(label=pgettext_lazy("wastecycle", "Step"), choices=Step.choices)
    at = forms.DateTimeField(label=pgettext_lazy("wastecycle", "At"), widget=DateTimeWidget())


class TemperatureForm(_Form):
    key = "temperatures"
    readings = forms.CharField(
        label=pgettext_lazy("wastecycle", "Readings, one a line: YYYY-MM-DD HH:MM °C"), max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 4}))

    def clean_readings(self) -> list[tuple[dt.datetime, Decimal]]:
        zone = timezone.get_current_timezone()
        parsed = []
        for n, line in enumerate(self.cleaned_data["readings"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split()
            value = rules.parse_measure(parts[-1]) if len(parts) == 3 else None
            try:
                at = dt.datetime.strptime(" ".join(parts[:2]), "%Y-%m-%d %H:%M").replace(tzinfo=zone)
            except ValueError:
                at = None
            if value is None or at is None:
                raise forms.ValidationError(pgettext("wastecycle", "Line %(n)d is not “date time °C”.") % {"n": n})
            parsed.append((at, value))
        if not parsed:
            raise forms.ValidationError(pgettext("wastecycle", "Type at least one reading."))
        return parsed


class FinishForm(_Form):
    key = "finish"
    output_kg = forms.IntegerField(label=pgettext_lazy("wastecycle", "Soil out (kg)"), min_value=1)
    residue_kg = forms.IntegerField(label=pgettext_lazy("wastecycle", "Residue (kg)"), min_value=0, initial=0)
    moisture_pct = forms.DecimalField(label=pgettext_lazy("wastecycle", "Moisture (%)"), min_value=0, max_value=100,
                                      decimal_places=1, required=False)
    done_at = forms.DateTimeField(label=pgettext_lazy("wastecycle", "Done at"), widget=DateTimeWidget())


class LotTestForm(_Form):
    key = "test"
    tested_on = forms.DateField(label=pgettext_lazy("wastecycle", "Tested on"), widget=DateWidget())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for measure, (label, unit, _low, _high) in rules.NYT525.items():
            shown = f"{label} ({unit})" if unit else str(label)
            self.fields[measure] = forms.DecimalField(label=shown, max_digits=8, decimal_places=3)

    def values(self) -> dict[str, str]:
        return {m: str(self.cleaned_data[m]) for m in rules.NYT525}


class CollectorForm(_Form):
    key = "collector"
    name = forms.CharField(label=pgettext_lazy("wastecycle", "Farmer or village"), max_length=100)
    village = forms.IntegerField(label=pgettext_lazy("wastecycle", "Village"), min_value=1)


class HandoutForm(_Form):
    key = "handout"
    collector = forms.IntegerField(label=pgettext_lazy("wastecycle", "Collector"), min_value=1)
    lot = forms.IntegerField(label=pgettext_lazy("wastecycle", "Soil lot"), min_value=1)
    on = forms.DateField(label=pgettext_lazy("wastecycle", "Collected on"), widget=DateWidget())
    kg = forms.IntegerField(label=pgettext_lazy("wastecycle", "Soil (kg)"), min_value=1, max_value=100_000)


class ShipmentForm(_Form):
    key = "shipment"
    shipped_at = forms.DateTimeField(label=pgettext_lazy("wastecycle", "Shipped at"), widget=DateTimeWidget())
    vehicle = forms.CharField(label=pgettext_lazy("wastecycle", "Vehicle plate"), max_length=20)
    blocks = forms.IntegerField(label=pgettext_lazy("wastecycle", "Blocks"), min_value=1, max_value=50)
    shipped_kg = forms.IntegerField(label=pgettext_lazy("wastecycle", "Shipped (kg)"), min_value=1, max_value=100_000)


class CompactionForm(_Form):
    key = "compaction"
    at = forms.DateTimeField(label=pgettext_lazy("wastecycle", "Compacted at"), widget=DateTimeWidget())
    blocks = forms.IntegerField(label=pgettext_lazy("wastecycle", "Blocks"), min_value=1, max_value=50)
    kg = forms.IntegerField(label=pgettext_lazy("wastecycle", "Compacted (kg)"), min_value=1, max_value=100_000)


class ReceiveForm(_Form):
    key = "receive"
    received_kg = forms.IntegerField(label=pgettext_lazy("wastecycle", "Received at the plant (kg)"), min_value=1,
                                     max_value=100_000)


class StockForm(_Form):
    key = "stock"
    month = forms.DateField(label=pgettext_lazy("wastecycle", "Month (its first day)"), widget=DateWidget())
    kg = forms.IntegerField(label=pgettext_lazy("wastecycle", "Stock at the month's end (kg)"), min_value=0,
                            max_value=10_000_000)
