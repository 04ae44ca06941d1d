"""The registry through which modules offer things to the kernel.

A module calls register_module() from its AppConfig.ready(); the kernel (navigation, dashboard, demo
builder, role list, event dispatch) only ever reads this registry. That is how a new public service is
added without touching a kernel file, and how the kernel stays free of module imports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from django.utils.functional import Promise

# A label: text, or a lazy translation (a Promise) evaluated in the reader's language.
Label: TypeAlias = str | Promise


@dataclass(frozen=True)
class Role:
    """A job someone holds within a module, granting a set of permission codes within a scope."""

    code: str
    label: Label
    permissions: frozenset[str]
    description: Label = ""
    # The place (by name, in the demo city) the demo account of this role is given; empty: the whole
    # city. Declared by the role's module: the kernel's demo never guesses it from the role's code.
    demo_scope: str = ""
    # What the role sees of each kind of personal data (kernel.privacy: Kind -> Level); a kind not
    # named here is seen at kernel.privacy.DEFAULTS (masked, or not at all).
    sees: Mapping[str, int] = field(default_factory=dict, hash=False, compare=False)
    # A role held by a member of the public (a family member, a driver): the page (URL name) such a
    # user lands on after sign-in, shown without the staff header. A user who also holds a role
    # without a landing (staff) keeps the dashboard.
    landing: str = ""


@dataclass(frozen=True)
class NavItem:
    label: Label
    url_name: str
    permission: str | None = None  # None: any signed-in user
    order: int = 100


@dataclass(frozen=True)
class Figure:
    label: Label
    value: int | float | str
    unit: Label = ""
    url: str | None = None


@dataclass(frozen=True)
class Chart:
    """Data for a chart the web shell draws; kind is 'bar', 'line' or 'pie'."""

    title: Label
    kind: str
    labels: list[str]
    series: dict[str, list[float]]
    # Target lines (e.g. 97.5 for a share that must reach 97.5 %), drawn as labelled guide lines, and
    # the top of the value axis (100 for a share), so a bar is read against its norm.
    guides: tuple[float, ...] = ()
    top: float | None = None


@dataclass(frozen=True)
class DashboardPanel:
    key: str
    title: Label
    permission: str | None
    figures: Callable[[Any], list[Figure]]
    charts: Callable[[Any], list[Chart]] = field(default=lambda user: [])
    order: int = 100


@dataclass(frozen=True)
class DemoStep:
    """Builds a module's share of the demo city. Must be idempotent. `options` carries the
    command-line options (e.g. residents); `progress(n)` advances the shared progress bar."""

    key: str
    label: Label
    build: Callable[..., None]
    order: int = 100


@dataclass(frozen=True)
class DataSection:
    """Part of a data-subject access report (PIPL art. 45): a titled table of what a module holds
    about one person, values as stored (the report goes to the person themselves)."""

    title: Label
    columns: list[Label]
    rows: list[list[Any]]


@dataclass(frozen=True)
class RecordClass:
    """A kind of record a part keeps, with its retention rule (kernel.rights.retention).

    `days`: how long a record is kept after the moment `expired(cutoff)` measures from; None: kept,
    the nightly job never touches it (ledger postings). `action`: "delete" the expired rows, or
    "anonymise" them through `anonymise(queryset) -> count`. `of_person(person)`: the rows about one
    resident, for a deletion request; `erasable`: whether such a request may remove them before their
    period ends (False: the request is refused naming `rule`). `purge(queryset) -> count`: how to
    delete rows when a queryset's delete() is not enough (files on disk, children that protect their
    parent); used by the job and by a deletion request alike."""

    key: str
    label: Label
    rule: Label
    days: int | None = None
    action: str = "delete"
    expired: Callable[[Any], Any] | None = None
    anonymise: Callable[[Any], int] | None = None
    of_person: Callable[[Any], Any] | None = None
    erasable: bool = False
    purge: Callable[[Any], int] | None = None


@dataclass(frozen=True)
class Telemetry:
    """A module's devices, plugged into the kernel's telemetry (kernel/telemetry, docs/telemetry.md).

    `device_types()`: the codes of the device types the module declares (a device of a type no
    module declares is refused, dead letter `unknown_device_type`). `application()`: a fresh object
    applying one batch's readings to the module's rules (kernel.telemetry.plug.Application).
    `ingest_permission`: what a gateway account needs, in the places whose devices it may send for.
    `scope_path`: the lookup from a device to the place path a gateway's scope must cover (the
    module's binding of a device to a person or a place); empty: no gateway may send for its devices.
    `select_related`: what the device cache loads with each device for the application (home
    safety: its binding and the bound person). `reasons`: the module's own dead-letter reasons (code →
    label), shown in words beside the kernel's on the rejected-message pages."""

    device_types: Callable[[], Any]
    application: Callable[[], Any]
    ingest_permission: str
    scope_path: str = ""
    select_related: tuple[str, ...] = ()
    reasons: dict[str, Label] = field(default_factory=dict)


