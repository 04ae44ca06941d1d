"""Place codes typed by people (forms, spreadsheet cells, API lists) → places, in one place.

A chooser shows a place as its whole path and code ("常州市 / 武进区 / 上书房社区 (320412104001)");
people paste several, separated by commas (also 、，;；). Either the code or such a label is taken.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from longcheng.kernel.errors import ErrorCode, KernelError

from .models import Place

SEPARATORS = "、，;；"


def split_codes(text: str | Iterable[str]) -> list[str]:
    """The codes in a text (or in a list of texts), in order, without repeats; a chooser label
    "path (code)" gives its code."""
    parts = [text] if isinstance(text, str) else list(text)
    out: list[str] = []
    for part in parts:
        part = str(part or "")
        for sep in SEPARATORS:
            part = part.replace(sep, ",")
        for code in (c.strip() for c in part.split(",")):
            if code.endswith(")") and "(" in code:
                code = code[code.rindex("(") + 1:-1].strip()
            if code and code not in out:
                out.append(code)
    return out


def places_by_codes(text: str | Iterable[str], *, field: str, within: QuerySet[Place] | None = None) -> list[Place]:
    """The places the text names, in its order; a code no place has (or none within `within`, the
    caller's scope, which answers like a code that does not exist) is refused naming `field`."""
    codes = split_codes(text)
    qs = within if within is not None else Place.objects.all()
    found = {p.code: p for p in qs.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise KernelError(_("No place has the code %(code)s.") % {"code": ", ".join(unknown)},
                          code=ErrorCode.INVALID_PLACE, field=field)
    return [found[c] for c in codes]


def place_by_code(text: str, *, field: str, within: QuerySet[Place] | None = None) -> Place | None:
    """One place (None for an empty text); several codes are refused naming `field`."""
    places = places_by_codes(text, field=field, within=within)
    if len(places) > 1:
        raise KernelError(_("Choose one place."), code=ErrorCode.INVALID_PLACE, field=field)
    return places[0] if places else None
