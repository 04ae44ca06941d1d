"""The five pre-check services (预检服务): before a one-stop application may be submitted, the facts
departments keep about the enterprise (EnterpriseStanding) and the form are checked, and every
problem comes back as a Blocker saying what is wrong and how to clear it.

A pre-check is a registered function `(enterprise, form_data) -> Blocker | None`. An enterprise with no
standing row has nothing recorded against it: departments record problems, not clean bills.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from longcheng.kernel import sql


@dataclass(frozen=True)
class Blocker:
    check: str
    message: str  # what is wrong
    remedy: str  # how to clear it
    field: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"check": self.check, "message": self.message, "remedy": self.remedy, "field": self.field}


Precheck = Callable[[Any, dict[str, Any]], Blocker | None]
PRECHECKS: dict[str, Precheck] = {}


def precheck(code: str) -> Callable[[Precheck], Precheck]:
    def register(fn: Precheck) -> Precheck:
        if code in PRECHECKS and PRECHECKS[code] is not fn:
            raise RuntimeError(f"pre-check {code!r} is registered twice")
        PRECHECKS[code] = fn
        return fn

    return register


def _reads(enterprise: Any) -> dict[str, Any]:
    """What one run of the checks has read about the enterprise (its standing, places by code): four
    checks read the standing and a submission reads the new place and two districts several times.
    `run_prechecks` starts each run afresh (forget_reads)."""
    cache = enterprise.__dict__.get("_onestop_reads")
    if cache is None:
        cache = enterprise.__dict__["_onestop_reads"] = {"places": {}}
    return cache


def forget_reads(enterprise: Any) -> None:
    enterprise.__dict__.pop("_onestop_reads", None)


def _standing(enterprise: Any) -> Any:
    from .models import EnterpriseStanding

    reads = _reads(enterprise)
    if "standing" not in reads:
        reads["standing"] = EnterpriseStanding.objects.filter(enterprise=enterprise).first()
    return reads["standing"]


def remember(enterprise: Any, *, standing: Any) -> None:
    """What the caller has already read for this run of the checks (a submission reads the
    enterprise, its places and its standing in one statement)."""
    reads = _reads(enterprise)
    reads["standing"] = standing
    place = enterprise.place
    for known in (place, place.parent if place is not None and place.parent_id else None):
        if known is not None:
            reads["places"][known.code] = known


def place_by_code(enterprise: Any, code: str) -> Any:
    """A place by its code, read once per run of the checks for this enterprise (None: no such place)."""
    places = _reads(enterprise)["places"]
    if code not in places:
        places[code] = read_place(code)
    return places[code]


def place_columns(alias: str) -> Any:
    from longcheng.kernel.places.models import Place

    return sql.all_columns(Place, alias)


def with_parent(row: Any, start: int, alias: str, parent_alias: str) -> tuple[Any, int]:
    """A place and its parent from a row of `place_columns(alias), place_columns(parent_alias)`,
    the parent cached on the place as select_related would."""
    from longcheng.kernel.places.models import Place

    place, at = place_columns(alias).split(row, start)
    parent, at = place_columns(parent_alias).split(row, at)
    if place is not None:
        Place._meta.get_field("parent").set_cached_value(place, parent)
    return place, at


def read_place(code: str) -> Any:
    """A place by its code with its parent (below a district, the parent is usually the district
    itself: district_of), in one hand-written statement (kernel.sql); None: no such place."""
    from longcheng.kernel.places.models import Place

    q = sql.quote
    rows = sql.fetch(f"SELECT {place_columns('p').sql}, {place_columns('pp').sql} FROM {sql.table(Place)} p "
                     f"LEFT JOIN {sql.table(Place)} pp ON pp.{q('id')} = p.{q('parent_id')} "
                     f"WHERE p.{q('code')} = %s", [code])
    return with_parent(rows[0], 0, "p", "pp")[0] if rows else None


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


@precheck("tax_arrears")
def tax_arrears(enterprise: Any, data: dict[str, Any]) -> Blocker | None:
    standing = _standing(enterprise)
    if standing is None or standing.tax_arrears_fen <= 0:
        return None
    return Blocker("tax_arrears", _("The enterprise owes %(amount)s yuan of tax.") % {
        "amount": _yuan(standing.tax_arrears_fen)},
        _("Pay the tax owed at the tax bureau or through the electronic tax bureau, then check again."))


@precheck("social_arrears")
def social_arrears(enterprise: Any, data: dict[str, Any]) -> Blocker | None:
    standing = _standing(enterprise)
    if standing is None or standing.social_arrears_fen <= 0:
        return None
    return Blocker("social_arrears", _("The enterprise owes %(amount)s yuan of social insurance contributions.") % {
        "amount": _yuan(standing.social_arrears_fen)},
        _("Pay the contributions owed at the social insurance agency, then check again."))


@precheck("abnormal_list")
def abnormal_list(enterprise: Any, data: dict[str, Any]) -> Blocker | None:
    standing = _standing(enterprise)
    if standing is None or not standing.abnormal_list:
        return None
    return Blocker("abnormal_list", _("The enterprise is on the list of enterprises with abnormal operations."),
                   _("File the missing annual reports or correct the registered address, then apply to market "
                     "regulation to be removed from the list."))


@precheck("open_penalty")
def open_penalty(enterprise: Any, data: dict[str, Any]) -> Blocker | None:
    standing = _standing(enterprise)
    if standing is None or not standing.open_penalty:
        return None
    return Blocker("open_penalty", _("An administrative penalty against the enterprise has not been carried out."),
                   _("Carry out the penalty (pay the fine) with the deciding authority, then check again."))


def district_of(place: Any, enterprise: Any = None) -> Any:
    """The district, county-level city or development zone (depth 1, directly under the city) that a
    place lies in; the place itself at city level or above. With `enterprise`, read through the
    check run's reads (place_by_code)."""
    from longcheng.kernel.places.models import PATH_SEPARATOR, Place

    if place is None or place.depth <= 1:
        return place
    if place.depth == 2 and "parent" in place._state.fields_cache:  # read with its parent already
        return place.parent
    code = [c for c in place.path.split(PATH_SEPARATOR) if c][1]
    return place_by_code(enterprise, code) if enterprise is not None else Place.objects.get(code=code)


@precheck("relocation_target")
def relocation_target(enterprise: Any, data: dict[str, Any]) -> Blocker | None:
    """The new place is a district-or-below place of the enterprise's city, another district than
    the current one, and the new address lies in it (names the receiving district)."""
    target = place_by_code(enterprise, str(data.get("new_place") or ""))
    current = enterprise.place
    same_city = (target is not None and current is not None
                 and target.path.split(".")[0] == current.path.split(".")[0])
    if target is None or target.depth < 1 or not same_city:
        return Blocker("relocation_target", _("The new place is not a district, street or town of this city."),
                       _("Choose the district, street or town the enterprise moves to."), field="new_place")
    receiving = district_of(target, enterprise)
    if current is not None and district_of(current, enterprise).pk == receiving.pk:
        return Blocker("relocation_target",
                       _("The new place is in the district the enterprise is already registered in."),
                       _("A move within one district is a change of address, not a relocation."),
                       field="new_place")
    address = str(data.get("new_address") or "")
    if receiving.name not in address:
        return Blocker("relocation_target",
                       _("The new address is not in %(district)s, the receiving district.") % {
                           "district": receiving.name},
                       _("Give the full new address, starting with the district's name."), field="new_address")
    return None
