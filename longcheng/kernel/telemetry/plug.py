"""How a module plugs its devices into the kernel's telemetry: `ModuleSpec.telemetry`, a
`Telemetry` declaration (kernel/registry.py). The kernel asks the registry which module declares a
device type; a device of a type nobody declares is refused (`unknown_device_type`)."""

from __future__ import annotations

from django.db.models import Q

from longcheng.kernel.access.scope import is_city_wide, path_q
from longcheng.kernel.places.models import Place
from longcheng.kernel.registry import ModuleSpec, Telemetry, modules


def telemetry_modules() -> list[tuple[ModuleSpec, Telemetry]]:
    """The registered modules that have devices, with their declarations."""
    return [(spec, spec.telemetry) for spec in modules() if spec.telemetry is not None]


def declared_types() -> dict[str, str]:
    """Device type code → the code of the module that declares it. Asked afresh (a module may
    register a type at any time; the modules are few and the call is cheap); a type two modules
    declare is an error, not a silent choice."""
    found: dict[str, str] = {}
    for spec, telemetry in telemetry_modules():
        for kind in telemetry.device_types():
            if kind in found and found[kind] != spec.code:
                raise RuntimeError(f"device type {kind!r} is declared by {found[kind]!r} and {spec.code!r}")
            found[str(kind)] = spec.code
    return found


def telemetry_of(module: str) -> Telemetry | None:
    """A module's declaration, by its code."""
    for spec, telemetry in telemetry_modules():
        if spec.code == module:
            return telemetry
    return None


def ingest_permissions() -> list[str]:
    """The permissions that let a gateway account send telemetry, one per module with devices."""
    return sorted({telemetry.ingest_permission for _spec, telemetry in telemetry_modules()})


def device_scope_q(paths: tuple[str, ...], prefix: str = "") -> Q:
    """Devices (through `prefix`, e.g. "device__") bound within these places by any module."""
    if is_city_wide(paths):
        return Q()
    places = Place.objects.filter(path_q("path", paths)).values("pk")
    q = Q(pk__in=[])
    for _spec, telemetry in telemetry_modules():
        lookup = telemetry.scope_path
        if lookup.endswith("__path"):
            q |= Q(**{f"{prefix}{lookup.removesuffix('__path')}__in": places})
        elif lookup:
            q |= path_q(prefix + lookup, paths)
    return q
