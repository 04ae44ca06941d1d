"""wastecycle's pure decisions: arguments in, an answer out, no I/O (tested without a database)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.utils.translation import pgettext, pgettext_lazy

# NY/T 525 organic fertiliser limits as data: measure → (label, unit, lowest allowed, highest allowed).
# Each edition is kept; a test is judged against the edition in force (NYT525_EDITION) and records it.
Limits = dict[str, tuple[object, object, Decimal | None, Decimal | None]]  # unit: text or a lazy one
_HEAVY_METALS: Limits = {  # mg/kg, dry basis; the same in both editions
    "arsenic": (pgettext_lazy("wastecycle", "Arsenic"), "mg/kg", None, Decimal("15")),
    "mercury": (pgettext_lazy("wastecycle", "Mercury"), "mg/kg", None, Decimal("2")),
    "lead": (pgettext_lazy("wastecycle", "Lead"), "mg/kg", None, Decimal("50")),
    "chromium": (pgettext_lazy("wastecycle", "Chromium"), "mg/kg", None, Decimal("150")),
    "cadmium": (pgettext_lazy("wastecycle", "Cadmium"), "mg/kg", None, Decimal("3")),
}
_MOISTURE_PH: Limits = {
    "moisture": (pgettext_lazy("wastecycle", "Moisture"), "%", None, Decimal("30")),
    "ph": (pgettext_lazy("wastecycle", "pH"), "", Decimal("5.5"), Decimal("8.5")),
}
# NY 525-2012 (in force 2012-06-01 to 2021-05-31): organic matter ≥ 45 %, nutrients ≥ 5.0 % (dry
# basis); the bacterial limits by reference to NY 884 (REFERENCES.md, hnymlt.com).
NYT525_2012: Limits = {
    "organic_matter": (pgettext_lazy("wastecycle", "Organic matter"), "%", Decimal("45"), None),
    "nutrients": (pgettext_lazy("wastecycle", "Nutrients (N+P₂O₅+K₂O)"), "%", Decimal("5"), None),
    **_MOISTURE_PH, **_HEAVY_METALS,
}
# NY/T 525-2021 (in force from 2021-06-01): organic matter ≥ 30 %, nutrients ≥ 4.0 % (dry basis), seed
# germination index ≥ 70 %, faecal coliforms ≤ 100 per gram, ascaris egg mortality ≥ 95 %
# (REFERENCES.md, marked there "to verify"); moisture, pH and the five heavy metals as in 2012.
NYT525: Limits = {
    "organic_matter": (pgettext_lazy("wastecycle", "Organic matter"), "%", Decimal("30"), None),
    "nutrients": (pgettext_lazy("wastecycle", "Nutrients (N+P₂O₅+K₂O)"), "%", Decimal("4.0"), None),
    **_MOISTURE_PH,
    "germination": (pgettext_lazy("wastecycle", "Seed germination index"), "%", Decimal("70"), None),
    **_HEAVY_METALS,
    "coliforms": (pgettext_lazy("wastecycle", "Faecal coliforms"), pgettext_lazy("wastecycle", "per g"), None,
                  Decimal("100")),
    "ascaris": (pgettext_lazy("wastecycle", "Ascaris egg mortality"), "%", Decimal("95"), None),
}
NYT525_EDITION = "NY/T 525-2021"
NYT525_EDITIONS: dict[str, Limits] = {"NY 525-2012": NYT525_2012, NYT525_EDITION: NYT525}


def grams_per_diner(grams: int, diners: int | None) -> Fraction | None:
    """Exact grams per diner; None for a meal whose attendance is not recorded (or nobody ate)."""
    if not diners:
        return None
    return Fraction(grams, diners)


def shown_grams(value: Fraction | None) -> str:
    """A grams-per-diner figure to one decimal, rounded half up on the exact value."""
    if value is None:
        return "—"
    tenths = (value * 10 * 2 + 1) // 2
    return f"{tenths // 10}.{tenths % 10}"


@dataclass(frozen=True)
class Ranked:
    key: int
    grams: int
    diners: int
    per_diner: Fraction


def rank(rows: Iterable[tuple[int, int, int | None]]) -> list[Ranked]:
    """(key, grams, diners) → ranked by grams per diner, least waste first; a row without diners is
    not ranked (no attendance: no figure to compare). Ties keep the key order."""
    ranked = [Ranked(key, grams, diners, Fraction(grams, diners)) for key, grams, diners in rows if diners]
    return sorted(ranked, key=lambda r: (r.per_diner, r.key))


def most_improved(before: dict[int, Fraction], after: dict[int, Fraction]) -> int | None:
    """The key whose grams per diner fell most between two periods (only keys in both; None if none fell)."""
    falls = [(before[k] - after[k], k) for k in before.keys() & after.keys() if before[k] > after[k]]
    return max(falls, key=lambda f: (f[0], -f[1]))[1] if falls else None


def net_problem(gross_kg: int, tare_kg: int, gross_at: dt.datetime, tare_at: dt.datetime) -> tuple[str, str] | None:
    """(field, message) of a ticket's weights and times that cannot be, or None."""
    if tare_kg < 0 or gross_kg <= 0:
        return "gross_kg", pgettext("wastecycle", "Weights must be positive.")
    if tare_kg >= gross_kg:
        return "tare_kg", pgettext("wastecycle", "The tare must be less than the gross weight.")
    if gross_kg > 100_000:
        return "gross_kg", pgettext("wastecycle", "A weighbridge weighs at most 100 t.")
    if tare_at < gross_at:
        return "tare_at", pgettext("wastecycle", "The empty vehicle is weighed after the loaded one.")
    return None


