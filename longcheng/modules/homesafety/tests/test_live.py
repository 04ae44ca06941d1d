"""The live console on ASGI: the event stream holds no worker and brings a new alarm within 1.5 s.

In-process (Django's async client, both databases: NOTIFY on PostgreSQL, one poll a second per
process on SQLite): a new alarm reaches an open stream as its own list row, and an operator of
another community hears nothing of it.

Against a real uvicorn process on PostgreSQL (the production command): 50 open streams, an
ordinary page still answers quickly, and a newly raised alarm reaches every stream within 1.5 s.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django.test import AsyncClient, Client

from conftest import process_database_url

from .. import live
from ..ingest import Incoming, ingest
from ..models import Alarm
from .conftest import raw

STREAM = "/homesafety/console/stream/"


def _sos() -> Alarm:
    """An SOS ingested from a thread of the event loop's pool, which then gives its connection back."""
    try:
        ingest([Incoming(raw(event="sos"))], source="mqtt")
        return Alarm.objects.get()
    finally:
        connection.close()


async def _next_event(chunks: Any, timeout: float) -> tuple[str, dict[str, Any]]:
    """The next named event of a streaming response (comments and `retry:` skipped)."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        chunk = await asyncio.wait_for(anext(chunks), timeout=left)
        text = chunk.decode() if isinstance(chunk, bytes) else chunk
        if text.startswith("event: "):
            head, data = text.strip().split("\n", 1)
            return head.removeprefix("event: "), json.loads(data.removeprefix("data: "))


@pytest.mark.django_db(transaction=True)
def test_an_open_asgi_stream_hears_of_a_new_alarm_in_its_scope_only(world: Any) -> None:
    async def scenario() -> None:
        mine, theirs = AsyncClient(), AsyncClient()
        await mine.aforce_login(world["operator"])
        await theirs.aforce_login(world["other_op"])
        streams = []
        for client in (mine, theirs):
            response = await client.get(STREAM)
            assert response["Content-Type"] == "text/event-stream"
            assert response.is_async, "an ASGI request must get the asynchronous stream"  # type: ignore[attr-defined]
            chunks = aiter(response.streaming_content)  # type: ignore[attr-defined]
            name, first = await _next_event(chunks, 10)
            assert name == "changed" and "version" in first
            streams.append((chunks, first["version"]))
        began = time.monotonic()
        alarm = await sync_to_async(_sos, thread_sensitive=False)()
        name, data = await _next_event(streams[0][0], 5)
        waited = time.monotonic() - began
        assert name == "alarm" and data["id"] == alarm.pk and data["open"] is True
        assert "王秀英" in data["html"] and f'data-alarm="{alarm.pk}"' in data["html"]
        assert waited < 1.5, waited
        # 剑湖社区's operator: nothing about 上书房社区's alarm.
        with pytest.raises(TimeoutError):
            await _next_event(streams[1][0], 2.5)
        for chunks, _version in streams:
            await chunks.aclose()
        await live.close_hub()
        await sync_to_async(_close)()  # the connection of asgiref's thread for the client's sign-in

    asyncio.run(scenario())


def _close() -> None:
    connection.close()


def _kill_listener() -> int:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND query LIKE %s AND pid <> pg_backend_pid()", [f"LISTEN {live.CHANNEL}%"])
            return len(cursor.fetchall())
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_lost_listen_connection_is_made_again_and_the_consoles_reload(world: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL (runs in the PostgreSQL pass)")

    async def scenario() -> None:
        client = AsyncClient()
        await client.aforce_login(world["operator"])
        response = await client.get(STREAM)
        chunks = aiter(response.streaming_content)  # type: ignore[attr-defined]
        assert (await _next_event(chunks, 10))[0] == "changed"
        assert await sync_to_async(_kill_listener, thread_sensitive=False)() == 1
        # Whatever changed while nobody listened: the console is told to fetch its list again.
        name, data = await _next_event(chunks, 10)
        assert name == "changed" and data == {}
        alarm = await sync_to_async(_sos, thread_sensitive=False)()
        name, data = await _next_event(chunks, 5)
        assert name == "alarm" and data["id"] == alarm.pk
        await chunks.aclose()
        await live.close_hub()
        await sync_to_async(_close)()

    asyncio.run(scenario())


def test_the_detail_pane_alone_is_served_within_scope(world: Any) -> None:
    ingest([Incoming(raw(event="sos"))], source="mqtt")
    alarm = Alarm.objects.get()
    client = Client()
    client.force_login(world["operator"])
    page = client.get(f"/homesafety/console/detail/?alarm={alarm.pk}")
    assert page.status_code == 200 and "王秀英" in page.content.decode()
    assert f"?alarm={alarm.pk}" in page.content.decode()  # the forms come back to the console
    stranger = Client()
    stranger.force_login(world["other_op"])
    assert stranger.get(f"/homesafety/console/detail/?alarm={alarm.pk}").status_code == 404


# --- a real uvicorn process -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])



def start_uvicorn(port: int, env: dict[str, str], workers: int = 1) -> subprocess.Popen[bytes]:
    """The production command of docs/operations.md, on a free port."""
    uvicorn = Path(sys.executable).with_name("uvicorn")
    process = subprocess.Popen([str(uvicorn), "longcheng.asgi:application", "--host", "127.0.0.1", "--port", str(port),
                                "--workers", str(workers), "--no-access-log", "--timeout-graceful-shutdown", "3"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn ended: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("uvicorn did not start within 90 s")


def stop_uvicorn(process: subprocess.Popen[bytes]) -> None:
    """Stop it, and wait until PostgreSQL has let go of its sessions (its LISTEN connection): the
    test database is dropped at the end of the run."""
    process.terminate()
    process.wait(timeout=20)
    deadline = time.monotonic() + 10
    try:
        with connection.cursor() as cursor:
            while time.monotonic() < deadline:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                               "AND pid <> pg_backend_pid()")
                if cursor.fetchone()[0] == 0:
                    return
                time.sleep(0.1)
    finally:
        # Under Playwright's greenlets this connection belongs to a context the test database's
        # teardown does not see; closed here, the database can be dropped at the end.
        connection.close()


class SSE:
    """A raw event-stream client (HTTP/1.0, so the body is not chunked): no library needed."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int, cookie: str, path: str = STREAM) -> SSE:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                     f"Cookie: sessionid={cookie}\r\n\r\n".encode())
        await writer.drain()
        status = await reader.readline()
        assert b" 200 " in status, status
        while (await reader.readline()).strip():
            pass
        return cls(reader, writer)

    async def event(self, timeout: float) -> tuple[str, dict[str, Any]]:
        name = ""
        deadline = time.monotonic() + timeout
        while True:
            line = (await asyncio.wait_for(self.reader.readline(), timeout=max(0.01, deadline - time.monotonic())))
            if not line:
                raise EOFError
            text = line.decode().rstrip("\n")
            if text.startswith("event: "):
                name = text.removeprefix("event: ")
            elif text.startswith("data: ") and name:
                return name, json.loads(text.removeprefix("data: "))

    def close(self) -> None:
        self.writer.close()


