"""The morning breach detection: an obligation (hours or in kind) open past its due date is breached,
its unperformed part reverted exactly, the prosecutor told in-app, once only; one still in time, or
performed, is left as it was."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from longcheng.kernel.notify.models import Message
from longcheng.modules.ecorestore import actions, actions_restore, jobs
from longcheng.modules.ecorestore.actions_restore import NewWork
from longcheng.modules.ecorestore.models import Obligation, Shift, Work

from .support import case_in_restoration, make_base, make_rates, staff

DUE = dt.date(2024, 12, 31)


@pytest.fixture
def scene(city: dict[str, Any]) -> dict[str, Any]:
    make_rates()
    zones = make_base(city)
    prosecutor = staff("prosecutor", {"ecorestore_prosecutor": [city["yaoguan"]]})
    case = case_in_restoration(city, prosecutor)
    late = actions.do_convert_to_labour(case, amount_fen=20_000, consent=True, hardship="低保户证明", due_on=DUE,
                                        acting_user=prosecutor)
    in_time = actions.do_convert_to_labour(case, amount_fen=4_400, consent=True, hardship="低保户证明",
                                           due_on=DUE + dt.timedelta(days=30), acting_user=prosecutor)
    fish = actions_restore.do_add_work(case, NewWork(kind="fish", zone=zones["planting"], quantity=1_000,
                                                     fen_per_unit=30, due_on=DUE), acting_user=prosecutor)
    actions_restore.do_record_delivery(fish, quantity=250, on=dt.date(2024, 9, 1), acting_user=prosecutor)
    shift = actions.do_book_shift(late, zone=zones["labour"], starts_at=dt.datetime(2025, 1, 5, 8, tzinfo=dt.UTC),
                                  hours=4, acting_user=prosecutor)
    bystander = staff("court", {"ecorestore_court": [city["yaoguan"]]})
    return {"late": late, "in_time": in_time, "fish": fish, "shift": shift, "prosecutor": prosecutor,
            "bystander": bystander}


def test_nothing_on_the_due_date_itself(scene: dict[str, Any]) -> None:
    assert jobs.detect_breaches(DUE) == 0
    assert Obligation.objects.get(pk=scene["late"].pk).state == "open"
    assert Work.objects.get(pk=scene["fish"].pk).state == "open"
    assert not Message.objects.exists()


def test_the_day_after_breaches_exactly_and_tells_the_prosecutor_once(scene: dict[str, Any]) -> None:
    day_after = DUE + dt.timedelta(days=1)
    assert jobs.detect_breaches(day_after) == 2
    late, in_time = Obligation.objects.get(pk=scene["late"].pk), Obligation.objects.get(pk=scene["in_time"].pk)
    fish = Work.objects.get(pk=scene["fish"].pk)
    assert (late.state, late.reverted_fen) == ("breached", 9 * 2200)
    assert (fish.state, fish.reverted_fen) == ("breached", 750 * 30)
    assert (in_time.state, in_time.reverted_fen) == ("open", 0)
    assert Shift.objects.get(pk=scene["shift"].pk).state == "missed"
    messages = list(Message.objects.order_by("pk"))
    assert [m.recipient_user_id for m in messages] == [scene["prosecutor"].pk] * 2
    assert all("JK-2024-001" in m.subject for m in messages)
    # Run again (the job twice in a morning, or the next day): nothing breached twice, nobody told twice.
    assert jobs.detect_breaches(day_after) == 0
    assert jobs.detect_breaches(day_after + dt.timedelta(days=1)) == 0
    assert Message.objects.count() == 2
    assert Obligation.objects.get(pk=scene["late"].pk).reverted_fen == 9 * 2200
