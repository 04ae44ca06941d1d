"""The project's own Mosquitto for a test: `deploy/mosquitto/longcheng.conf` and its ACL as shipped,
with the paths moved into a temporary directory, the listeners on free local ports, a password
file made with mosquitto_passwd and a throwaway TLS certificate. A test that passes here passes
against the configuration an operator deploys."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import IN_CI

DEPLOY = Path(__file__).resolve().parents[4] / "deploy" / "mosquitto"


@dataclass
class ProjectBroker:
    port: int  # plain MQTT (the ingest workers' listener)
    tls_port: int
    cafile: str
    prefix: str
    accounts: dict[str, str]
    log: Path
    process: Any = field(repr=False)
    config: Path = field(repr=False)

    def url(self, user: str, *, tls: bool = False) -> str:
        if tls:
            return f"mqtts://{user}:{self.accounts[user]}@127.0.0.1:{self.tls_port}?cafile={self.cafile}"
        return f"mqtt://{user}:{self.accounts[user]}@127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _need(tool: str) -> str:
    path = shutil.which(tool) or (f"/usr/sbin/{tool}" if os.path.exists(f"/usr/sbin/{tool}") else None)
    if path is None:
        if IN_CI:
            pytest.fail(f"{tool} is not installed; under CI it must be")
        pytest.skip(f"{tool} is not installed (the Mosquitto package)")
    return path


def start_project_broker(tmp: Path, prefix: str, accounts: dict[str, str]) -> ProjectBroker:
    mosquitto, passwd = _need("mosquitto"), _need("mosquitto_passwd")
    openssl = _need("openssl")
    tmp.mkdir(parents=True, exist_ok=True)
    password_file, acl_file, data = tmp / "longcheng.passwd", tmp / "longcheng.acl", tmp / "data"
    data.mkdir(exist_ok=True)
    # Exactly the documented commands (docs/homesafety.md): -c creates the file, -b takes the password.
    for i, (user, password) in enumerate(accounts.items()):
        subprocess.run([passwd, *(["-c"] if i == 0 else []), "-b", str(password_file), user, password], check=True,
                       capture_output=True)
    acl_file.write_text((DEPLOY / "longcheng.acl").read_text().replace("longcheng/v1", prefix))
    crt, key = tmp / "longcheng.crt", tmp / "longcheng.key"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(crt)],
                   check=True, capture_output=True)
    port, tls_port = free_port(), free_port()
    replacements = {
        "listener 1883": f"listener {port} 127.0.0.1",
        "listener 8883": f"listener {tls_port} 127.0.0.1",
        "password_file /etc/mosquitto/longcheng.passwd": f"password_file {password_file}",
        "acl_file /etc/mosquitto/longcheng.acl": f"acl_file {acl_file}",
        "certfile /etc/mosquitto/certs/longcheng.crt": f"certfile {crt}",
        "keyfile /etc/mosquitto/certs/longcheng.key": f"keyfile {key}",
        "persistence_location /var/lib/mosquitto/": f"persistence_location {data}/",
    }
    lines, seen = [], set()
    for line in (DEPLOY / "longcheng.conf").read_text().splitlines():
        if line.strip() in replacements:
            seen.add(line.strip())
            line = replacements[line.strip()]
        lines.append(line)
    assert seen == set(replacements), f"longcheng.conf no longer has {sorted(set(replacements) - seen)}"
    log = tmp / "mosquitto.log"
    lines += [f"log_dest file {log}", "log_type all", "connection_messages true"]
    if os.geteuid() == 0:
        lines.append("user root")  # as root Mosquitto would switch to its own user, who cannot read tmp
    config = tmp / "longcheng.conf"
    config.write_text("\n".join(lines) + "\n")
    process = subprocess.Popen([mosquitto, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"mosquitto refused the project's configuration: {process.communicate()[1]!r}")
        try:
            with socket.create_connection(("127.0.0.1", tls_port), timeout=0.5), \
                    socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        raise AssertionError("mosquitto did not listen within 10 s")
    return ProjectBroker(port=port, tls_port=tls_port, cafile=str(crt), prefix=prefix, accounts=dict(accounts),
                         log=log, process=process, config=config)