async def http_get(port: int, cookie: str, path: str) -> tuple[int, float]:
    """Status and seconds of an ordinary page, over its own connection."""
    began = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nCookie: sessionid={cookie}\r\n\r\n".encode())
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    await reader.read()
    writer.close()
    return status, time.monotonic() - began


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_open_consoles_on_uvicorn_block_nothing_and_all_hear_a_new_alarm_within_1_5_s(
        world: Any, tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL (runs in the PostgreSQL pass)")
    client = Client()
    client.force_login(world["operator"])
    cookie = client.cookies["sessionid"].value
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": process_database_url(), "LONGCHENG_VAR_DIR": str(tmp_path), "DB_CONN_MAX_AGE": "0",
           "JOBS_IMMEDIATE": "1"}
    server = start_uvicorn(port, env)

    async def scenario() -> None:
        streams = await asyncio.gather(*(SSE.open(port, cookie) for _ in range(50)))
        try:
            for stream in streams:
                name, data = await stream.event(20)
                assert name == "changed" and "version" in data
            # No thread per open stream (Django's per-request thread is let go, live.py).
            threads = int(next(line for line in Path(f"/proc/{server.pid}/status").read_text().splitlines()
                               if line.startswith("Threads:")).split()[1])
            assert threads < 25, threads
            # (a) an ordinary page answers while the 50 streams are open
            for path in ("/homesafety/console/list/", "/homesafety/", "/"):
                status, seconds = await http_get(port, cookie, path)
                assert status == 200 and seconds < 1.0, (path, status, seconds)
            # (b) a new alarm reaches every open stream within 1.5 s of its raising
            began = time.monotonic()
            alarm = await sync_to_async(_sos, thread_sensitive=False)()
            waits = []
            for stream in streams:
                name, data = await stream.event(5)
                assert name == "alarm" and data["id"] == alarm.pk and "王秀英" in data["html"]
                waits.append(time.monotonic() - began)
            assert max(waits) < 1.5, max(waits)
        finally:
            for stream in streams:
                stream.close()

    try:
        asyncio.run(scenario())
    finally:
        stop_uvicorn(server)
