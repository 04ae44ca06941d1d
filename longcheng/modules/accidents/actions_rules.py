"""The rule keeper's changes to the two tables (exclusions, liability rules). A change is never an
edit: it is a new row with the next version of its code, audited with the version it replaces; the
newest active version is in force for the next report (tables.py), and the rows already answered or
applied stay as they were."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import pgettext

from longcheng.kernel.access.models import User
from longcheng.kernel.access.scope import is_city_wide, require_perm, scope_paths
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import Conflict, KernelError, PermissionDenied

from .errors import ErrorCode
from .models import Exclusion, LiabilityRule, Outcome
from .spec import RULES

CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
EXCLUSION_FIELDS = ("basis", "question_zh", "question_en", "order", "active")
RULE_FIELDS = ("situation_zh", "situation_en", "outcome", "order", "active")


def require_rule_keeper(user: User) -> None:
    """The tables hold for the whole city: only a holder of accidents.rules city-wide changes them."""
    require_perm(user, RULES)
    if not is_city_wide(scope_paths(user, RULES)):
        raise PermissionDenied(pgettext("accidents", "The rule tables are kept city-wide."))


def _text(values: dict[str, Any], field: str) -> str:
    text = str(values.get(field) or "").strip()
    if not text or len(text) > 200:
        raise KernelError(pgettext("accidents", "Enter the text (at most 200 characters)."), field=field)
    return text


def _common(values: dict[str, Any]) -> dict[str, Any]:
    order = values.get("order")
    if not isinstance(order, int) or not 0 <= order <= 999:
        raise KernelError(pgettext("accidents", "Enter the position in the list (0 to 999)."), field="order")
    return {"order": order, "active": bool(values.get("active"))}


def clean_exclusion(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("basis") not in Exclusion.Basis.values:
        raise KernelError(pgettext("accidents", "Choose the basis of the rule."), field="basis")
    return {"basis": values["basis"], "question_zh": _text(values, "question_zh"),
            "question_en": _text(values, "question_en"), **_common(values)}


def clean_rule(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("outcome") not in Outcome.values:
        raise KernelError(pgettext("accidents", "Choose the liability this situation gives."), field="outcome")
    return {"situation_zh": _text(values, "situation_zh"), "situation_en": _text(values, "situation_en"),
            "outcome": values["outcome"], **_common(values)}


def newest(model: type[Exclusion] | type[LiabilityRule], code: str) -> Any:
    return model.objects.filter(code=code).order_by("-version").first()


def check_change(current: Any, code: str, clean: dict[str, Any], fields: tuple[str, ...], *, based_on: int) -> None:
    """Refuse a change made on a stale form (based_on is not the newest version; 0 for a new code
    that exists already) or one that changes nothing. The preview asks the same before saving."""
    if based_on == 0 and current is not None:
        raise Conflict(pgettext("accidents", "A rule with this code exists already: open it to change it."),
                       code=ErrorCode.RULE_EXISTS, field="code")
    if (current.version if current else 0) != based_on:
        raise Conflict(pgettext("accidents", "Someone saved a newer version meanwhile: open the rule again."),
                       code=ErrorCode.RULE_STALE, field="based_on")
    if current is not None and {f: getattr(current, f) for f in fields} == clean:
        raise KernelError(pgettext("accidents", "Nothing changed: this is the version in force."),
                          code=ErrorCode.RULE_UNCHANGED, field=next(f for f in fields if f.endswith("_zh")))


def _new_version(model: Any, code: str, clean: dict[str, Any], fields: tuple[str, ...], *, based_on: int,
                 action: str, acting_user: User) -> Any:
    """The next version of `code` (version 1 of a new code when based_on is 0), audited with the
    version it replaces."""
    with transaction.atomic():
        current = model.objects.select_for_update().filter(code=code).order_by("-version").first()
        check_change(current, code, clean, fields, based_on=based_on)
        try:
            with transaction.atomic():
                row = model.objects.create(code=code, version=based_on + 1, **clean)
        except IntegrityError as exc:  # a concurrent first version of a new code
            raise Conflict(pgettext("accidents", "Someone saved a newer version meanwhile: open the rule again."),
                           code=ErrorCode.RULE_STALE, field="based_on") from exc
        replaced = {f: getattr(current, f) for f in fields} if current else {}
        record(acting_user, action, row, before={"version": based_on, **replaced},
               after={"version": row.version, **clean})
    return row


def valid_code(code: str) -> str:
    # "new" is the address of the form for a new rule (urls.py).
    if not CODE.match(code or "") or code == "new":
        raise KernelError(pgettext("accidents", "Use lower-case letters, digits and _ (2 to 40)."), field="code")
    return code


def do_change_exclusion(code: str, values: dict[str, Any], *, based_on: int, acting_user: User) -> Exclusion:
    """A new version of an exclusion (or a new exclusion); `active` False withdraws it."""
    require_rule_keeper(acting_user)
    row: Exclusion = _new_version(Exclusion, valid_code(code), clean_exclusion(values), EXCLUSION_FIELDS, based_on=based_on,
                                  action="accidents.rules.exclusion", acting_user=acting_user)
    return row


def do_change_liability_rule(code: str, values: dict[str, Any], *, based_on: int,
                             acting_user: User) -> LiabilityRule:
    """A new version of a liability rule (or a new situation); `active` False withdraws it."""
    require_rule_keeper(acting_user)
    row: LiabilityRule = _new_version(LiabilityRule, valid_code(code), clean_rule(values), RULE_FIELDS, based_on=based_on,
                                      action="accidents.rules.liability", acting_user=acting_user)
    return row