@dataclass
class ModuleSpec:
    code: str
    label: Label
    permissions: dict[str, Label] = field(default_factory=dict)
    roles: list[Role] = field(default_factory=list)
    nav: list[NavItem] = field(default_factory=list)
    panels: list[DashboardPanel] = field(default_factory=list)
    demo: list[DemoStep] = field(default_factory=list)
    # event name -> handlers, called explicitly by emit() inside the emitting action's transaction.
    events: dict[str, list[Callable[..., None]]] = field(default_factory=dict)
    # Dotted path of the module's page urlconf, mounted at /<code>/, and its API router (a
    # django-ninja Router, or a dotted path to one) mounted at /api/v1/<code>/.
    urls: str | None = None
    api: Any = None
    # Long-running feeds for the demo (e.g. a device simulator), started in daemon threads by
    # `longcheng serve --demo-feeds` (which `make run` uses). Each is called as
    # feed(stop_event, log, instance=...), `instance` naming this server (host and port) so that two
    # demos sharing a broker or another service keep apart.
    demo_feeds: list[Callable[..., None]] = field(default_factory=list)
    # Dotted path of the module's background jobs (its job and periodic_job declarations). The
    # kernel's job registry imports it wherever the app is loaded (web, `run_huey`, `ingest_mqtt`),
    # so a consumer always knows every job a producer may queue.
    jobs: str | None = None
    # What the module holds about a resident, for a data-subject access report:
    # personal_data(person) -> [DataSection]. None: the module holds nothing about residents.
    personal_data: Callable[[Any], list[DataSection]] | None = None
    # The module's record classes with their retention periods (RecordClass), for the nightly
    # retention job and for deletion requests.
    retention: list[RecordClass] = field(default_factory=list)
    # What the audit page shows for the module's audit rows: action code -> label
    # ("onestop.open_task" -> "办件：开启环节"), and keys of before/after that are not fields of the
    # audited model -> label. Empty by default: a row without a label shows its code.
    audit_actions: dict[str, Label] = field(default_factory=dict)
    audit_fields: dict[str, Label] = field(default_factory=dict)
    # Keys of before/after whose integer values are fen though their name does not end in _fen
    # (a form's "registered_capital"): shown in yuan.
    audit_money: frozenset[str] = field(default_factory=frozenset)
    # How the audit page names the module's objects: "app_label.model" -> names(ids) -> {id: name}
    # ("onestop.task" -> "企业迁移登记 #21 · 迁入申请" instead of "relocation #21 / move_in"). A model
    # not named here shows the text stored with the row.
    audit_objects: dict[str, Callable[[list[str]], dict[str, str]]] = field(default_factory=dict)
    # The module's devices in the kernel's telemetry (docs/telemetry.md); None: the module has none.
    telemetry: Telemetry | None = None


_MODULES: dict[str, ModuleSpec] = {}
# Called with each module's spec as it registers (and with those registered before the hook).
_ON_REGISTER: list[Callable[[ModuleSpec], None]] = []


