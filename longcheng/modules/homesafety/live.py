"""The alarm centre's live stream (server-sent events) on an ASGI server, holding no worker.

Each server process has one hub. On PostgreSQL it keeps ONE connection that LISTENs on
`homesafety_alarms` (a trigger sends `<alarm id> <place path>` when a write to an alarm commits,
migration 0003); on SQLite, which has no NOTIFY, it reads the open alarms' state once a second and
compares. Either way a changed alarm is read and its list row rendered once per process and
language, then pushed to every open console whose operator's scope covers the place. An open
console costs a queue and a few kilobytes: no thread, no database connection, no query. Hundreds
stay open while the pages answer (bench/bench_homesafety_console.py).

Under WSGI (Django's test client, the threaded development server) views.py keeps the synchronous
polling generator: an async iterator there would be collected whole before the first byte is sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import psycopg
from asgiref.sync import SyncToAsync, sync_to_async
from django.db import close_old_connections, connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import views  # a module, not its names: views.py imports this one (the console stream)
from .models import Alarm

log = logging.getLogger(__name__)

CHANNEL = "homesafety_alarms"
# A comment line this often keeps proxies and load balancers from closing a quiet stream.
KEEPALIVE_SECONDS = 15.0
# A console that cannot keep up (its client reads too slowly) is told to reload its list instead.
QUEUE_LIMIT = 500
RELOAD: dict[str, Any] = {"reload": True}
# SQLite: how often the process reads the open alarms' state.
POLL_SECONDS = 1.0


@dataclass(eq=False)
class Subscriber:
    paths: tuple[str, ...]
    language: str
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))

    def covers(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.paths)

    def push(self, item: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(RELOAD)


class Hub:
    """One per event loop (one per server process): the LISTEN connection and the open consoles."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.subscribers: set[Subscriber] = set()
        self.listening = asyncio.Event()
        self.pending: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
        # Reading and rendering notified alarms: one thread, so one database connection per process.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="homesafety-live")

        source = self._listen() if connection.vendor == "postgresql" else self._poll()
        self.tasks = [loop.create_task(source), loop.create_task(self._fan_out())]

    async def close(self) -> None:
        """Stop listening and close both connections (tests; a server simply exits)."""
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.loop.run_in_executor(self.executor, _close_connection)
        self.executor.shutdown(wait=True)
        _HUBS.pop(self.loop, None)

    async def _listen(self) -> None:
        params = _connection_params()
        delay = 0.5
        first = True
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(**params, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    delay = 0.5
                    if not first:
                        # Alarms may have changed while nobody listened: every console reloads its list.
                        for sub in list(self.subscribers):
                            sub.push(RELOAD)
                    first = False
                    async for note in conn.notifies():
                        pk, _, path = note.payload.partition(" ")
                        if pk.isdigit():
                            self.pending.put_nowait((int(pk), path))
            except asyncio.CancelledError:
                raise
            except Exception:
                self.listening.clear()
                log.warning("homesafety live: the LISTEN connection failed; retrying in %.1f s", delay, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _poll(self) -> None:
        """SQLite: the open alarms' state read once a second for the whole process (not once per
        console), compared with the previous reading; what changed goes the same way as a NOTIFY."""
        seen: dict[int, tuple[Any, ...]] | None = None
        while True:
            try:
                now = await self.loop.run_in_executor(self.executor, _open_alarm_states)
            except Exception:
                log.warning("homesafety live: could not read the open alarms", exc_info=True)
                await asyncio.sleep(POLL_SECONDS)
                continue
            if seen is not None:
                for pk, state in now.items():
                    if seen.get(pk) != state:
                        self.pending.put_nowait((pk, state[-1]))
                for pk in seen.keys() - now.keys():  # closed
                    self.pending.put_nowait((pk, seen[pk][-1]))
            seen = now
            self.listening.set()
            await asyncio.sleep(POLL_SECONDS)

    async def _fan_out(self) -> None:
        while True:
            first = await self.pending.get()
            batch = {first[0]: first[1]}
            # Whatever else arrived meanwhile goes in the same read: under load the batches grow and
            # the queries per alarm fall.
            while not self.pending.empty():
                pk, path = self.pending.get_nowait()
                batch[pk] = path
            wanted = {pk: path for pk, path in batch.items() if any(s.covers(path) for s in self.subscribers)}
            if not wanted:
                continue
            languages = sorted({s.language for s in self.subscribers})
            try:
                rows = await self.loop.run_in_executor(self.executor, _render_rows, list(wanted), languages)
            except Exception:
                log.exception("homesafety live: could not read notified alarms %s", sorted(wanted))
                for sub in list(self.subscribers):
                    sub.push(RELOAD)
                continue
            for row in rows:
                path = wanted[row["id"]]
                for sub in list(self.subscribers):
                    if sub.covers(path):
                        html = row.get("html", {})
                        sub.push({"id": row["id"], "open": row["open"], "order": row.get("order", ""),
                                  "html": html.get(sub.language, "")})


_HUBS: dict[asyncio.AbstractEventLoop, Hub] = {}


def hub() -> Hub:
    loop = asyncio.get_running_loop()
    if loop not in _HUBS:
        _HUBS[loop] = Hub(loop)
    return _HUBS[loop]


async def close_hub() -> None:
    center = _HUBS.get(asyncio.get_running_loop())
    if center is not None:
        await center.close()


def _connection_params() -> dict[str, Any]:
    """Django's own connection parameters (so tests and settings agree), without the parts that
    only its synchronous cursor understands."""
    params = connection.get_connection_params()
    for key in ("cursor_factory", "context", "pool"):
        params.pop(key, None)
    return params


def _open_alarm_states() -> dict[int, tuple[Any, ...]]:
    """Every open alarm's visible state and place path (SQLite: a small town's few hundred rows)."""
    close_old_connections()
    try:
        rows = Alarm.objects.filter(is_open=True).values_list(
            "pk", "count", "status", "escalation_level", "cleared_at", "last_seen", "enrollee__person__place__path")
        return {row[0]: (*row[1:-1], row[-1] or "") for row in rows}
    finally:
        close_old_connections()


def _render_rows(ids: list[int], languages: list[str]) -> list[dict[str, Any]]:
    """The list rows of these alarms, one per language; a closed alarm is only its id."""
    close_old_connections()
    try:
        found = {a.pk: a for a in views.alarm_rows(ids)}
        now = timezone.now()
        rows: list[dict[str, Any]] = []
        for pk in ids:
            alarm = found.get(pk)
            if alarm is None or not alarm.is_open:
                rows.append({"id": pk, "open": False})
                continue
            html = {}
            for language in languages:
                with translation.override(language):
                    views._labelled([alarm])
                    html[language] = render_to_string("homesafety/_alarm_row.html", {"a": alarm, "now": now})
            rows.append({"id": pk, "open": True, "order": alarm.order_key, "html": html})  # type: ignore[attr-defined]
        return rows
    finally:
        close_old_connections()


def _close_connection() -> None:
    connection.close()


def _release_request_thread() -> None:
    """Let go of the thread Django's ASGI handler keeps for this request until its response ends.

    The handler runs the synchronous middleware and view of each request in a thread of the request's
    own (asgiref's ThreadSensitiveContext), parked until the response is over; for a stream that is
    minutes. Once the stream's connection is closed, nothing here needs that thread: everything else
    happens on the event loop. asgiref makes a new one if the request asks for it again (the signal at
    the end of the response). Without this, 200 open consoles kept 200 idle threads (the bench)."""
    context = SyncToAsync.thread_sensitive_context.get(None)
    executors = getattr(SyncToAsync, "context_to_thread_executor", None)
    if context is None or executors is None or getattr(context, "_executor", None) is not None:
        return  # not Django's per-request context, or an asgiref that works otherwise: keep the thread
    executor = executors.pop(context, None)
    if executor is not None:
        executor.shutdown(wait=False)


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _version_and_close(user: Any) -> str:
    """The console's version, then the request's database connection closed: an open stream must
    not hold one of PostgreSQL's few hundred connections for minutes."""
    try:
        return views.console_version(user)
    finally:
        connection.close()


async def alarm_stream(user: Any, paths: tuple[str, ...], language: str, seconds: float) -> AsyncIterator[str]:
    """Subscribe first, then read the version, so that nothing falls between the two."""
    loop = asyncio.get_running_loop()
    sub = Subscriber(paths, language)
    center = hub()
    center.subscribers.add(sub)
    try:
        yield "retry: 2000\n\n"
        try:
            await asyncio.wait_for(center.listening.wait(), timeout=5)
        except TimeoutError:
            log.warning("homesafety live: not listening yet; the console will poll its list on reconnect")
        version = await sync_to_async(_version_and_close)(user)
        _release_request_thread()
        yield _sse("changed", {"version": version})
        deadline = loop.time() + seconds
        while (left := deadline - loop.time()) > 0:
            try:
                item = await asyncio.wait_for(sub.queue.get(), timeout=min(KEEPALIVE_SECONDS, left))
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            yield _sse("changed", {}) if item is RELOAD else _sse("alarm", item)
    finally:
        center.subscribers.discard(sub)
