"""Typed settings helpers that fail loudly.

A misspelt boolean or a port that is not a number must stop the process at start-up with a message
naming the variable, rather than silently falling back to a default in production.
"""

from __future__ import annotations

import os
from pathlib import Path


class SettingError(RuntimeError):
    """A configuration value is missing or malformed."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    # NAME_FILE lets secrets come from a mounted file (Docker/Kubernetes secrets) instead of the
    # environment, where they would show up in `ps e` and crash reports.
    file_var = f"{name}_FILE"
    if file_var in os.environ:
        path = Path(os.environ[file_var])
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SettingError(f"{file_var}={path}: cannot read the file ({exc.strerror})") from exc
    return os.environ.get(name)


def env_str(name: str, default: str) -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise SettingError(f"{name}={value!r}: expected one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise SettingError(f"{name}={value!r}: expected a whole number") from exc
    if minimum is not None and number < minimum:
        raise SettingError(f"{name}={number}: must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise SettingError(f"{name}={number}: must be at most {maximum}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str, default: str | None = None) -> str:
    value = _raw(name)
    if value is None or value == "":
        if default is None:
            raise SettingError(f"{name} is required (set it, or {name}_FILE pointing at a file)")
        return default
    return value
