"""The module's page forms, one per step and one URL per step: the alarm's (views.py ALARM_STEPS),
a person's (views_programme.py), the work orders' and the survey import's (views_orders.py). Each
field is typed and labelled here; what a value may be (an outcome, who goes to the door) is the action's rule, whose
refusal names the field like the form's own (kernel.forms.refusal)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from longcheng.kernel.access.models import User

from .actions import THRESHOLDS
from .devices import DEVICE_TYPES
from .models import Device, Enrollee, FalseAlarmReason, FeatureRequest, Outcome


class StepForm(forms.Form):
    # Where to go after the step: the console or the alarm page (checked by the view).
    back = forms.CharField(required=False, max_length=300)


class NoteForm(StepForm):
    note = forms.CharField(required=False, max_length=500, label=_("Note"))


class DispatchForm(NoteForm):
    to_user = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_("Send to the door"))

    def __init__(self, data: Any, *, candidates: list[Any]) -> None:
        super().__init__(data)
        self.candidates = {u.pk: u for u in candidates}
        self.fields["to_user"].choices = [("", "—"), *((u.pk, str(u)) for u in candidates)]  # type: ignore[attr-defined]

    def chosen(self) -> Any:
        return self.candidates.get(self.cleaned_data["to_user"])


class ResolveForm(StepForm):
    # Left to the action when empty: "choose an outcome" is its rule, with its own message.
    outcome = forms.ChoiceField(required=False, choices=[("", "—"), *Outcome.choices], label=pgettext_lazy("alarm", "Outcome"))
    notes = forms.CharField(required=False, max_length=2000, label=_("Notes"))
    false_alarm_reason = forms.ChoiceField(required=False, choices=[("", "—"), *FalseAlarmReason.choices],
                                           label=_("Why it was false"))


class CommentForm(StepForm):
    # Empty or too long is the action's rule (alarm_work.do_comment), refused with the field named.
    text = forms.CharField(required=False, strip=False, label=pgettext_lazy("homesafety", "Comment"))


class AssignForm(StepForm):
    assignee = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_("Assignee"))

    def __init__(self, data: Any, *, candidates: list[Any]) -> None:
        super().__init__(data)
        self.candidates = {u.pk: u for u in candidates}
        self.fields["assignee"].choices = [("", "—"), *((u.pk, str(u)) for u in candidates)]  # type: ignore[attr-defined]

    def chosen(self) -> Any:
        return self.candidates.get(self.cleaned_data["assignee"])


# --- the programme's pages: one form per step (views_programme.py, views_orders.py) ----------------------
# Each form reads its inputs into typed values (a whole number, a date, a chosen row); the ranges a
# value must keep (a radius of 50 to 20,000 m, a threshold that still makes medical sense) are the
# action's rules, refused with the field named as these forms do.


class SafetyForm(forms.Form):
    radius_m = forms.IntegerField(required=False, label=_("Safe zone radius (m)"))
    polygon = forms.CharField(required=False, max_length=4000, label=pgettext_lazy("homesafety", "Safe zone outline"))
    home_lat = forms.FloatField(required=False, label=pgettext_lazy("homesafety", "Home latitude"))
    home_lon = forms.FloatField(required=False, label=pgettext_lazy("homesafety", "Home longitude"))
    quiet_start = forms.TimeField(required=False, label=pgettext_lazy("homesafety", "Quiet hours from"))
    quiet_end = forms.TimeField(required=False, label=pgettext_lazy("homesafety", "Quiet hours to"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lon = data.get("home_lat"), data.get("home_lon")
        # One half of a position is a typo, not a place: refused rather than silently dropped.
        if (lat is None) != (lon is None) and not self.errors:
            self.add_error("home_lon" if lon is None else "home_lat",
                           pgettext_lazy("homesafety", "Enter both the home latitude and the home longitude."))
        return data

    def home(self) -> tuple[float, float] | None:
        lat, lon = self.cleaned_data["home_lat"], self.cleaned_data["home_lon"]
        return (lat, lon) if lat is not None and lon is not None else None


class ThresholdsForm(forms.Form):
    """One input per threshold a person may have (actions.THRESHOLDS); empty clears it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (label, _low, _high, whole) in THRESHOLDS.items():
            field = forms.IntegerField if whole else forms.FloatField
            self.fields[name] = field(required=False, label=label)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in THRESHOLDS}


