"""The baselines of the MQTT benchmark: the least a subscriber can do with the same stream.

    python -m bench.mqtt_baseline --mode count  --prefix P --group G --seconds S
    python -m bench.mqtt_baseline --mode insert --prefix P --group G --seconds S --database URL

`count` only counts device messages (the broker's own rate); `insert` parses each gateway batch and
inserts its readings with one statement per MQTT message (no validation, no rules, no state), and
acknowledges after commit, as the platform does. No Django: what is measured is the broker and the
database. Prints `messages readings first_ms last_ms` when it stops.
"""

from __future__ import annotations

import argparse
import json
import queue
import signal
import sqlite3
import threading
import time
from typing import Any

import paho.mqtt.client as mqtt


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["count", "insert"], required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--name", default="0")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--database", default="")
    args = parser.parse_args()

    inbox: queue.Queue[Any] = queue.Queue()
    ready = threading.Event()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-base-{args.group}-{args.name}",
                         clean_session=True)
    client.manual_ack_set(True)
    client.max_inflight_messages_set(1000)

    def on_connect(c: Any, *_: Any) -> None:
        c.subscribe([(f"$share/{args.group}/{args.prefix}/devices/+/+", 1),
                      (f"$share/{args.group}/{args.prefix}/gateways/+/telemetry", 1)])
        ready.set()

    client.on_connect = on_connect
    client.on_message = lambda _c, _u, m: inbox.put(m)
    client.connect("127.0.0.1", 1883)
    insert = _inserter(args.database) if args.mode == "insert" else None
    client.loop_start()
    ready.wait(10)
    print("ready", flush=True)

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    messages = readings = 0
    first = last = 0
    until = time.monotonic() + args.seconds
    while time.monotonic() < until and not stopping.is_set():
        try:
            m = inbox.get(timeout=0.2)
        except queue.Empty:
            continue
        batch = json.loads(m.payload)["messages"] if "/gateways/" in m.topic else [json.loads(m.payload)]
        if insert is not None:
            insert(batch)
        if m.qos:
            client.ack(m.mid, m.qos)
        now = int(time.time() * 1000)
        first = first or now
        last = now
        messages += 1
        readings += len(batch)
    client.loop_stop()
    client.disconnect()
    print(f"{messages} {readings} {first} {last}", flush=True)


def _inserter(url: str) -> Any:
    """One INSERT per gateway batch, committed; devices looked up once by serial."""
    if url.startswith("sqlite:///"):
        db: Any = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=20)
        ids = dict(db.execute("SELECT serial, id FROM homesafety_device"))
        sql = ("INSERT INTO homesafety_reading (device_id, seq, device_time, received_at, metrics, event) "
               "VALUES (?, ?, ?, ?, ?, '') ON CONFLICT (device_id, seq) DO NOTHING")

        def insert(batch: list[dict[str, Any]]) -> None:
            now = time.strftime("%Y-%m-%d %H:%M:%S")
            with db:
                db.executemany(sql, [(ids[b["device"]], b["seq"], now, now, json.dumps(b["metrics"])) for b in batch])

        return insert
    import psycopg

    conn = psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)
    ids = dict(conn.execute("SELECT serial, id FROM homesafety_device").fetchall())
    sql = ("INSERT INTO homesafety_reading (device_id, seq, device_time, received_at, metrics, event) "
           "SELECT d, s, now(), now(), m, '' FROM jsonb_to_recordset(%s::jsonb) AS x(d bigint, s bigint, m jsonb) "
           "ON CONFLICT (device_id, seq) DO NOTHING")

    def insert_pg(batch: list[dict[str, Any]]) -> None:
        with conn.transaction():
            conn.execute(sql, [json.dumps([{"d": ids[b["device"]], "s": b["seq"], "m": b["metrics"]} for b in batch])])

    return insert_pg


if __name__ == "__main__":
    main()
