from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from longcheng.kernel.errors import KernelError
from longcheng.kernel.places.codes import place_by_code, places_by_codes
from longcheng.kernel.places.models import Place
from longcheng.kernel.widgets import DateWidget

from . import actions


def place_label(place: Place) -> str:
    """The whole path of a place, so that two 新华社区 in different towns cannot be confused."""
    return " / ".join(p.name for p in [*place.ancestors(), place])


class PlaceCodesField(forms.CharField):
    """Places by code, chosen with the place chooser (a searchable list of whole paths); only the
    places the administrator manages are accepted."""

    def __init__(self, *args: Any, many: bool = False, **kwargs: Any) -> None:
        self.many = many
        self.allowed: Any = Place.objects.none()
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        try:
            if self.many:
                return places_by_codes(value or "", field="places")
            return place_by_code(value or "", field="place")
        except KernelError as error:
            raise forms.ValidationError(str(error.message), code=str(error.code)) from None


class StaffFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False)
    place = forms.CharField(label=_("Place code"), required=False,
                            widget=forms.TextInput(attrs={"list": "place-choices"}))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("All")), ("active", _("Active")), ("inactive", _("Deactivated"))])

    def __init__(self, *args: Any, roles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("All")), *roles]  # type: ignore[attr-defined]


class StaffForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            help_text=_("Password reset links are sent to this number."))
    place = PlaceCodesField(label=_("Home place"), required=False,
                            widget=forms.TextInput(attrs={"list": "place-choices", "autocomplete": "off"}),
                            help_text=_("Type part of a name and pick from the list; the administrators of "
                                        "this place manage the account."))
    password = forms.CharField(label=_("Initial password"), required=False, widget=forms.PasswordInput,
                               help_text=_("Optional. The person must change it at first sign-in. Without "
                                           "one, send a reset link."))

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["username"]
            del self.fields["password"]


class AssignForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))
    places = PlaceCodesField(label=_("Within"), many=True,
                             widget=forms.TextInput(attrs={"list": "place-choices", "autocomplete": "off"}),
                             help_text=_("Type part of a name and pick from the list; several codes separated "
                                         "by commas."))
    ends_on = forms.DateField(label=_("Last day (temporary duty)"), required=False,
                              widget=DateWidget())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = actions.grantable_roles(actor)  # type: ignore[attr-defined]

    def ends_at(self) -> dt.datetime | None:
        day = self.cleaned_data.get("ends_on")
        return actions._end_of_day(day) if day else None


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("XLSX workbook"))


class TokenForm(forms.Form):
    token = forms.CharField(label=_("Code from the authenticator app"), max_length=8,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "autofocus": True}))
