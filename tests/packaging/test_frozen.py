"""Smoke test of the frozen app (PyInstaller build): it starts, finds its bundled parts, and works.

Runs only when KIOSK_FROZEN_BINARY names the built executable, e.g.

    packaging/build.sh --binary-only
    KIOSK_FROZEN_BINARY=dist/checkin-kiosk/checkin-kiosk .venv/bin/python -m pytest tests/packaging -q

Each command runs the real binary in a subprocess, with its settings, data and logs in a
temporary folder and Qt drawing offscreen.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

import kiosk

BINARY = os.environ.get("KIOSK_FROZEN_BINARY")
pytestmark = pytest.mark.skipif(not BINARY, reason="set KIOSK_FROZEN_BINARY to the built executable")

ROSTER = (
    "first_name,last_name,email,ticket_code\n"
    "Ada,Lovelace,ada@example.org,TCK-ADA-0001\n"
    "Grace,Hopper,grace@example.org,TCK-GRACE-0002\n"
    "Katherine,Johnson,katherine@example.org,TCK-KATH-0003\n"
)


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("KIOSK_", "PYTHON", "QT_")) and k != "LD_LIBRARY_PATH"
    }
    environ.update(
        KIOSK_CONFIG=str(config),
        KIOSK_DATA_DIR=str(tmp_path / "data"),
        KIOSK_LOG_DIR=str(tmp_path / "logs"),
        QT_QPA_PLATFORM="offscreen",
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "home" / ".config"),
        XDG_DATA_HOME=str(tmp_path / "home" / ".local" / "share"),
        XDG_STATE_HOME=str(tmp_path / "home" / ".local" / "state"),
        XDG_CACHE_HOME=str(tmp_path / "home" / ".cache"),
    )
    return environ


def run(env, *args, input: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(BINARY).resolve()), *args], env=env, input=input, capture_output=True, text=True,
        timeout=timeout, check=False,
    )


def test_version(env):
    result = run(env, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"checkin-kiosk {kiosk.__version__}"


def test_doctor_finds_every_bundled_part(env, tmp_path):
    run(env, "import-roster", str(_roster(tmp_path)))  # a replica, to check the migrations too
    result = run(env, "doctor", "--json")
    report = json.loads(result.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert result.returncode == 0 and report["ready"], result.stdout
    # Both decoders load and read a generated QR code: zxing-cpp, and pyzbar with the bundled libzbar.
    assert checks["decoder zxing (in use)"]["status"] == "ok", checks
    assert checks["decoder pyzbar (not in use)"]["status"] == "ok", checks
    assert checks["replica"]["status"] == "ok" and "intact" in checks["replica"]["message"]
    assert checks["display"]["status"] == "ok"  # the offscreen Qt platform plugin is bundled
    assert "Traceback" not in result.stderr


def _roster(tmp_path: Path) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


def test_headless_import_checkin_and_status(env, tmp_path):
    imported = run(env, "import-roster", "--event-name", "Smoke Test Conf", str(_roster(tmp_path)))
    assert imported.returncode == 0, imported.stderr

    first = run(env, "checkin", "--json", "--door", "Door 7", "TCK-ADA-0001")
    assert first.returncode == 0, first.stderr
    decision = json.loads(first.stdout)
    assert "Ada" in json.dumps(decision)

    again = run(env, "checkin", "TCK-ADA-0001")
    assert again.returncode == 3  # refused: already checked in
    unknown = run(env, "checkin", "NOT-A-TICKET")
    assert unknown.returncode == 3

    status = run(env, "status", "--json")
    assert status.returncode == 0, status.stderr
    stats = json.loads(status.stdout)
    assert stats["arrived"] == 1 and stats["expected"] == 3
    assert stats["event"]["name"] == "Smoke Test Conf"


def test_decode_a_qr_image(env, tmp_path):
    import qrcode

    image = tmp_path / "ticket.png"
    qrcode.make("TCK-GRACE-0002").save(image)
    result = run(env, "decode", str(image))
    assert result.returncode == 0, result.stderr
    assert "TCK-GRACE-0002" in result.stdout


def test_bad_config_is_one_line(env):
    Path(env["KIOSK_CONFIG"]).write_text("door_nmae = 'x'\n", encoding="utf-8")
    result = run(env, "status")
    assert result.returncode == 2
    assert "unknown setting 'door_nmae'" in result.stderr and "Traceback" not in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_embedded_reference_server_answers_health(env, tmp_path):
    import httpx

    port = _free_port()
    server = subprocess.Popen(
        [str(Path(BINARY).resolve()), "server", "run", "--db", f"sqlite:///{tmp_path / 'server.db'}",
         "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        reply = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                reply = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert reply is not None, f"the server never answered: {server.stderr.read() if server.poll() is not None else ''}"
        assert reply.status_code == 200
        assert reply.json()["success"] is True
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_gui_starts_offscreen_and_draws_its_window(env, tmp_path):
    run(env, "import-roster", str(_roster(tmp_path)))
    shot = tmp_path / "window.png"
    # "--screenshot=FILE": the top-level parser would take a separate FILE for a command name.
    result = run(env, f"--screenshot={shot}", timeout=120)
    assert result.returncode == 0, result.stderr
    assert shot.is_file() and shot.stat().st_size > 5_000
    from PIL import Image

    with Image.open(shot) as image:
        assert image.width >= 400 and image.height >= 300
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
        assert colours is not None and len(colours) > 20  # text and widgets, not a blank window
