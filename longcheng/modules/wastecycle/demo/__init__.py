"""wastecycle's share of the demo city (seed page 003): Yaoguan's central primary school with six
grades and a term of lunches weighed (grade 4 cutting its leftovers by about 6 kg a day, the news'
figure), and Yaoguan's transfer station with a year of weighbridge tickets, weekly processing batches
with their temperature records, soil lots and their tests (one failed), the monthly collections of
勤新村's gardens and three farmers (one month missed), shipments to the Everbright plant (one gap
beyond tolerance), month-end stock, and one month whose balance does not close (a shipment never
written down).

Built with bulk_create in a couple of seconds; idempotent: the demo's organisations carry the short
code prefix `wc-demo-`, and a second run adds nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.places.models import Place

from . import school, station

PREFIX = school.PREFIX


@transaction.atomic
def build(*, log: Any = print, progress: Callable[[int], None] | None = None, **options: Any) -> None:
    town = Place.objects.filter(name="遥观镇").order_by("depth", "code").first()
    if town is None:
        log("  wastecycle: skipped (no 遥观镇 in the demo places)")
        return
    if Organisation.objects.filter(code=f"{PREFIX}school").exists():
        log("  wastecycle: already built")
        return
    weighed = school.build_school(town)
    tickets = station.build_station(town)
    log(f"  wastecycle: {weighed} class lunches weighed, {tickets} weighbridge tickets")
