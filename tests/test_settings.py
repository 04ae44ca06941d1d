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
    ok = _check({**base, "SECRET_KEY": "k" * 40})
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
