"""The pre-check services (预检服务): before a one-stop application may be submitted, the facts
departments keep about the enterprise (EnterpriseStanding) and the form are checked, and every
problem comes back as a Blocker saying what is wrong and how to clear it.

A pre-check is a registered function `(enterprise, form_data) -> Blocker | None`. An enterprise with no
standing row has nothing recorded against it: departments record problems, not clean bills.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from longcheng.kernel.places.models import PATH_SEPARATOR, Place
from longcheng.kernel.workdays.api import SHANGHAI


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


def _standing(enterprise: Any) -> Any:
    """The enterprise's standing (None: nothing recorded against it), through the ORM's one-to-one
    accessor: read once per instance (a submission reads it with the enterprise, select_related),
    so the four checks that look at it cost one query at most."""
    try:
        return enterprise.onestop_standing
    except ObjectDoesNotExist:
        return None


def read_place(code: str) -> Any:
    """A place by its code with its parent (below a district, the parent is usually the district
    itself: district_of); None: no such place."""
    return Place.objects.select_related("parent").filter(code=code).first()


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


def district_of(place: Any) -> Any:
    """The district, county-level city or development zone (depth 1, directly under the city) that a
    place lies in; the place itself at city level or above."""
    if place is None or place.depth <= 1:
        return place
    if place.depth == 2:  # its parent is the district (read with it when select_related)
        return place.parent
    code = [c for c in place.path.split(PATH_SEPARATOR) if c][1]
    return Place.objects.get(code=code)


@precheck("relocation_target")
def relocation_target(enterprise: Any, data: dict[str, Any]) -> Blocker | None:
    """The new place is a district-or-below place of the enterprise's city, another district than
    the current one, and the new address lies in it (names the receiving district)."""
    target = read_place(str(data.get("new_place") or ""))
    current = enterprise.place
    same_city = (target is not None and current is not None
                 and target.path.split(".")[0] == current.path.split(".")[0])
    if target is None or target.depth < 1 or not same_city:
        return Blocker("relocation_target", _("The new place is not a district, street or town of this city."),
                       _("Choose the district, street or town the enterprise moves to."), field="new_place")
    receiving = district_of(target)
    if current is not None and district_of(current).pk == receiving.pk:
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


@precheck("moving_date")
def moving_date(enterprise: Any, data: dict[str, Any]) -> Blocker | None:
    """The moving date is today or later (in China's time): a move in the past is not a relocation
    to register but a late one, and the date would be wrong in the register."""
    from . import clock  # clock reads the catalogue, which reads these checks

    raw = str(data.get("moving_date") or "")
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return None  # missing or malformed: the form's own check names it
    today = clock.now().astimezone(SHANGHAI).date()
    if day >= today:
        return None
    return Blocker("moving_date", _("The moving date %(date)s is in the past (today is %(today)s).") % {
        "date": day.isoformat(), "today": today.isoformat()},
        _("Give the day the enterprise moves: today or a later day."), field="moving_date")