def later(path: str) -> Callable[..., Any]:
    """A hook named by its dotted path and imported on its first call.

    A spec is imported while Django loads its apps, before models can be imported; its dashboard
    figures, charts and demo steps import models, and often import the spec back for its permission
    names. Naming them by path keeps the spec import-free: `later("longcheng.modules.x.demo.build")`.
    """

    def call(*args: Any, **kwargs: Any) -> Any:
        from django.utils.module_loading import import_string

        return import_string(path)(*args, **kwargs)

    call.__name__ = call.__qualname__ = path.rsplit(".", 1)[-1]
    call.__doc__ = f"{path}, imported when first called."
    return call


def register_module(spec: ModuleSpec) -> ModuleSpec:
    if spec.code in _MODULES and _MODULES[spec.code] is not spec:
        raise RuntimeError(f"module {spec.code!r} is registered twice")
    for role in spec.roles:
        for other in _MODULES.values():
            if other is not spec and any(r.code == role.code for r in other.roles):
                raise RuntimeError(f"role {role.code!r} of {spec.code!r} is already defined by {other.code!r}")
        unknown = role.permissions - set(all_permissions()) - set(spec.permissions)
        if unknown:
            raise RuntimeError(f"role {role.code!r} names unknown permissions {sorted(unknown)}")
    _MODULES[spec.code] = spec
    for hook in _ON_REGISTER:
        hook(spec)
    return spec


def on_register(hook: Callable[[ModuleSpec], None]) -> None:
    """Run `hook` for every module registered so far and for each one registered later: a kernel
    app reacts to modules whatever the order of their apps' ready()."""
    if hook in _ON_REGISTER:
        return
    _ON_REGISTER.append(hook)
    for spec in list(_MODULES.values()):
        hook(spec)


def modules() -> list[ModuleSpec]:
    return list(_MODULES.values())


def all_permissions() -> dict[str, Label]:
    result: dict[str, Label] = {}
    for spec in _MODULES.values():
        result.update(spec.permissions)
    return result


def roles() -> dict[str, Role]:
    return {role.code: role for spec in _MODULES.values() for role in spec.roles}


def nav_items() -> list[NavItem]:
    return sorted((item for spec in _MODULES.values() for item in spec.nav), key=lambda i: i.order)


def dashboard_panels() -> list[DashboardPanel]:
    return sorted((p for spec in _MODULES.values() for p in spec.panels), key=lambda p: p.order)


def demo_feeds() -> list[Callable[..., None]]:
    return [feed for spec in _MODULES.values() for feed in spec.demo_feeds]


def demo_steps() -> list[DemoStep]:
    return sorted((s for spec in _MODULES.values() for s in spec.demo), key=lambda s: s.order)


def record_classes() -> list[tuple[ModuleSpec, RecordClass]]:
    return [(spec, rc) for spec in _MODULES.values() for rc in spec.retention]


def audit_action_label(code: str) -> Label | None:
    """The label a module declared for an audit action code, or None."""
    for spec in _MODULES.values():
        if code in spec.audit_actions:
            return spec.audit_actions[code]
    return None


def audit_actions() -> dict[str, Label]:
    return {code: label for spec in _MODULES.values() for code, label in spec.audit_actions.items()}


def audit_field_label(name: str) -> Label | None:
    """The label a module declared for a key of audit rows' before/after, or None."""
    for spec in _MODULES.values():
        if name in spec.audit_fields:
            return spec.audit_fields[name]
    return None


def audit_money(name: str) -> bool:
    return any(name in spec.audit_money for spec in _MODULES.values())


def audit_object_namer(model_label: str) -> Callable[[list[str]], dict[str, str]] | None:
    """The function a module declared to name its objects of `model_label` ("app_label.model")."""
    for spec in _MODULES.values():
        if model_label in spec.audit_objects:
            return spec.audit_objects[model_label]
    return None


def emit(event: str, **payload: Any) -> None:
    """Call every handler registered for `event`. Explicit, synchronous, inside the caller's
    transaction: a handler that fails rolls the whole action back, so nothing is half-done."""
    for spec in _MODULES.values():
        for handler in spec.events.get(event, []):
            handler(**payload)