class FeatureRequestForm(forms.Form):
    device = forms.ModelChoiceField(queryset=Device.objects.none(), label=_("Device"),
                                    error_messages={"required": _("Choose a wristband."),
                                                    "invalid_choice": _("Choose a wristband.")})
    feature = forms.ChoiceField(choices=FeatureRequest.FEATURES, label=_("feature"))
    enable = forms.BooleanField(required=False, label=_("turn on"))
    # Who asked and the family's consent are the action's rules (do_request_feature), with its messages.
    requested_by = forms.CharField(required=False, max_length=50, label=_("asked by"))
    family_consent = forms.BooleanField(required=False, label=_("the family consents"))

    def __init__(self, *args: Any, devices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["device"].queryset = devices  # type: ignore[attr-defined]


class ScheduleForm(forms.Form):
    enrollee = forms.ModelChoiceField(queryset=Enrollee.objects.none(), label=_("Person"),
                                      error_messages={"required": _("Choose a person."),
                                                      "invalid_choice": _("Choose a person.")})
    installer = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Installer"),
                                       error_messages={"required": _("Choose an installer."),
                                                       "invalid_choice": _("Choose an installer.")})
    scheduled_for = forms.DateField(label=_("Date"), error_messages={"required": _("Choose a date.")})

    def __init__(self, *args: Any, enrollees: Any, installers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enrollee"].queryset = enrollees  # type: ignore[attr-defined]
        self.fields["installer"].queryset = installers  # type: ignore[attr-defined]


class BindForm(forms.Form):
    """A serial or IMEI per device type; the action asks for those of the person's planned kit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, kind in DEVICE_TYPES.items():
            self.fields[f"serial_{code}"] = forms.CharField(required=False, max_length=40, label=kind.label)

    def serials(self) -> dict[str, str]:
        return {code: self.cleaned_data[f"serial_{code}"] for code in DEVICE_TYPES}


class FailForm(forms.Form):
    reason = forms.CharField(required=False, max_length=200, label=_("reason it failed"))


MAX_UPLOAD = 5 * 1024 * 1024


class SurveyImportForm(forms.Form):
    file = forms.FileField(label=_("File"), error_messages={"required": _("Choose a file to upload.")})
    skip_bad = forms.BooleanField(required=False, label=_("Import the good rows and skip the bad ones"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size and upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 5 MB."), code="too_large")
        return upload



class DeviceBindForm(forms.Form):
    prefix = "bind"  # three device forms share the person page: their fields' names and ids kept apart
    kind = forms.ChoiceField(label=_("Device type"), error_messages={"required": _("Choose a device type."),
                                                                      "invalid_choice": _("Choose a device type.")})
    serial = forms.CharField(max_length=40, label=_("Serial or IMEI"),
                             error_messages={"required": _("Enter the serial or IMEI of the device.")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(code, t.label) for code, t in DEVICE_TYPES.items()]  # type: ignore[attr-defined]


class UnbindForm(forms.Form):
    prefix = "unbind"
    device = forms.ModelChoiceField(queryset=Device.objects.none(), label=_("Device"),
                                    error_messages={"required": _("Choose one of the person's devices."),
                                                    "invalid_choice": _("Choose one of the person's devices.")})
    # Required by the action, with its message (binding._reason).
    reason = forms.CharField(required=False, max_length=200, label=_("Why it is taken off"))

    def __init__(self, *args: Any, devices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["device"].queryset = devices  # type: ignore[attr-defined]


class SwapForm(UnbindForm):
    prefix = "swap"
    serial = forms.CharField(max_length=40, label=_("Serial or IMEI of the new device"),
                             error_messages={"required": _("Enter the serial or IMEI of the device.")})
