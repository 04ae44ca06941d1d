"""Sequence numbers: a jump opens a gap, a late arrival fills one. A gap waits in the state row for
its grace period; the periodic job (home safety: jobs.warn_gaps) records what is still missing then."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from .models import SeqGap
from .state import State

MAX_PENDING_GAPS = 50


def sequence(pk: int, state: State, seqs: list[int], now: dt.datetime, gaps: list[SeqGap],
             late: list[tuple[int, int]]) -> None:
    """A number above the highest seen by more than one opens a gap; a number below it may be a
    late arrival filling one. The first message of a device opens none.

    A new gap waits in the state row (`pending_gaps`, [from, to, seen at]) for the grace period:
    two workers sharing a device's stream reorder it all the time, and a table row per reordering
    cost a quarter of the throughput over MQTT. The periodic job turns what is still missing after
    the grace into SeqGap rows and a warning (home safety: jobs.warn_gaps)."""
    high = state.max_seq
    pending = state.pending_gaps
    stamp = round(now.timestamp(), 3)
    for seq in sorted(seqs):
        if high is None:
            high = seq
            continue
        if seq > high + 1:
            pending.append([high + 1, seq - 1, stamp])
        elif seq < high:
            for i, (first, last, seen) in enumerate(pending):
                if first <= seq <= last:
                    pending[i:i + 1] = [r for r in ([first, seq - 1, seen], [seq + 1, last, seen]) if r[0] <= r[1]]
                    break
            else:
                late.append((pk, seq))  # in a gap already recorded (or older than the first message)
        high = max(high, seq)
    if len(pending) > MAX_PENDING_GAPS:
        # A device losing messages everywhere: record the oldest now rather than grow the row.
        gaps.extend(SeqGap.from_pending(pk, g) for g in pending[:-MAX_PENDING_GAPS])
        del pending[:-MAX_PENDING_GAPS]
    state.max_seq = high


def fill_gaps(late: list[tuple[int, int]]) -> None:
    """Late arrivals lower their gap's count of missing numbers (each new (device, seq) counts once:
    only stored messages come here)."""
    seqs = [seq for _pk, seq in late]
    found = SeqGap.objects.filter(device_id__in={pk for pk, _seq in late}, missing__gt=0,
                                  first_seq__lte=max(seqs), last_seq__gte=min(seqs))
    by_device: dict[int, list[SeqGap]] = defaultdict(list)
    for gap in found:
        by_device[gap.device_id].append(gap)
    changed: dict[int, SeqGap] = {}
    for pk, seq in late:
        for gap in by_device.get(pk, ()):
            if gap.first_seq <= seq <= gap.last_seq and gap.missing > 0:
                gap.missing -= 1
                changed[gap.pk] = gap
                break
    if changed:
        SeqGap.objects.bulk_update(list(changed.values()), ["missing"])
