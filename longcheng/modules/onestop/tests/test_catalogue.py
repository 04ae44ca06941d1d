"""The declarations: the three shipped services, and declarations that cannot work refused."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from longcheng.kernel.errors import KernelError

from ..catalogue import (
    DeclarationError,
    DocumentSpec,
    FieldSpec,
    ServiceSpec,
    TaskSpec,
    register_service,
    service,
    services,
    validate,
)

D = Decimal


def _spec(*tasks: TaskSpec, **kwargs: Any) -> ServiceSpec:
    values: dict[str, Any] = {"code": "demo", "label": "demo", "form": (FieldSpec("note", "note"),),
                              "prechecks": (), "tasks": tasks, "limit_days": D("1")}
    values.update(kwargs)
    return ServiceSpec(**values)


def test_the_three_services_are_declared() -> None:
    assert {s.code for s in services()} >= {"relocation", "deregistration", "startup"}
    relocation = service("relocation")
    assert relocation.limit_days == D("1.5")
    assert relocation.task("change_registration").after == ("file_out", "move_in")
    assert {t.code for t in relocation.tasks if not t.after} == {"file_out", "move_in", "tax", "social_security",
                                                                  "housing_fund"}
    assert len(relocation.prechecks) == 6
    deregistration = service("deregistration")
    assert len(deregistration.tasks) == 8
    assert set(deregistration.task("deregistration").after) == {"tax_clearance", "social_security", "housing_fund"}
    startup = service("startup")
    assert [t.code for t in startup.tasks if not t.after] == ["licence"]
    assert all(t.after == ("licence",) for t in startup.tasks if t.code != "licence")
    assert startup.task("power_supply").department == "power_supply"


def test_a_cycle_is_refused() -> None:
    spec = _spec(TaskSpec("a", "A", "tax", D("1"), after=("c",)), TaskSpec("b", "B", "tax", D("1"), after=("a",)),
                 TaskSpec("c", "C", "tax", D("1"), after=("b",)))
    with pytest.raises(DeclarationError, match="cycle"):
        register_service(spec)
    with pytest.raises(KeyError):
        service("demo")  # nothing registered


@pytest.mark.parametrize(("tasks", "kwargs", "words"), [
    ((TaskSpec("a", "A", "tax", D("1"), after=("missing",)),), {}, "unknown task 'missing'"),
    ((TaskSpec("a", "A", "tax", D("1"), after=("a",)),), {}, "cycle"),
    ((TaskSpec("a", "A", "fire_brigade", D("1")),), {}, "unknown department"),
    ((TaskSpec("a", "A", "tax", D("1")),), {"prechecks": ("horoscope",)}, "unknown pre-check"),
    ((TaskSpec("a", "A", "tax", D("0.3")),), {}, "multiple of 0.5"),
    ((TaskSpec("a", "A", "tax", D("1")),), {"limit_days": D("0")}, "multiple of 0.5"),
    ((TaskSpec("a", "A", "tax", D("1")), TaskSpec("a", "A2", "tax", D("1"))), {}, "declared twice"),
    ((TaskSpec("a", "A", "tax", D("1"), required=False), TaskSpec("b", "B", "tax", D("1"), after=("a",))), {},
     "cannot wait for optional"),
    ((TaskSpec("a", "A", "market_regulation_in", D("1")),), {}, "receiving-district"),
    ((TaskSpec("a", "A", "tax", D("1")),), {"form": (FieldSpec("k", "K", "choice"),)}, "choices"),
    ((), {}, "at least one task"),
    ((TaskSpec("a", "A", "tax", D("1")),), {"documents": (DocumentSpec("lease", "L"), DocumentSpec("lease", "L2"))},
     "document codes"),
    ((TaskSpec("a", "A", "tax", D("1")),), {"documents": (DocumentSpec("new lease", "L"),)}, "document codes"),
])
def test_bad_declarations_are_refused(tasks: tuple[TaskSpec, ...], kwargs: dict[str, Any], words: str) -> None:
    with pytest.raises(DeclarationError, match=words):
        validate(_spec(*tasks, **kwargs))


def test_a_good_declaration_passes_and_a_code_cannot_be_taken_twice() -> None:
    validate(_spec(TaskSpec("a", "A", "tax", D("0.5")), TaskSpec("b", "B", "bank", D("1"), after=("a",))))
    with pytest.raises(DeclarationError, match="registered twice"):
        register_service(replace(service("startup"), limit_days=D("9")))
    assert service("startup").limit_days == D("1.5")


def test_the_form_is_checked_against_the_declaration(db: Any, city: dict[str, Any], english: Any) -> None:
    from ..actions import clean_form

    spec = service("relocation")
    good = {"new_place": "320481100", "new_address": " 溧阳市某路1号 ", "moving_date": "2026-10-20", "reason": "x"}
    assert clean_form(spec, good, complete=True)["new_address"] == "溧阳市某路1号"
    assert clean_form(spec, {"reason": "x"}, complete=False) == {"reason": "x"}
    cases = [
        ({**good, "colour": "red"}, "colour", "unknown_field"),
        ({**good, "moving_date": "20 October"}, "moving_date", "invalid_date"),
        ({**good, "new_place": "999999"}, "new_place", "invalid_place"),
        ({k: v for k, v in good.items() if k != "reason"}, "reason", "required"),
    ]
    for data, field, code in cases:
        with pytest.raises(KernelError) as err:
            clean_form(spec, data, complete=True)
        assert (err.value.field, err.value.code) == (field, code)
    dereg = service("deregistration")
    with pytest.raises(KernelError) as err:
        clean_form(dereg, {"reason": "bankrupt"}, complete=False)
    assert err.value.field == "reason"
    with pytest.raises(KernelError) as err:
        clean_form(dereg, {"remaining_assets": "-5"}, complete=False)
    assert (err.value.field, err.value.code) == ("remaining_assets", "invalid_amount")
    assert clean_form(dereg, {"remaining_assets": "1200"}, complete=False) == {"remaining_assets": 1200}
