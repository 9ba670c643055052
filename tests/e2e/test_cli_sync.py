"""`kiosk enroll` and `kiosk sync` as IT would script them: real processes, the real server."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
import tomllib
from urllib.parse import quote

import pytest

from kiosk.cli import EXIT_ERROR, EXIT_OK
from tests.e2e.harness import LiveServer

# As the installed `kiosk` script runs it (`python -m kiosk.cli` would load the module twice).
KIOSK = [sys.executable, "-c", "import sys; from kiosk.cli import main; sys.exit(main())"]
ROSTER = [
    {"first_name": f"Cli{i}", "last_name": "User", "email": f"cli{i}@example.org", "ticket_code": f"CL-{i:04d}"}
    for i in range(12)
]


@pytest.fixture
def server(tmp_path):
    live = LiveServer(tmp_path / "server.sqlite3").start()
    live.event_id = live.create_event(ROSTER)
    yield live
    live.stop()


@pytest.fixture
def cli(tmp_path):
    data_dir = tmp_path / "kiosk"
    env = {
        **os.environ,
        # Never the developer's own keyring: the real "no keyring" backend, as on a headless kiosk.
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "KIOSK_CONFIG": str(tmp_path / "absent.toml"),
        "KIOSK_LOG_DIR": str(tmp_path / "logs"),
    }
    (tmp_path / "absent.toml").write_text("")

    def run(*args, timeout=120):
        return subprocess.run([*KIOSK, "--data-dir", str(data_dir), *args],
                              capture_output=True, text=True, timeout=timeout, env=env)

    run.data_dir, run.env = data_dir, env
    return run


def test_enroll_with_the_qr_text_downloads_and_syncs(server, cli):
    code = server.enrollment_code(server.event_id, door="Main door")
    qr = f"checkin-kiosk://enroll?server={quote(server.url, safe='')}&code={code}"
    result = cli("enroll", qr)
    assert result.returncode == EXIT_OK, result.stderr
    assert "Enrolled as" in result.stdout and "Ready: 12 roster entries" in result.stdout
    token_file = cli.data_dir / "device-token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = token_file.read_text()
    assert token not in result.stdout + result.stderr

    assert cli("checkin", "CL-0003").returncode == EXIT_OK
    status = json.loads(cli("status", "--json").stdout)
    assert status["sync"]["waiting_to_sync"] == 1 and status["sync"]["server"] == server.url

    result = cli("sync", "--once", "--json")
    assert result.returncode == EXIT_OK, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and report["checkins_pushed"] == 1 and report["waiting_to_sync"] == 0
    assert token not in result.stdout + result.stderr
    sync = json.loads(cli("status", "--json").stdout)["sync"]
    assert sync["connectivity"] == "online" and sync["door"] == "Main door" and sync["last_error"] is None
    assert server.stats(server.event_id).arrived == 1


def test_enroll_with_server_and_code_options(server, cli):
    code = server.enrollment_code(server.event_id)
    result = cli("enroll", "--server", server.url, "--code", code, "--json")
    assert result.returncode == EXIT_OK, result.stderr
    out = json.loads(result.stdout)
    assert out["event_id"] == server.event_id and out["download"]["roster_changes"] == 12
    assert "device_token" not in result.stdout


def test_enroll_takes_the_server_from_the_config_file_and_keeps_the_codes_door(server, cli, tmp_path):
    config = tmp_path / "absent.toml"
    config.write_text(f'server_url = "{server.url}"\n', encoding="utf-8")
    code = server.enrollment_code(server.event_id, door="North gate")
    result = cli("enroll", "--code", code, "--json")
    assert result.returncode == EXIT_OK, result.stderr
    assert json.loads(result.stdout)["server"] == server.url.rstrip("/")
    # The door the organizer made the code for is this kiosk's door from now on.
    assert tomllib.loads(config.read_text(encoding="utf-8")) == {"server_url": server.url, "door_name": "North gate"}
    scanned = cli("checkin", "CL-0001", "--json")
    assert scanned.returncode == EXIT_OK, scanned.stderr
    assert json.loads(scanned.stdout)["first_checkin"]["door"] == "North gate"


def test_a_used_or_wrong_code_is_one_clear_line(server, cli):
    code = server.enrollment_code(server.event_id)
    assert cli("enroll", "--server", server.url, "--code", code, "--no-download").returncode == EXIT_OK
    result = cli("enroll", "--server", server.url, "--code", code)  # codes work once
    assert result.returncode == EXIT_ERROR
    assert result.stderr.startswith("kiosk: enrollment failed:") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    result = cli("enroll", "--code", "NOSERVER1")
    assert result.returncode == EXIT_ERROR and "Which server?" in result.stderr


def test_sync_once_while_the_server_is_down_fails_clearly_and_keeps_the_queue(server, cli):
    code = server.enrollment_code(server.event_id)
    assert cli("enroll", "--server", server.url, "--code", code).returncode == EXIT_OK
    assert cli("checkin", "CL-0001").returncode == EXIT_OK
    server.stop()
    result = cli("sync", "--once")
    assert result.returncode == EXIT_ERROR and "Traceback" not in result.stderr
    assert "offline" in result.stderr and "1 waiting to sync; nothing was lost." in result.stderr
    status = cli("status").stdout
    assert f"Sync:       offline with {server.url}" in status and "Last error: Cannot reach the server" in status
    server.start()
    assert cli("sync", "--once").returncode == EXIT_OK
    assert server.stats(server.event_id).arrived == 1
    status = cli("status").stdout
    assert f"Sync:       online with {server.url}, last synced 20" in status and "Last error" not in status


def test_sync_runs_until_interrupted_and_prints_state_changes(server, cli):
    code = server.enrollment_code(server.event_id)
    assert cli("enroll", "--server", server.url, "--code", code).returncode == EXIT_OK
    assert cli("checkin", "CL-0002").returncode == EXIT_OK
    proc = subprocess.Popen(
        [*KIOSK, "--data-dir", str(cli.data_dir), "sync", "--interval", "0.5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli.env,
    )
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "1 check-in(s) sent" in line:
                break
        assert any("1 check-in(s) sent" in line for line in lines), lines
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == EXIT_OK, err
    assert "Traceback" not in err
    assert server.stats(server.event_id).arrived == 1
