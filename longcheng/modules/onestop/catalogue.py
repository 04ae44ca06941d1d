"""The one-stop services (一件事), each declared once as data.

A service is a form, the pre-checks run before it may be submitted, and the department tasks it fans
out into. `after` names the tasks a task waits for; every task whose dependencies are all done is
open at the same time, so departments work in parallel. Declarations are checked when registered
(at import): an unknown dependency, a cycle, an unknown department or pre-check is a programming
error and stops the process from starting.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .prechecks import PRECHECKS

if TYPE_CHECKING:
    from django.utils.functional import Promise

    Label = str | Promise
else:
    Label = Any

FieldKind = Literal["text", "date", "place", "money", "choice"]
FIELD_KINDS = ("text", "date", "place", "money", "choice")
HALF = Decimal("0.5")
# Enterprise (Organisation) fields a completed service may change from its form, e.g. relocation.
APPLICABLE_ORG_FIELDS = ("place", "address")


class DeclarationError(ValueError):
    """A service declaration that cannot work; raised at import."""


@dataclass(frozen=True)
class Office:
    """A handling office: the permission `onestop.handle.<code>` lets its clerks act on its tasks."""

    code: str
    label: Label


@dataclass(frozen=True)
class Department:
    """Where a task goes: an office, on the side of the enterprise's current district ("current") or
    of the district it moves to ("receiving", relocation's move-in and change of registration)."""

    code: str
    label: Label
    office: str
    side: Literal["current", "receiving"] = "current"


OFFICES: dict[str, Office] = {o.code: o for o in (
    Office("market_regulation", _("Market regulation")),
    Office("tax", _("Tax")),
    Office("social_security", _("Human resources and social security")),
    Office("housing_fund", _("Housing provident fund")),
    Office("power_supply", _("Power supply")),
    Office("public_security", _("Public security (seals)")),
    Office("bank", pgettext_lazy("office", "Bank")),
    Office("customs", _("Customs")),
    Office("commerce", _("Commerce (foreign trade filing)")),
)}

DEPARTMENTS: dict[str, Department] = {d.code: d for d in (
    Department("market_regulation_out", _("Market regulation of the sending district"), "market_regulation"),
    Department("market_regulation_in", _("Market regulation of the receiving district"), "market_regulation",
               "receiving"),
    *(Department(o.code, o.label, o.code) for o in OFFICES.values()),
)}


def departments_of(office: str) -> tuple[str, ...]:
    return tuple(code for code, d in DEPARTMENTS.items() if d.office == office)


@dataclass(frozen=True)
class DocumentSpec:
    """A supporting document the applicant uploads (a scan: PDF, JPEG or PNG). `required`: the
    application cannot be submitted without it."""

    code: str
    label: Label
    required: bool = False


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: Label
    kind: FieldKind = "text"
    required: bool = True
    choices: tuple[tuple[str, Label], ...] = ()


# What departments write back to an application (TaskSpec.writes), as people read it: the label of
# the accept form's input, of the case's results on the applicant's and the staff's pages, and of
# the audit trail's change lines (spec.ONESTOP_AUDIT_FIELDS). A task writing an undeclared key is a
# declaration error.
RESULTS: dict[str, Label] = {
    "registration_authority": _("Registration authority"),
    "clearance_no": _("Tax clearance certificate number"),
    "licence_no": _("Business licence number"),
}


def result_label(key: str) -> str:
    return str(RESULTS[key]) if key in RESULTS else key


@dataclass(frozen=True)
class TaskSpec:
    code: str
    label: Label
    department: str
    limit_days: Decimal
    after: tuple[str, ...] = ()
    required: bool = True
    # Keys the department must put in its result; they are copied into the case's outcome.
    writes: tuple[str, ...] = ()
    # A form field: an optional task becomes required when the applicant fills it in (asked for
    # it: start-up's power supply with 用电需求 given), so the case waits for it instead of closing it.
    requested_by: str = ""

    def required_for(self, data: dict[str, Any]) -> bool:
        """Whether this task must be done for a case with this form data."""
        return self.required or bool(self.requested_by and data.get(self.requested_by) not in (None, ""))


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    label: Label
    form: tuple[FieldSpec, ...]
    prechecks: tuple[str, ...]
    tasks: tuple[TaskSpec, ...]
    limit_days: Decimal
    # (form field, enterprise field): applied to the enterprise when the case completes.
    applies: tuple[tuple[str, str], ...] = ()
    # The enterprise is closed (Organisation.closed_on) when the case completes: deregistration.
    closes_enterprise: bool = False
    # Supporting documents the applicant uploads; the departments read them with the form.
    documents: tuple[DocumentSpec, ...] = ()

    def task(self, code: str) -> TaskSpec:
        for t in self.tasks:
            if t.code == code:
                return t
        raise KeyError(code)

    def document(self, code: str) -> DocumentSpec:
        for d in self.documents:
            if d.code == code:
                return d
        raise KeyError(code)

    def field(self, name: str) -> FieldSpec:
        for f in self.form:
            if f.name == name:
                return f
        raise KeyError(name)


_SERVICES: dict[str, ServiceSpec] = {}


def _check_limit(value: Decimal, what: str) -> None:
    if not isinstance(value, Decimal) or value <= 0 or value % HALF != 0:
        raise DeclarationError(f"{what}: a time limit is a positive multiple of 0.5 working days (a Decimal)")


def validate(spec: ServiceSpec) -> None:
    where = f"service {spec.code!r}"
    if not spec.code.isidentifier():
        raise DeclarationError(f"{where}: the code must be an identifier")
    _check_limit(spec.limit_days, where)
    names = [f.name for f in spec.form]
    if len(set(names)) != len(names):
        raise DeclarationError(f"{where}: a form field is declared twice")
    documents = [d.code for d in spec.documents]
    if len(set(documents)) != len(documents) or not all(code.isidentifier() for code in documents):
        raise DeclarationError(f"{where}: document codes must be identifiers, each declared once")
    for f in spec.form:
        if f.kind not in FIELD_KINDS:
            raise DeclarationError(f"{where}: field {f.name!r} has unknown kind {f.kind!r}")
        if (f.kind == "choice") != bool(f.choices):
            raise DeclarationError(f"{where}: field {f.name!r}: choices go with (and only with) kind 'choice'")
    for check in spec.prechecks:
        if check not in PRECHECKS:
            raise DeclarationError(f"{where}: unknown pre-check {check!r}")
    for form_field, org_field in spec.applies:
        if form_field not in names or org_field not in APPLICABLE_ORG_FIELDS:
            raise DeclarationError(f"{where}: cannot apply {form_field!r} to the enterprise's {org_field!r}")
    if any(DEPARTMENTS[t.department].side == "receiving" for t in spec.tasks if t.department in DEPARTMENTS) \
            and ("place" not in [org for _f, org in spec.applies]):
        raise DeclarationError(f"{where}: a receiving-district task needs a form field applied to the place")
    if not spec.tasks:
        raise DeclarationError(f"{where}: a service needs at least one task")
    codes = [t.code for t in spec.tasks]
    if len(set(codes)) != len(codes):
        raise DeclarationError(f"{where}: a task code is declared twice")
    by_code = {t.code: t for t in spec.tasks}
    for t in spec.tasks:
        if t.department not in DEPARTMENTS:
            raise DeclarationError(f"{where}: task {t.code!r} has unknown department {t.department!r}")
        _check_limit(t.limit_days, f"{where}, task {t.code!r}")
        if t.requested_by and (t.requested_by not in names or t.required):
            raise DeclarationError(f"{where}: task {t.code!r} is requested by unknown field {t.requested_by!r}"
                                   if t.requested_by not in names else
                                   f"{where}: task {t.code!r} is required anyway; requested_by is for optional tasks")
        for dep in t.after:
            if dep not in by_code:
                raise DeclarationError(f"{where}: task {t.code!r} waits for unknown task {dep!r}")
            if (t.required or t.requested_by) and not by_code[dep].required:
                raise DeclarationError(f"{where}: required task {t.code!r} cannot wait for optional {dep!r}")
    # A cycle: depth-first search with colours.
    state: dict[str, int] = {}

    def visit(code: str, trail: tuple[str, ...]) -> None:
        if state.get(code) == 2:
            return
        if state.get(code) == 1:
            raise DeclarationError(f"{where}: tasks wait for each other in a cycle: {' → '.join((*trail, code))}")
        state[code] = 1
        for dep in by_code[code].after:
            visit(dep, (*trail, code))
        state[code] = 2

    for code in codes:
        visit(code, ())


def register_service(spec: ServiceSpec) -> ServiceSpec:
    validate(spec)
    for t in spec.tasks:
        unlabelled = [key for key in t.writes if key not in RESULTS]
        if unlabelled:
            raise DeclarationError(f"service {spec.code!r}, task {t.code!r} writes {unlabelled} with no label in RESULTS")
    if spec.code in _SERVICES and _SERVICES[spec.code] != spec:
        raise DeclarationError(f"service {spec.code!r} is registered twice")
    _SERVICES[spec.code] = spec
    return spec


def services() -> list[ServiceSpec]:
    return list(_SERVICES.values())


def service(code: str) -> ServiceSpec:
    try:
        return _SERVICES[code]
    except KeyError:
        raise KeyError(f"no one-stop service {code!r}") from None


D = Decimal
COMMON_CHECKS = ("tax_arrears", "social_arrears", "abnormal_list", "open_penalty")

RELOCATION = register_service(ServiceSpec(
    code="relocation",
    label=_("Enterprise relocation registration"),
    form=(
        FieldSpec("new_place", _("New district, street or town"), "place"),
        FieldSpec("new_address", _("New address")),
        FieldSpec("moving_date", _("Moving date"), "date"),
        FieldSpec("reason", _("Reason for moving")),
    ),
    prechecks=(*COMMON_CHECKS, "relocation_target", "moving_date"),
    tasks=(
        TaskSpec("file_out", _("Transfer of the registration file out of the old district"),
                 "market_regulation_out", D("0.5")),
        TaskSpec("move_in", _("Move-in application"), "market_regulation_in", D("0.5")),
        TaskSpec("change_registration", _("Change of registration"), "market_regulation_in", D("0.5"),
                 after=("file_out", "move_in"), writes=("registration_authority",)),
        TaskSpec("tax", _("Tax migration"), "tax", D("1")),
        TaskSpec("social_security", _("Social security transfer"), "social_security", D("1")),
        TaskSpec("housing_fund", _("Housing provident fund transfer"), "housing_fund", D("1")),
    ),
    limit_days=D("1.5"),
    applies=(("new_place", "place"), ("new_address", "address")),
    documents=(
        DocumentSpec("premises", _("Proof of the right to use the new premises")),
        DocumentSpec("resolution", _("Shareholders' resolution on the move")),
    ),
))

DEREGISTRATION = register_service(ServiceSpec(
    code="deregistration",
    label=_("Enterprise deregistration"),
    form=(
        FieldSpec("reason", _("Reason for deregistration"), "choice", choices=(
            ("dissolution", _("Dissolution decided by the shareholders")),
            ("expiry", _("Term of operation expired")),
            ("merger", _("Merger or division")),
        )),
        FieldSpec("liquidation_date", _("Date the liquidation report was approved"), "date"),
        FieldSpec("remaining_assets", _("Remaining assets"), "money", required=False),
    ),
    prechecks=("social_arrears", "abnormal_list", "open_penalty"),
    tasks=(
        TaskSpec("tax_clearance", _("Tax clearance"), "tax", D("1"), writes=("clearance_no",)),
        TaskSpec("social_security", _("Closing the social security account"), "social_security", D("1")),
        TaskSpec("housing_fund", _("Closing the housing provident fund account"), "housing_fund", D("1")),
        TaskSpec("customs", _("Customs deregistration"), "customs", D("1"), required=False),
        TaskSpec("commerce_filing", _("Foreign trade operator filing"), "commerce", D("1"), required=False),
        TaskSpec("deregistration", _("Deregistration of the business licence"), "market_regulation", D("1"),
                 after=("tax_clearance", "social_security", "housing_fund")),
        TaskSpec("seal_cancellation", _("Cancellation of the seals"), "public_security", D("0.5"),
                 after=("deregistration",)),
        TaskSpec("bank_closure", _("Closing the bank accounts"), "bank", D("0.5"), after=("deregistration",)),
    ),
    limit_days=D("3"),
    closes_enterprise=True,
    documents=(
        DocumentSpec("liquidation_report", _("Liquidation report")),
        DocumentSpec("resolution", _("Shareholders' resolution to dissolve")),
    ),
))

STARTUP = register_service(ServiceSpec(
    code="startup",
    label=_("Joint business start-up"),
    form=(
        FieldSpec("business_scope", _("Business scope")),
        FieldSpec("registered_capital", _("Registered capital"), "money"),
        FieldSpec("opening_date", _("Planned opening date"), "date", required=False),
        FieldSpec("power_capacity", _("Power supply needed"), "choice", required=False, choices=(
            ("low", _("Low voltage (under 160 kW)")),
            ("high", _("High voltage")),
        )),
    ),
    prechecks=(),
    tasks=(
        TaskSpec("licence", _("Business licence"), "market_regulation", D("0.5"), writes=("licence_no",)),
        TaskSpec("seal", _("Seal engraving"), "public_security", D("0.5"), after=("licence",)),
        TaskSpec("invoice_tax", _("Tax registration and invoices"), "tax", D("0.5"), after=("licence",)),
        TaskSpec("social_security", _("Social security registration"), "social_security", D("0.5"),
                 after=("licence",)),
        TaskSpec("housing_fund", _("Housing provident fund registration"), "housing_fund", D("0.5"),
                 after=("licence",)),
        TaskSpec("bank_account", pgettext_lazy("task", "Bank account"), "bank", D("0.5"), after=("licence",)),
        TaskSpec("power_supply", _("Power supply connection"), "power_supply", D("1"), after=("licence",),
                 required=False, requested_by="power_capacity"),
    ),
    limit_days=D("1.5"),
    documents=(
        DocumentSpec("articles", _("Articles of association")),
        DocumentSpec("premises", _("Proof of the right to use the premises")),
    ),
))
