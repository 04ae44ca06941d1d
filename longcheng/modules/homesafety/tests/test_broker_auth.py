"""MQTT with accounts (issue 11.15) and client ids of their own (issue 13.7), against the project's
own broker configuration (deploy/mosquitto/): user and password from MQTT_URL, TLS for mqtts://,
the per-gateway ACL, and two processes that never take each other's connection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from ..mqtt import Ingester, client_id, parse_broker
from .broker import ProjectBroker, start_project_broker
from .conftest import msg

ACCOUNTS = {"longcheng-ingest": "ingest-pw-1", "gw-1": "gw1-pw", "gw-2": "gw2-pw"}


def test_mqtt_url_carries_account_and_tls() -> None:
    b = parse_broker("mqtts://gw-1:p%40ss:w@mqtt.example.cn?cafile=/etc/ssl/ca.pem")
    assert (b.host, b.port, b.username, b.password, b.tls, b.cafile) == (
        "mqtt.example.cn", 8883, "gw-1", "p@ss:w", True, "/etc/ssl/ca.pem")
    assert "p@ss" not in str(b) and str(b) == "mqtts://gw-1@mqtt.example.cn:8883"
    plain = parse_broker("mqtt://10.0.0.5")
    assert (plain.port, plain.username, plain.password, plain.tls) == (1883, None, None, False)
    with pytest.raises(ValueError) as info:
        parse_broker("http://u:secret@h:1883")
    assert "secret" not in str(info.value)


def test_client_ids_name_instance_role_host_and_process() -> None:
    import socket

    mine = client_id("simulator", "city-a/v1")
    assert mine == f"city-a-v1-simulator-{socket.gethostname()}-{os.getpid()}"
    assert client_id("simulator", "city-b/v1") != mine
    other = subprocess.run([sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
                            "'longcheng.settings'; django.setup(); from longcheng.modules.homesafety.mqtt import "
                            "client_id; print(client_id('simulator', 'city-a/v1'))"],
                           capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    assert other != mine and other.startswith("city-a-v1-simulator-")


def test_two_demos_have_topic_prefixes_of_their_own() -> None:
    from ..feed import demo_topic_prefix

    assert demo_topic_prefix("host-8000") != demo_topic_prefix("host-8001")
    assert demo_topic_prefix("host-8000") == "longcheng-demo/host-8000/v1"


@pytest.fixture
def project_broker(tmp_path: Path) -> Any:
    broker = start_project_broker(tmp_path / "broker", f"t{uuid.uuid4().hex[:8]}/v1", ACCOUNTS)
    yield broker
    broker.stop()


def _publisher(broker: ProjectBroker, user: str | None, password: str | None = None, *, tls: bool = False) -> Any:
    import paho.mqtt.client as mqtt

    from ..mqtt import configure

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-{uuid.uuid4().hex[:8]}")
    answer: list[Any] = []
    client.on_connect = lambda _c, _u, _f, reason, _p: answer.append(reason)
    if user is None:
        where = configure(client, f"mqtt://127.0.0.1:{broker.port}")
    else:
        url = broker.url(user, tls=tls)
        if password is not None:
            url = url.replace(f":{broker.accounts[user]}@", f":{password}@")
        where = configure(client, url)
    client.connect(where.host, where.port)
    client.loop_start()
    deadline = time.monotonic() + 5
    while not answer and time.monotonic() < deadline:
        time.sleep(0.02)
    client.answer = answer[0] if answer else None  # type: ignore[attr-defined]
    return client


@pytest.mark.service
def test_the_shipped_broker_config_admits_accounts_only_and_each_gateway_under_its_own_topic(
        project_broker: ProjectBroker) -> None:
    b = project_broker
    anonymous = _publisher(b, None)
    wrong = _publisher(b, "gw-1", "not-the-password")
    assert anonymous.answer is not None and anonymous.answer.is_failure
    assert wrong.answer is not None and wrong.answer.is_failure
    for c in (anonymous, wrong):
        c.loop_stop()
    # The ingest workers' account over TLS, as MQTT_URL=mqtts://longcheng-ingest:…@host:8883 gives it.
    ingester = Ingester(b.url("longcheng-ingest", tls=True), client_id=client_id("ingest", b.prefix),
                        group="g", clean_start=True, prefix=b.prefix)
    assert ingester.broker.tls and ingester.broker.username == "longcheng-ingest"
    ingester.start()
    try:
        assert ingester.connected.wait(10), ingester.refused
        time.sleep(0.5)
        assert ingester.refused is None  # its shared subscriptions are allowed by the ACL
        gw1 = _publisher(b, "gw-1", tls=True)
        assert gw1.answer is not None and not gw1.answer.is_failure
        own = json.dumps({"messages": [msg(hr=71)]})
        forged = json.dumps({"messages": [msg(hr=72)]})
        gw1.publish(f"{b.prefix}/gateways/gw-1/telemetry", own, qos=1).wait_for_publish(5)
        # gw-1 may not speak for gw-2 nor for a device: the broker drops these.
        gw1.publish(f"{b.prefix}/gateways/gw-2/telemetry", forged, qos=1).wait_for_publish(5)
        gw1.publish(f"{b.prefix}/devices/WB-1/events", json.dumps(msg(event="sos")), qos=1).wait_for_publish(5)
        gw1.loop_stop()
        gw1.disconnect()
        time.sleep(1.0)
        received = []
        while not ingester.inbox.empty():
            received.append(ingester._get(0.1))
        assert [(m.topic, m.payload.decode()) for m in received] == [(f"{b.prefix}/gateways/gw-1/telemetry", own)]
    finally:
        ingester.stop()
    denied = [line for line in b.log.read_text().splitlines() if "Denied PUBLISH" in line]
    assert len(denied) == 2 and "gateways/gw-2/telemetry" in denied[0] and "devices/WB-1/events" in denied[1]


@pytest.mark.service
def test_an_ingest_worker_refused_by_the_broker_exits_saying_why(project_broker: ProjectBroker, tmp_path: Path) -> None:
    env = {**os.environ, "LONGCHENG_VAR_DIR": str(tmp_path),
           "MQTT_URL": f"mqtt://longcheng-ingest:wrong@127.0.0.1:{project_broker.port}"}
    done = subprocess.run([sys.executable, "-m", "longcheng", "ingest_mqtt", "--worker", "w1"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "refused" in done.stderr and "wrong" not in done.stderr


@pytest.mark.service
def test_two_workers_started_without_a_name_do_not_take_each_others_connection(
        project_broker: ProjectBroker, tmp_path: Path) -> None:
    """The default worker name was the host name: two workers on one machine (or two instances on one
    broker) kicked each other off every few seconds and their messages went astray."""
    env = {**os.environ, "LONGCHENG_VAR_DIR": str(tmp_path), "HOMESAFETY_MQTT_PREFIX": project_broker.prefix,
           "MQTT_URL": project_broker.url("longcheng-ingest")}
    workers = [subprocess.Popen([sys.executable, "-m", "longcheng", "ingest_mqtt", "--seconds", "6"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [w.communicate(timeout=60) for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    log = project_broker.log.read_text()
    assert "already connected, closing old connection" not in log
    ids = {line.split("client id ")[1].split(")")[0] for out, _err in outputs for line in out.splitlines()
           if "client id " in line}
    assert len(ids) == 2, outputs
