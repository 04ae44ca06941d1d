"""The generic MQTT worker's parts that need no broker (a broker run: platformdoor's done-when test):
a gateway batch becomes its members, a batch that cannot be read one refused message, never a raise;
broker URLs with credentials and TLS, the password never printed."""

from __future__ import annotations

import json

import pytest

from longcheng.kernel.telemetry import mqtt


def test_a_device_topic_is_one_message_and_a_gateway_batch_its_members() -> None:
    one = mqtt.expand("p/devices/PD-1/telemetry", b'{"device": "PD-1"}')
    assert [(m.payload, m.topic) for m in one] == [(b'{"device": "PD-1"}', "p/devices/PD-1/telemetry")]
    members = mqtt.expand("p/gateways/gw/telemetry", json.dumps({"messages": [{"device": "A"}, 7]}).encode())
    assert [m.payload for m in members] == [{"device": "A"}, "7"] and members[1].decoded == 7


@pytest.mark.parametrize("payload", [b"{", b'{"messages": []}', b'{"messages": {}}', b"[" * 100 + b"]" * 100])
def test_a_batch_that_cannot_be_read_is_one_refused_message(payload: bytes) -> None:
    [message] = mqtt.expand("p/gateways/gw/telemetry", payload)
    assert message.refused is not None and message.refused[0] in ("invalid_batch", "malformed_json", "too_deep")


def test_broker_urls() -> None:
    plain = mqtt.parse_broker("mqtt://ingest:s3cret@127.0.0.1:1884")
    assert (plain.host, plain.port, plain.username, plain.password, plain.tls) == ("127.0.0.1", 1884, "ingest",
                                                                                    "s3cret", False)
    assert "s3cret" not in str(plain) and str(plain) == "mqtt://ingest@127.0.0.1:1884"
    tls = mqtt.parse_broker("mqtts://h?cafile=/ca.pem")
    assert (tls.port, tls.tls, tls.cafile) == (8883, True, "/ca.pem")
    with pytest.raises(ValueError, match="mqtt://host:1883"):
        mqtt.parse_broker("http://h")
    assert mqtt.topics("x/v1") == ["x/v1/devices/+/+", "x/v1/gateways/+/telemetry"]
    assert mqtt.is_event("x/v1/devices/A/events") and not mqtt.is_event("x/v1/devices/A/telemetry")
