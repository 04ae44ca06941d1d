"""The youth aid pages' step forms: one form per url (a case's steps, views/cases.py STEPS; a payment
batch's steps, views/payments.py; the rooms page's step, views/rooms.py; the review, fund, rules and
volunteers pages' steps, views/review.py, fund.py, volunteers.py).

A form types its fields (yuan → fen through the kernel's YuanField, whole numbers, dates, ids as text
read by `parse_id`) and labels them; what a value may be (a risk level, a reason of at least 4
characters, an amount within the entitlement) is the action's rule. An action names the field at
fault by its own key, which may differ from the input's name: `ALIASES` maps it back, so that the
page's message names the field by the label the user sees (`refused`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import YuanField, named

# A KernelError's field (the action's key) → the input that holds it, where the two differ.
ALIASES = {"recommendation": "note", "started_on": "on", "budget_fen": "budget", "spent_fen": "spent",
           "deceased_parent_id": "deceased_parent", "surviving_parent_id": "surviving_parent",
           "guardian_id": "guardian", "return_reason": "reason", "min_fen": "min", "max_fen": "max",
           "yearly_cap_fen": "cap", "grade_amounts": "grade_1", "vetting_note": "note",
           "requested_fen": "amount", "recommended_fen": "amount", "approved_fen": "amount",
           "decision_reason": "reason"}


def refused(error: KernelError, form: forms.Form | None) -> str:
    """The refusal's message, after the label of the field at fault (kernel.forms.named, with the
    module's aliases)."""
    return named(error, form, ALIASES)


def _text(label: Any, **kwargs: Any) -> forms.CharField:
    # Optional here: whether a text is required, and how long it may be, is the action's rule.
    return forms.CharField(label=label, required=False, **kwargs)


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False)


def _number(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False)


class PresentOnly(forms.Form):
    """A form whose inputs, when not sent at all, leave the record as it is."""

    def changes(self, keys: tuple[str, ...]) -> dict[str, Any]:
        return {key: self.cleaned_data[key] for key in keys if key in self.data}


# --- a case's steps -----------------------------------------------------------------------------------------


class ConsentForm(forms.Form):
    given_by = forms.TypedChoiceField(label=_("Given by"), coerce=int, error_messages={
        "required": _("Choose who gives the consent."), "invalid_choice": _("Choose who gives the consent.")})
    sensitive = forms.BooleanField(label=_("Also for health and bank data"), required=False)

    def __init__(self, data: Any, *, givers: list[Any]) -> None:
        super().__init__(data)
        self.givers = {p.pk: p for p in givers}
        self.fields["given_by"].choices = [(pk, str(pk)) for pk in self.givers]  # type: ignore[attr-defined]


class ProfileForm(PresentOnly):
    risk = _text(_("Risk level"))
    # ID numbers, read by the action among the residents the user may reach (never put in the page).
    deceased_parent = _text(_("Parent who died (ID number)"))
    parent_died_on = _date(_("Date of the parent's death"))
    surviving_parent = _text(_("Surviving parent (ID number)"))
    surviving_parent_status = _text(_("Surviving parent's situation"))
    guardian = _text(_("Guardian (ID number)"))
    stage = _text(_("School stage"))
    school = _text(_("School"))
    grade = _text(_("Grade"))
    university_admitted_year = _number(_("Year admitted to university"))
    household_size = _number(_("Household size"))
    monthly_income_fen = YuanField(label=_("Household income per month (yuan)"), required=False, allow_zero=True)
    hardship_grade = _number(_("Hardship grade"))
    needs = _text(_("Needs"), strip=False)
    reason = _text(_("Reason for the change"))


class RevealForm(forms.Form):
    reason = _text(_("Reason"))

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        # The input is named "fields", which a Form's class body cannot declare (Form.fields).
        self.fields["fields"] = forms.MultipleChoiceField(
            label=_("What to reveal"), choices=[("health", _("health")), ("bank", _("bank account"))])


class SensitiveForm(PresentOnly):
    serious_illness = forms.ChoiceField(label=_("Serious illness"), required=False,
                                        choices=[("", "—"), ("1", _("yes")), ("0", _("no"))])
    health_note = _text(_("Health"))
    bank_name = _text(_("Bank"))
    bank_account = _text(_("Bank account"))
    reason = _text(_("Reason for the change"))

    def changes(self, keys: tuple[str, ...] = ("serious_illness", "health_note", "bank_name", "bank_account")
                ) -> dict[str, Any]:
        # Empty: unchanged (the form never shows the stored values).
        return {key: value for key, value in super().changes(keys).items() if str(value).strip()}


