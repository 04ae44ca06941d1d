"""cleanaudit's demo."""
from typing import Any


def build(**options: Any) -> None:
    return None
