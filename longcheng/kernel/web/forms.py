from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from longcheng.kernel.access.scope import restrict
from longcheng.kernel.places.models import Level, Place
from longcheng.kernel.widgets import DateTimeWidget, DateWidget, PlaceChoiceField


class ResidentForm(forms.Form):
    resident_id = forms.CharField(label=_("Resident ID number"), max_length=25)
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    place = PlaceChoiceField(label=_("Community or grid"), queryset=Place.objects.none(),
                             help_text=_("Type part of a name (the town, the community or the grid) and pick the whole path."))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["place"]
        assert isinstance(field, PlaceChoiceField)
        field.queryset = restrict(
            Place.objects.filter(level__in=[Level.COMMUNITY, Level.GRID]), user, "people.manage"
        ).order_by("path")


class RevealForm(forms.Form):
    fields_ = forms.MultipleChoiceField(
        label=_("Reveal"), choices=[("resident_id", _("ID number")), ("phone", _("Phone"))],
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fields"] = self.fields.pop("fields_")


class DeathForm(forms.Form):
    died_on = forms.DateField(label=_("Date of death"), widget=DateWidget())
    reason = forms.CharField(label=_("Source of the record"), max_length=200, required=False)


class WorkdaysForm(forms.Form):
    start = forms.DateTimeField(label=_("Start (Beijing time)"),
                                widget=DateTimeWidget())
    duration = forms.DecimalField(label=_("Working days"), min_value=0, max_value=1000, decimal_places=1,
                                  required=False)
    end = forms.DateTimeField(label=_("End (Beijing time)"), required=False,
                              widget=DateTimeWidget())


class ScheduleForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2004, max_value=2100)
    source = forms.CharField(label=_("Source (State Council notice)"), max_length=200)
    csv = forms.CharField(label=_("Days (CSV: date,kind,name)"), widget=forms.Textarea(attrs={"rows": 8}))


class StatementForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateWidget())
    end = forms.DateField(label=_("To"), widget=DateWidget())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end date must not be before the start date."))
        return data