def longest_hot_run(readings: Sequence[tuple[dt.datetime, int]], *, min_tenths: int,
                    max_gap: dt.timedelta) -> dt.timedelta:
    """The longest span of consecutive readings all at or above `min_tenths`, none further apart
    than `max_gap`: the time the mass is shown to have stayed hot."""
    best = dt.timedelta(0)
    start: dt.datetime | None = None
    last: dt.datetime | None = None
    for at, tenths in sorted(readings):
        if tenths < min_tenths or (last is not None and at - last > max_gap):
            start = None
        if tenths >= min_tenths:
            start = at if start is None else start
            best = max(best, at - start)
        last = at
    return best


def hot_enough(readings: Sequence[tuple[dt.datetime, int]], *, min_tenths: int, min_days: int,
               max_gap: dt.timedelta) -> bool:
    return longest_hot_run(readings, min_tenths=min_tenths, max_gap=max_gap) >= dt.timedelta(days=min_days)


def parse_measure(value: object) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def lot_failures(values: Mapping[str, object], limits: Limits = NYT525) -> list[str]:
    """The NY/T 525 measures a lot fails (a missing or unreadable measure fails too)."""
    failures = []
    for measure, (_label, _unit, low, high) in limits.items():
        number = parse_measure(values.get(measure, ""))
        if number is None or (low is not None and number < low) or (high is not None and number > high):
            failures.append(measure)
    return failures


def ship_gap_flagged(shipped_kg: int, received_kg: int | None, tolerance_permille: int) -> bool:
    """A shipment whose received weight differs from the shipped one by more than the tolerance."""
    if received_kg is None:
        return False
    return abs(shipped_kg - received_kg) * 1000 > shipped_kg * tolerance_permille


@dataclass(frozen=True)
class Balance:
    inflow: dict[str, int]   # stream → kg received (net of reversals)
    outflow: dict[str, int]  # soil, residue, shipped → kg
    losses: dict[str, int]   # declared losses → kg
    stock_change: int        # closing − opening stock, kg
    difference: int          # inflow − outflow − losses − stock change
    closes: bool


def balance(inflow: dict[str, int], outflow: dict[str, int], losses: dict[str, int], stock_change: int,
            tolerance_permille: int) -> Balance:
    """The month's mass balance: in = out + declared losses + stock change, within the tolerance
    (a share of the input); otherwise flagged with the difference."""
    total_in = sum(inflow.values())
    difference = total_in - sum(outflow.values()) - sum(losses.values()) - stock_change
    closes = abs(difference) * 1000 <= total_in * tolerance_permille
    return Balance(inflow, outflow, losses, stock_change, difference, closes)


def declared_loss(kg: int, permille: int) -> int:
    return kg * permille // 1000


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of every month from first's to last's."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def missed_months(collected: Iterable[dt.date], first: dt.date, last: dt.date) -> list[dt.date]:
    """The months from first to last in which nothing was collected (the cadence is monthly)."""
    seen = {d.replace(day=1) for d in collected}
    return [m for m in months_between(first, last) if m not in seen]
