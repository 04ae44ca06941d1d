"""Every change in wastecycle: do_<verb>_<thing>(..., *, acting_user), one transaction with its audit row."""

from __future__ import annotations

from .pupils import do_set_school_options, do_weigh_pupils, per_pupil
from .school import (
    do_correct_weighing,
    do_record_attendance,
    do_record_kitchen_waste,
    do_record_weighing,
    do_weigh_meal,
)
from .soil import (
    do_add_collector,
    do_finish_batch,
    do_open_batch,
    do_record_handout,
    do_record_step,
    do_record_temperatures,
    do_release_lot,
    do_test_lot,
    temperature_ok,
)
from .station import (
    NewTicket,
    do_receive_shipment,
    do_record_compaction,
    do_record_shipment,
    do_record_stock,
    do_record_ticket,
    do_reverse_ticket,
)

__all__ = [
    "NewTicket", "do_add_collector", "do_correct_weighing", "do_finish_batch", "do_open_batch", "do_receive_shipment",
    "do_record_attendance", "do_record_compaction", "do_record_handout", "do_record_kitchen_waste", "do_record_shipment", "do_record_step",
    "do_record_stock", "do_record_temperatures", "do_record_ticket", "do_record_weighing", "do_release_lot",
    "do_reverse_ticket", "do_set_school_options", "do_weigh_pupils", "per_pupil", "do_test_lot", "do_weigh_meal", "temperature_ok",
]
