"""Smoke test of the frozen app (PyInstaller build): it starts, finds its bundled parts, and works.

Runs only when KIOSK_FROZEN_BINARY names the built executable, e.g.

    packaging/build.sh --binary-only
    KIOSK_FROZEN_BINARY=dist/checkin-kiosk/checkin-kiosk .venv/bin/python -m pytest tests/packaging -q

Each command runs the real binary in a subprocess, with its settings, data and logs in a
temporary folder and Qt drawing offscreen. Each run's stderr may hold only the lines expected
for that command (qutebrowser's build_release.py does the same): a Qt plugin that did not
load, a library's warning or a traceback fails the test even when the command still worked,
since the packaged app's user would read them.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterable
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


# Lines any command may write to stderr. None today: a line that every run writes would be
# noise the user learns to ignore, so it gets fixed rather than listed.
ANY_COMMAND: tuple[str, ...] = ()

# What `server run` writes to stderr (regular expressions, each matching a whole line).
SERVER_RUN = (
    # Ours: where the API listens and how to stop it.
    r"Serving the central API on http://127\.0\.0\.1:\d+/api/v1 \(Ctrl\+C stops it\)\.",
    # uvicorn's start and stop, at INFO (the default --log-level of `server run`): whoever
    # runs the server reads them to know it is up, and that it stopped cleanly.
    r"INFO: +Started server process \[\d+\]",
    r"INFO: +Waiting for application (startup|shutdown)\.",
    r"INFO: +Application (startup|shutdown) complete\.",
    r"INFO: +Shutting down",
    r"INFO: +Finished server process \[\d+\]",
)


def unexpected_lines(stderr: str, expected: Iterable[str] = ()) -> list[str]:
    """The lines of ``stderr`` that neither ``expected`` nor ANY_COMMAND allow."""
    patterns = [re.compile(p) for p in (*ANY_COMMAND, *expected)]
    return [line for line in stderr.splitlines() if line.strip() and not any(p.fullmatch(line) for p in patterns)]


def run(env, *args, input: str | None = None, timeout: float = 120,
        expected_stderr: Iterable[str] = ()) -> subprocess.CompletedProcess:
    """Run the binary; fail on any stderr line that ``expected_stderr`` does not allow."""
    result = subprocess.run(
        [str(Path(BINARY).resolve()), *args], env=env, input=input, capture_output=True, text=True,
        timeout=timeout, check=False,
    )
    unexpected = unexpected_lines(result.stderr, expected_stderr)
    assert not unexpected, f"{' '.join(args)}: unexpected lines on stderr:\n" + "\n".join(unexpected)
    return result


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
    # The one line that says what is wrong and what would be right.
    result = run(env, "status", expected_stderr=[r".*: unknown setting 'door_nmae' \(known settings: [a-z_, ]+\)"])
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1


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
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=15)
    assert reply is not None, f"the server never answered:\n{stderr}"
    assert reply.status_code == 200
    assert reply.json()["success"] is True
    unexpected = unexpected_lines(stderr, SERVER_RUN)
    assert not unexpected, "server run: unexpected lines on stderr:\n" + "\n".join(unexpected)


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
