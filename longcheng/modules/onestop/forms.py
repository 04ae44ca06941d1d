"""The one-stop pages' forms, one per step (one URL per step, urls.py); the attach form also reads
the API's multipart upload. Each field is typed and labelled here and parsed by the kernel's fields
(YuanField for yuan); what a value may be — a place that exists, a complete form for a submission,
an answer not given yet, a document of a declared kind — stays the action's rule, whose refusal
`named` prefixes with the field's label like the form's own (kernel.forms.refusal)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import YuanField
from longcheng.kernel.orgs.validators import validate_uscc

from .catalogue import RESULTS, FieldSpec, ServiceSpec
from .rules import TEXT_LIMIT

ANSWER_LIMIT = 2000  # what actions._text allows a correction's request, answer or a rejection's reason


def named(error: KernelError, form: forms.Form) -> str:
    """An action's refusal as the page shows it: prefixed with the label of the form's field at
    fault (a result key is posted as result_<key>), unless the message carries it already."""
    message = str(error.message)
    field = form.fields.get(error.field or "") or form.fields.get(f"result_{error.field}")
    label = str(field.label) if field is not None and field.label else ""
    if not label or message.startswith(label):
        return message
    return _("%(field)s: %(message)s") % {"field": label, "message": message}


def typed(form: forms.Form) -> dict[str, str]:
    """What the user typed into a bound form (or its initial values), as the inputs show it."""
    out = {}
    for name in form.fields:
        value = form[name].value()
        out[name] = "" if value is None or isinstance(value, bool) else str(value)
    return out


# --- the applicant ------------------------------------------------------------------------------------


def _service_field(f: FieldSpec) -> forms.Field:
    label = str(f.label)  # the form is built per request, in its language
    # Nothing is required here: a draft may be incomplete; a submission's completeness is
    # actions.clean_form's rule, with its own message naming the field.
    if f.kind == "money":
        return YuanField(allow_zero=True, required=False, label=label)
    if f.kind == "date":
        return forms.DateField(required=False, label=label, input_formats=["%Y-%m-%d"],
                               error_messages={"invalid": gettext_lazy("Give a date as YYYY-MM-DD.")})
    if f.kind == "choice":
        return forms.ChoiceField(required=False, label=label, choices=[("", "—"), *f.choices])
    # A place's code is checked against the places by the action (read_place).
    return forms.CharField(required=False, label=label, max_length=TEXT_LIMIT)


class ApplicationForm(forms.Form):
    """A service's form, drawn from its declaration: the start page's, and the draft's for its
    three steps (save, check, submit). Money is yuan text in the inputs and integer fen in the
    data; `initial` takes the stored data (fen shows as yuan again)."""

    def __init__(self, spec: ServiceSpec, data: Any = None, *, initial: dict[str, Any] | None = None) -> None:
        super().__init__(data, initial=initial)
        self.spec = spec
        for f in spec.form:
            self.fields[f.name] = _service_field(f)

    def values(self) -> dict[str, Any]:
        """The data for the actions: every field of the declaration, empty ones as None or ""."""
        return {f.name: self.cleaned_data.get(f.name) for f in self.spec.form}


class AnswerForm(forms.Form):
    answer = forms.CharField(max_length=ANSWER_LIMIT, label=gettext_lazy("Your answer"))


class AttachForm(forms.Form):
    """A supporting document (page and API): which of the service's documents, and the file. The
    kind and the file's content (PDF, JPEG or PNG, at most 10 MB) are actions.do_attach's rules."""

    code = forms.CharField(max_length=50, label=gettext_lazy("Document"))
    file = forms.FileField(label=gettext_lazy("File"), error_messages={"required": gettext_lazy("Choose a file.")})


# --- the departments ----------------------------------------------------------------------------------


class TaskStepForm(forms.Form):
    # Where to go after the step (a path of this site, checked by the view).
    next = forms.CharField(required=False, max_length=300)


class AcceptForm(TaskStepForm):
    """Accept a task: one input per result key the task writes (required, as actions.do_accept
    refuses without them), and a note."""

    note = forms.CharField(required=False, max_length=TEXT_LIMIT, label=gettext_lazy("Note"))

    def __init__(self, data: Any, *, writes: tuple[str, ...]) -> None:
        super().__init__(data)
        self.writes = writes
        for key in writes:
            self.fields[f"result_{key}"] = forms.CharField(max_length=200, label=str(RESULTS.get(key, key)))

    def result(self) -> dict[str, Any]:
        result: dict[str, Any] = {key: self.cleaned_data[f"result_{key}"] for key in self.writes}
        if self.cleaned_data["note"]:
            result["note"] = self.cleaned_data["note"]
        return result


class CorrectForm(TaskStepForm):
    request = forms.CharField(max_length=ANSWER_LIMIT, label=gettext_lazy("What needs correcting"))


class RejectForm(TaskStepForm):
    reason = forms.CharField(max_length=ANSWER_LIMIT, label=gettext_lazy("Reason"))


# --- an enterprise's standing -------------------------------------------------------------------------


class FindForm(forms.Form):
    """The standing page's search (GET): an enterprise by its credit code."""

    uscc = forms.CharField(max_length=18, label=gettext_lazy("Unified social credit code"))

    def clean_uscc(self) -> str:
        try:
            return validate_uscc(self.cleaned_data["uscc"], field="uscc")
        except KernelError as exc:
            raise forms.ValidationError(str(exc.message), code=str(exc.code)) from None


class StandingForm(forms.Form):
    """The facts the user's offices keep for the enterprise found: amounts in yuan (empty: none
    owed), flags as checkboxes."""

    def __init__(self, data: Any, *, editable: list[str], labels: dict[str, Any]) -> None:
        super().__init__(data)
        for name in editable:
            if name.endswith("_fen"):
                self.fields[name] = YuanField(allow_zero=True, required=False, label=labels[name])
            else:
                self.fields[name] = forms.BooleanField(required=False, label=labels[name])

    def facts(self) -> dict[str, Any]:
        return {name: (value if value is not None else 0) for name, value in self.cleaned_data.items()}
