"""The mosquitto_pub lines of docs/homesafety.md ("Press an SOS button yourself") work on a running
demo as printed: `longcheng serve --demo-feeds` on a small world, the machine's Mosquitto on
127.0.0.1:1883, the snippet run by bash from the repository (only the web port differs)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import IN_CI, require_service

from .broker import free_port
from .test_layout import ROOT, WORLD


def _snippet() -> str:
    text = (ROOT / "docs" / "homesafety.md").read_text()
    found = re.search(r"Press an SOS button yourself.*?```sh\n(.*?)```", text, re.S)
    assert found, "docs/homesafety.md lost its mosquitto_pub example"
    return "\n".join(line.removeprefix("  ") for line in found.group(1).splitlines())


@pytest.mark.service
def test_the_docs_mosquitto_pub_line_raises_an_alarm_on_the_demo(tmp_path: Path) -> None:
    if not IN_CI and not os.environ.get("LONGCHENG_LAYOUT_TEST"):
        pytest.skip("the docs example runs a demo server (about 40 s); it runs under CI")
    require_service("Mosquitto", "127.0.0.1", 1883)
    snippet = _snippet()
    assert "-8000/v1/" in snippet and "mosquitto_pub" in snippet
    port = free_port()
    # The demo's own database and queue, in a directory of its own (the default var/ of make run).
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "JOBS_URL", "JOBS_QUEUE")}
    env |= {"LONGCHENG_VAR_DIR": str(tmp_path), "JOBS_IMMEDIATE": "0", "MQTT_URL": "mqtt://127.0.0.1:1883"}
    subprocess.run([sys.executable, "-m", "longcheng", "migrate", "--noinput"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    subprocess.run([sys.executable, "-c", WORLD % {"elders": 2}], env=env, cwd=ROOT, check=True, capture_output=True,
                   timeout=60)
    log = tmp_path / "serve.log"
    server = subprocess.Popen([sys.executable, "-m", "longcheng", "serve", "--demo-feeds", "--port", str(port)],
                              env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "→ ingester" not in log.read_text() and time.monotonic() < deadline:
            assert server.poll() is None, log.read_text()
            time.sleep(0.2)
        assert "→ ingester" in log.read_text(), log.read_text()
        time.sleep(1.0)  # the demo ingester's subscription settles
        # As printed, from the repository; only the web port is this test's.
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", snippet.replace("-8000/v1/", f"-{port}/v1/")],
                              env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        check = ("import django; django.setup(); from longcheng.modules.homesafety.models import Alarm; "
                 "print(Alarm.objects.filter(kind='sos', device__serial='WB-0000002').count())")
        deadline = time.monotonic() + 30
        count = "0"
        while count == "0" and time.monotonic() < deadline:
            count = subprocess.run([sys.executable, "-c", check], env=env, cwd=ROOT, capture_output=True, text=True,
                                   timeout=60).stdout.strip()
            time.sleep(0.5)
        assert count == "1", log.read_text()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
