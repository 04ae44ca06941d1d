"""Form widgets every page shares."""

from __future__ import annotations

from typing import Any

from django import forms


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
