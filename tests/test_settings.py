"""Settings come from the environment through typed helpers that fail loudly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from longcheng.env import SettingError, env_bool, env_int, env_secret

ROOT = Path(__file__).resolve().parent.parent


def test_env_bool_refuses_a_typo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "ture")
    with pytest.raises(SettingError, match="X_FLAG"):
        env_bool("X_FLAG", False)
    monkeypatch.setenv("X_FLAG", "on")
    assert env_bool("X_FLAG", False) is True


def test_env_int_names_the_variable_and_the_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_N", "abc")
    with pytest.raises(SettingError, match="X_N.*whole number"):
        env_int("X_N", 1)
    monkeypatch.setenv("X_N", "0")
    with pytest.raises(SettingError, match="at least 1"):
        env_int("X_N", 1, minimum=1)


def test_secret_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "s"
    secret.write_text("from-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_secret("X_SECRET") == "from-file"
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(SettingError, match="cannot read"):
        env_secret("X_SECRET")


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "LONGCHENG_ENV", "DATABASE_URL"}}
    return subprocess.run([sys.executable, "-m", "longcheng", "check"], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_production_refuses_debug_and_the_default_secret(tmp_path: Path) -> None:
    base = {"LONGCHENG_ENV": "production", "LONGCHENG_VAR_DIR": str(tmp_path)}
    debug = _check({**base, "DEBUG": "1", "SECRET_KEY": "x" * 40})
    assert debug.returncode != 0 and "DEBUG must be off" in debug.stderr
    default = _check(base)
    assert default.returncode != 0 and "SECRET_KEY" in default.stderr
    ok = _check({**base, "SECRET_KEY": STRONG, "ALLOWED_HOSTS": "longcheng.example.cn"})
    assert ok.returncode == 0, ok.stderr


def test_a_malformed_database_url_stops_start_up(tmp_path: Path) -> None:
    result = _check({"DATABASE_URL": "nonsense://", "LONGCHENG_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0 and "DATABASE_URL" in result.stderr


def test_a_malformed_mqtt_url_stops_start_up_without_showing_its_password(tmp_path: Path) -> None:
    refused = _check({"LONGCHENG_VAR_DIR": str(tmp_path), "MQTT_URL": "http://gw-1:s3cret@mqtt.internal:1883"})
    assert refused.returncode != 0 and "MQTT_URL" in refused.stderr
    assert "s3cret" not in refused.stderr + refused.stdout
    secret = tmp_path / "mqtt_url"
    secret.write_text("mqtts://longcheng-ingest:s3cret@mqtt.internal:8883\n")
    assert _check({"LONGCHENG_VAR_DIR": str(tmp_path), "MQTT_URL_FILE": str(secret)}).returncode == 0
STRONG = "kq3V9xZ-p7Lr2mT_w8bN4cY6sD1fH5jG0aE9uQ3iO7zX2vB8nM4kL6pR1tW5yU"


@pytest.mark.parametrize("secret", ["k" * 40, "kq" * 30, "kq3V9xZ-p7Lr2mT_w8bN4cY6sD1fH5jG0aE9", "django-insecure-" + STRONG])
def test_production_refuses_a_weak_or_short_secret(tmp_path: Path, secret: str) -> None:
    result = _check({"LONGCHENG_ENV": "production", "LONGCHENG_VAR_DIR": str(tmp_path), "SECRET_KEY": secret,
                     "ALLOWED_HOSTS": "longcheng.example.cn"})
    assert result.returncode != 0 and "SECRET_KEY must be a random value of at least 50" in result.stderr


@pytest.mark.parametrize("hosts", ["*", "longcheng.example.cn,*", ""])
def test_production_refuses_a_wildcard_allowed_hosts(tmp_path: Path, hosts: str) -> None:
    result = _check({"LONGCHENG_ENV": "production", "LONGCHENG_VAR_DIR": str(tmp_path), "SECRET_KEY": STRONG,
                     "ALLOWED_HOSTS": hosts})
    assert result.returncode != 0 and "ALLOWED_HOSTS must name" in result.stderr


def _production_response(tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    """Run `script` under production settings (a fresh process: settings are read once)."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "LONGCHENG_ENV", "DATABASE_URL"}}
    env = {**clean, "LONGCHENG_ENV": "production", "LONGCHENG_VAR_DIR": str(tmp_path), "SECRET_KEY": STRONG,
           "ALLOWED_HOSTS": "longcheng.example.cn", "DJANGO_SETTINGS_MODULE": "longcheng.settings"}
    prelude = "import django; django.setup(); from django.test import Client; c = Client(SERVER_NAME='longcheng.example.cn')\n"
    return subprocess.run([sys.executable, "-c", prelude + script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_production_sends_hsts_and_a_csp_and_hides_the_api_docs(tmp_path: Path) -> None:
    result = _production_response(tmp_path, (
        "r = c.get('/login/', secure=True)\n"
        "print('HSTS', r.headers.get('Strict-Transport-Security'))\n"
        "print('CSP', r.headers.get('Content-Security-Policy'))\n"
        "d = c.get('/api/v1/docs', secure=True)\n"
        "print('DOCS', d.status_code, d.headers.get('Location'))\n"))
    assert result.returncode == 0, result.stderr
    out = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert out["HSTS"].startswith("max-age=31536000")
    assert "script-src 'self'" in out["CSP"] and "frame-ancestors 'none'" in out["CSP"]
    assert "unsafe-inline" not in out["CSP"].split("script-src", 1)[1].split(";", 1)[0]
    status, location = out["DOCS"].split(" ", 1)
    assert status == "302" and location.startswith("/login/")



def test_production_hashes_passwords_slowly_even_where_the_test_flag_is_set(tmp_path: Path) -> None:
    # The suite sets LONGCHENG_TEST_FAST_HASHING in its environment (conftest.py): this process has it too.
    assert os.environ["LONGCHENG_TEST_FAST_HASHING"] == "1"
    result = _production_response(tmp_path, "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
