"""Insurer hand-off adapters: how an agreement reaches an insurer and its claim status comes back.
A real insurer's adapter (its API) implements the same two calls; `local` keeps everything in our
database (the demo and insurers without an integration, whose handlers work in our pages)."""

from __future__ import annotations

from typing import Protocol


class InsurerAdapter(Protocol):
    def submit(self, *, insurer_code: str, handoff_id: int, mutual_self_pay: bool) -> str:
        """Send the agreement; returns the insurer's claim number."""

    def status(self, claim_no: str) -> str | None:
        """The claim's status as the insurer reports it, or None when unknown."""


class LocalAdapter:
    def submit(self, *, insurer_code: str, handoff_id: int, mutual_self_pay: bool) -> str:
        kind = "ZP" if mutual_self_pay else "LP"  # 自赔 / 理赔
        return f"{insurer_code.upper()}-{kind}-{handoff_id:08d}"

    def status(self, claim_no: str) -> str | None:
        return None  # the status is what the handler set in our pages


ADAPTERS: dict[str, InsurerAdapter] = {"local": LocalAdapter()}


def adapter_for(code: str) -> InsurerAdapter:
    return ADAPTERS.get(code, ADAPTERS["local"])
