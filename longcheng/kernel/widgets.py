"""Form widgets every page shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _


class DateWidget(forms.DateInput):
    """The browser's date picker. Its value must be ISO (yyyy-mm-dd): the Chinese locale's first input
    format (2026/01/01) is one the browser throws away, leaving the field empty."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeWidget(forms.DateTimeInput):
    """The browser's date-and-time picker, with the ISO value it requires (see DateWidget)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


# --- choosing a place by its whole path ---------------------------------------------------------------------

PATH_JOIN = " / "


def place_labels(places: Iterable[Any]) -> dict[int, str]:
    """Each place's whole path under the city, e.g. "武进区 / 遥观镇 / 某社区 / 第一网格": a city has
    many grids called "第一网格", and only the path tells them apart. One query for all the ancestors;
    a label two places would share gets the place's code after it."""
    from longcheng.kernel.places.models import PATH_SEPARATOR, Level, Place

    rows = list(places)
    codes = {code for place in rows for code in place.path.split(PATH_SEPARATOR) if code}
    names = {code: name for code, name, level in Place.objects.filter(code__in=codes).values_list(
        "code", "name", "level") if level != Level.CITY}
    labels: dict[int, str] = {}
    for place in rows:
        parts = [names[code] for code in place.path.split(PATH_SEPARATOR) if code in names]
        labels[place.pk] = PATH_JOIN.join(parts) or place.name
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    codes_by_pk = {place.pk: place.code for place in rows}
    return {pk: f"{label} ({codes_by_pk[pk]})" if seen[label] > 1 else label for pk, label in labels.items()}


class PlaceChooser(forms.TextInput):
    """A searchable place chooser without any script library: a text input with the browser's own
    datalist of every place's whole path; typing part of any name ("遥观", "第一网格") narrows it. The
    field turns the chosen path back into the place (PlaceChoiceField)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", "size": 50, **(attrs or {})})
        self.labels: Callable[[], dict[int, str]] = dict

    def format_value(self, value: Any) -> str | None:
        if value in (None, ""):
            return None
        try:
            return self.labels().get(int(value), str(value))
        except (TypeError, ValueError):
            return str(value)  # the text typed, shown again with the form's error

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or name}-places"
        attrs["list"] = list_id
        html = super().render(name, value, attrs, renderer)
        options = format_html_join("", '<option value="{}"></option>', ((label,) for label in self.labels().values()))
        return html + format_html('<datalist id="{}">{}</datalist>', list_id, options)


class PlaceChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A place, chosen by its whole path (PlaceChooser); the place's id (as older forms and scripts
    send it) is accepted too. Anything else is refused with a message that says how to choose."""

    widget = PlaceChooser
    default_error_messages = {
        "invalid_choice": _("Choose a place from the list: type part of its name and pick its whole path."),
    }

    def __init__(self, queryset: Any, **kwargs: Any) -> None:
        self._labels: tuple[Any, dict[int, str]] | None = None
        super().__init__(queryset, **kwargs)
        self.widget.labels = self.labels

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        # Each form gets a copy of the field (and of its widget): the copy's widget reads the copy's
        # queryset, which the form's __init__ sets (e.g. restricted to the user's places).
        copied = super().__deepcopy__(memo)  # type: ignore[misc]
        copied.widget.labels = copied.labels
        return copied

    def labels(self) -> dict[int, str]:
        """The labels of the places of the current queryset (computed once for it)."""
        queryset = self.queryset
        if self._labels is None or self._labels[0] is not queryset:
            self._labels = (queryset, place_labels(queryset.order_by("path")) if queryset is not None else {})
        return self._labels[1]

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        by_label = {label: pk for pk, label in self.labels().items()}
        return super().to_python(by_label.get(text, text))
