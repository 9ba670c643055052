"""`kiosk doctor` and `kiosk config ...` through the real command line entry point."""

from __future__ import annotations

import io
import json
import tomllib

import pytest

from kiosk.cli import main
from kiosk.config import check_pin, load_settings


@pytest.fixture
def env(tmp_path, monkeypatch):
    config_file = tmp_path / "config.toml"
    config_file.write_text("", encoding="utf-8")
    monkeypatch.setenv("KIOSK_CONFIG", str(config_file))
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KIOSK_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    return config_file


def test_doctor_json(env, capsys):
    status = main(["doctor", "--json"])
    report = json.loads(capsys.readouterr().out)
    names = {c["name"] for c in report["checks"]}
    assert {"settings", "replica", "server", "display", "keyring"} <= names
    assert report["ready"] is (status == 0)
    assert all(c["status"] in ("ok", "warn", "fail") for c in report["checks"])


def test_doctor_text_exit_status_follows_failures(env, tmp_path, capsys):
    env.write_text(f'camera = "{tmp_path / "missing-folder"}"\n', encoding="utf-8")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "[FAIL] camera" in out and "NOT ready" in out


def test_config_set_show_and_path(env, capsys):
    assert main(["config", "set", "door_name", "North Gate"]) == 0
    assert main(["config", "set", "kiosk_mode", "yes"]) == 0
    assert main(["config", "set", "sync_interval_seconds", "12"]) == 0
    assert main(["config", "set", "camera", "1"]) == 0
    stored = tomllib.loads(env.read_text(encoding="utf-8"))
    assert stored == {"door_name": "North Gate", "kiosk_mode": True, "sync_interval_seconds": 12, "camera": 1}
    capsys.readouterr()
    assert main(["config", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["door_name"] == {"value": "North Gate", "from": str(env)}
    assert shown["pin_hash"]["value"] == "(the demo PIN)"
    assert shown["data_dir"]["from"] == "environment variable KIOSK_DATA_DIR"
    assert main(["config", "path"]) == 0
    assert str(env) in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["config", "set", "sounds", "maybe"], "sounds must be true or false"),
        (["config", "set", "sync_interval_seconds", "soon"], "must be a whole number"),
        (["config", "set", "decoder", "zbar"], "'decoder' must be one of zxing, pyzbar"),
        (["config", "set", "server_url", "ftp://x"], "must start with http"),
    ],
)
def test_config_set_refuses_bad_values_in_one_line(env, capsys, argv, message):
    before = env.read_text(encoding="utf-8")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert env.read_text(encoding="utf-8") == before


def test_set_pin_from_stdin(env, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("975310\n"))
    assert main(["config", "set-pin"]) == 0
    assert "975310" not in env.read_text(encoding="utf-8")
    assert check_pin(load_settings().pin_hash, "975310")
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    assert main(["config", "set-pin"]) == 2
    assert "at least 4 characters" in capsys.readouterr().err
    assert check_pin(load_settings().pin_hash, "975310")


def test_a_bad_config_file_is_one_line_for_every_command(env, capsys):
    env.write_text("door_nmae = 'x'\n", encoding="utf-8")
    assert main(["config", "show"]) == 2
    err = capsys.readouterr().err
    assert f"{env}: unknown setting 'door_nmae'" in err and "Traceback" not in err