class NoteForm(forms.Form):
    note = _text(_("Note"), max_length=300)  # a screening's note column; refused, not cut off


class AppealForm(forms.Form):
    note = _text(_("Appeal: what the family contests"))


class VisitForm(forms.Form):
    visited_on = _date(_("Visited on"))
    situation = _text(_("Situation"))
    needs = _text(_("Needs"))
    risk = _text(_("Risk level"))


class LifeEventForm(forms.Form):
    kind = _text(pgettext_lazy("life event", "Event"))
    on = _date(_("Date"))
    note = _text(_("Note"))
    hardship_grade = _number(_("Hardship grade"))


class ApplyForm(forms.Form):
    aid_type = _text(_("Aid type"))
    year = _number(_("Year"))
    amount = YuanField(label=_("Amount (yuan)"))
    reason = _text(_("Reason"))


class RecommendForm(forms.Form):
    application = _text(_("Application"))
    recommend = forms.ChoiceField(label=_("Recommendation"), choices=[("yes", "yes"), ("no", "no")])
    amount = YuanField(label=_("Amount (yuan, empty: as asked)"), required=False)
    note = _text(_("Note"))


class PairForm(forms.Form):
    volunteer = _text(_("Vetted volunteer"))
    on = _date(_("Date"))


class ContactForm(forms.Form):
    on = _date(_("Date"))
    kind = _text(pgettext_lazy("contact", "Kind"))
    note = _text(_("Note"))


class UnpairForm(forms.Form):
    reason = _text(_("Reason for ending the pairing"))


class RoomForm(forms.Form):
    budget = YuanField(label=_("Budget (yuan)"))
    contractor = _text(_("Contractor"))
    before_note = _text(_("The room now"))


class AdvanceRoomForm(forms.Form):
    """One step of a dream room: where it goes, what was spent (when done) and a note."""

    room = _text(_("Dream room"))
    to = _text(_("Step"))
    spent = YuanField(label=_("Spent (yuan)"), required=False)
    after_note = _text(_("After"), strip=False)
    reason = _text(_("Reason"))  # returning or rejecting a proposal
    budget = YuanField(label=_("Budget (yuan)"), required=False)  # proposing a returned room again


class ReportForm(forms.Form):
    resident_id = _text(_("Resident ID number"))
    name = _text(_("Name"))
    channel = _text(_("How you know the youth"))
    note = _text(_("What you saw"))


# --- payment batches ----------------------------------------------------------------------------------------


class BatchForm(forms.Form):
    title = _text(_("Title"))


class PayBatchForm(forms.Form):
    pass


class ReturnPaymentForm(forms.Form):
    payment = _text(_("Payment"))
    reason = _text(_("Bank's reason"))


class ReissueForm(forms.Form):
    payment = _text(_("Payment"))


# --- the review queue, the fund, the aid rules and hope parents -------------------------------------------


class DecideForm(forms.Form):
    """The federation's decision on one recommended application."""

    application = forms.CharField(label=_("Application"))
    decision = forms.ChoiceField(label=_("Decision"), choices=(("approve", _("Approve")), ("reject", _("Reject"))),
                                 error_messages={"required": _("Choose approve or reject."),
                                                 "invalid_choice": _("Choose approve or reject.")})
    amount = YuanField(label=_("Approved amount"), required=False)
    reason = _text(_("Reason"), strip=False)


class DonateForm(forms.Form):
    donor = _text(_("Donor"))
    amount = YuanField(label=_("Amount (yuan)"))
    token = _text("token")


class RulesForm(forms.Form):
    """An aid type's amounts and caps; the grade amounts only for a type given by hardship grade."""

    code = _text(_("Aid type"))
    min = YuanField(label=_("Smallest amount (yuan)"))
    max = YuanField(label=_("Largest amount (yuan)"))
    cap = YuanField(label=_("Yearly cap (yuan)"))
    grade_1 = YuanField(label=_("Grade 1 (yuan)"), required=False)
    grade_2 = YuanField(label=_("Grade 2 (yuan)"), required=False)
    grade_3 = YuanField(label=_("Grade 3 (yuan)"), required=False)
    proof_required = forms.BooleanField(label=_("Proof required"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False)
    reason = _text(_("Reason for the change"))


class RegisterVolunteerForm(forms.Form):
    name = _text(_("Name"))
    phone = _text(_("Phone"))
    place = _text(_("Lives in"))
    occupation = _text(_("Occupation"))


class VetForm(forms.Form):
    volunteer = _text(_("Volunteer"))
    status = _text(_("Vetting"))
    note = _text(_("Note"))
