"""`kiosk doctor`: each check against real parts (files, OpenCV, decoders, SQLite, sockets, Qt plugins)."""

from __future__ import annotations

import socket
import sqlite3
import sys
from pathlib import Path

import pytest
import qrcode

from kiosk import doctor
from kiosk.config import ConfigSources, Settings, hash_pin
from kiosk.doctor import FAIL, OK, WARN, Check


@pytest.fixture
def sources(tmp_path) -> ConfigSources:
    return ConfigSources(system_file=None, user_file=tmp_path / "config.toml")


def qr_png(path: Path, text: str = "ABC-123") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    qrcode.make(text).save(path)
    return path


# ---- settings and folders -----------------------------------------------------


def test_demo_pin_warns_and_fails_in_kiosk_mode(sources):
    statuses = {c.name: c.status for c in doctor.check_settings(Settings(), sources)}
    assert statuses == {"settings": OK, "staff PIN": WARN}
    locked = {c.name: c for c in doctor.check_settings(Settings(kiosk_mode=True), sources)}
    assert locked["staff PIN"].status == FAIL
    assert "set-pin" in locked["staff PIN"].fix
    own = {c.name: c.status for c in doctor.check_settings(Settings(pin_hash=hash_pin("8642")), sources)}
    assert own["staff PIN"] == OK


def test_config_problem_is_reported_first(sources):
    checks = doctor.check_settings(Settings(), sources, "x.toml: unknown setting 'doorname'")
    assert checks[0] == Check(checks[0].name, FAIL, "x.toml: unknown setting 'doorname'", checks[0].fix)


def test_folder_checks(tmp_path):
    assert doctor.check_folder("data folder", tmp_path / "new" / "deeper").status == OK
    afile = tmp_path / "afile"
    afile.write_text("")
    check = doctor.check_folder("data folder", afile)
    assert check.status == FAIL and "is a file" in check.message


# ---- camera ---------------------------------------------------------------------


def test_camera_image_folder(tmp_path):
    qr_png(tmp_path / "frames" / "001.png")
    check = doctor.check_camera(str(tmp_path / "frames"))
    assert check.status == OK and "290x290" in check.message


def test_camera_empty_folder_and_missing_path(tmp_path):
    (tmp_path / "empty").mkdir()
    assert doctor.check_camera(str(tmp_path / "empty")).status == FAIL
    missing = doctor.check_camera(str(tmp_path / "nowhere"))
    assert missing.status == FAIL and "does not exist" in missing.message


def test_camera_video_file(tmp_path):
    import cv2
    import numpy as np

    path = tmp_path / "door.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (320, 240))
    for shade in range(5):
        writer.write(np.full((240, 320, 3), shade * 40, dtype=np.uint8))
    writer.release()
    check = doctor.check_camera(str(path))
    assert check.status == OK and "320x240" in check.message


def test_camera_file_that_is_not_a_video(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_text("this is not a video")
    assert doctor.check_camera(str(path)).status == FAIL


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/dev/video is Linux")
def test_camera_index_without_any_camera_is_plain_words():
    if list(Path("/dev").glob("video*")):
        pytest.skip("this machine has a camera")
    check = doctor.check_camera(0)
    assert check.status == WARN
    assert "no camera is connected" in check.message and "hand scanner" in check.message


# ---- decoders -------------------------------------------------------------------


def test_zxing_round_trip():
    check = doctor.check_decoder("zxing", configured="zxing")
    assert check == Check("decoder zxing (in use)", OK, "zxing-cpp reads a generated QR code correctly")


def test_pyzbar_round_trip_or_plain_words():
    check = doctor.check_decoder("pyzbar", configured="zxing")
    assert check.name == "decoder pyzbar (not in use)"
    # Unused, so never a failure; where libzbar exists it must actually decode.
    assert check.status in (OK, WARN)
    if check.status == OK:
        assert "libzbar" in check.message or "pyzbar" in check.message
    else:
        assert "zbar" in check.fix


# ---- keyring --------------------------------------------------------------------


def test_keyring_without_backend_explains_the_file_fallback(tmp_path):
    import keyring
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        check = doctor.check_keyring(tmp_path)
    finally:
        keyring.set_keyring(before)
    assert check.status == WARN
    assert str(tmp_path / "device-token") in check.message and "only by this user" in check.message


# ---- replica --------------------------------------------------------------------


def test_no_replica_yet_is_a_warning_and_creates_nothing(tmp_path):
    check = doctor.check_replica(tmp_path / "data")
    assert check.status == WARN and "kiosk import-roster" in check.fix
    assert not (tmp_path / "data").exists()


def test_healthy_replica(tmp_path):
    from sync.replica import open_replica

    replica = open_replica(tmp_path)
    replica.set_state("event_id", "ev-42")
    head = replica.schema_revision()
    replica.close()
    check = doctor.check_replica(tmp_path)
    assert check.status == OK
    assert f"schema {head}" in check.message and "event ev-42" in check.message
    assert "0 attendees" in check.message and "0 change(s) waiting" in check.message


def test_replica_from_a_newer_app_fails(tmp_path):
    from sync.replica import open_replica

    open_replica(tmp_path).close()
    with sqlite3.connect(tmp_path / "replica.sqlite3") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    check = doctor.check_replica(tmp_path)
    assert check.status == FAIL and "newer version" in check.message


def test_damaged_replica_fails(tmp_path):
    from sync.replica import open_replica

    replica = open_replica(tmp_path)
    with replica.session() as s:
        from sync.replica.models import SyncState

        s.add_all(SyncState(key=f"k{i}", value="v" * 200) for i in range(400))
    replica.close()
    path = tmp_path / "replica.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    data[5 * page : 7 * page] = b"\xa5" * (2 * page)  # scribble over index/table pages
    path.write_bytes(bytes(data))
    check = doctor.check_replica(tmp_path)
    assert check.status == FAIL
    assert "damaged" in check.message or "not a readable replica" in check.message


def test_file_that_is_not_a_database_fails(tmp_path):
    (tmp_path / "replica.sqlite3").write_bytes(b"hello, this is not sqlite" * 100)
    check = doctor.check_replica(tmp_path)
    assert check.status == FAIL


# ---- server ---------------------------------------------------------------------


def test_no_server_configured_is_fine():
    assert doctor.check_server("").status == OK


def test_unreachable_server_is_a_warning_in_plain_words():
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    check = doctor.check_server(f"http://127.0.0.1:{port}")
    assert check.status == WARN
    assert "cannot reach" in check.message and "offline" in check.message


# ---- display --------------------------------------------------------------------


def test_display_offscreen_is_ok(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    check = doctor.check_display()
    assert check.status == OK and "offscreen" in check.message


def test_display_missing_plugin_fails(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "no-such-platform")
    check = doctor.check_display()
    assert check.status == FAIL and "platform plugin is missing" in check.message


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="DISPLAY is an X11/Wayland notion")
def test_no_desktop_session_is_a_warning(monkeypatch):
    for var in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(var, raising=False)
    check = doctor.check_display()
    assert check.status == WARN and "no desktop session" in check.message


# ---- all together ---------------------------------------------------------------


def test_run_checks_reports_every_area_and_the_exit_status(tmp_path, sources, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    qr_png(tmp_path / "frames" / "a.png")
    settings = Settings(data_dir=tmp_path / "data", log_dir=tmp_path / "logs", camera=str(tmp_path / "frames"))
    checks = doctor.run_checks(settings, sources=sources)
    names = [c.name for c in checks]
    for expected in ("settings", "staff PIN", "data folder", "log folder", "camera", "keyring", "replica", "server", "display"):
        assert expected in names
    assert any(n.startswith("decoder zxing") for n in names)
    assert doctor.exit_status(checks) == 0
    assert doctor.format_report(checks).splitlines()[-1].startswith("ready: 0 failed")
    broken = doctor.run_checks(
        Settings(data_dir=tmp_path / "data", log_dir=tmp_path / "logs", camera=str(tmp_path / "none")),
        sources=sources,
    )
    assert doctor.exit_status(broken) == 1
    assert "NOT ready" in doctor.format_report(broken)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux shared libraries")
def test_x11_display_names_the_missing_system_library_as_ldd_does(monkeypatch):
    import shutil
    import subprocess

    if shutil.which("ldd") is None:
        pytest.skip("no ldd to compare with")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":97")
    plugin = doctor._qt_plugin_files("platforms")["xcb"]
    ldd = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=False).stdout
    missing = [line.split("=>")[0].strip() for line in ldd.splitlines() if "not found" in line]
    check = doctor.check_display()
    if missing:
        assert check.status == FAIL
        assert any(lib in check.message for lib in missing)
        assert check.fix.startswith("install it: sudo apt install lib")
    else:
        assert check.status == OK and "X11 display :97" in check.message


def test_debian_package_names():
    assert doctor._debian_package("libxcb-icccm.so.4") == "libxcb-icccm4"
    assert doctor._debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
    assert doctor._debian_package("libGL.so.1") == "libgl1"
    assert doctor._debian_package("libdbus-1.so.3") == "libdbus-1-3"


# ---- enrollment -------------------------------------------------------------------


def test_enrollment_not_enrolled_is_fine(tmp_path):
    check = doctor.check_enrollment(tmp_path)
    assert check.status == OK and "not enrolled" in check.message


def test_enrollment_token_accepted_then_revoked_then_missing(tmp_path):
    from keyring.backends import fail

    from tests.e2e.harness import LiveServer, enroll_kiosk

    server = LiveServer(tmp_path / "server.sqlite3").start()
    try:
        event_id = server.create_event([{"first_name": "Ada", "last_name": "L", "email": "ada@example.org",
                                         "ticket_code": "DOC-0001"}])
        kiosk = enroll_kiosk(server, event_id, tmp_path / "kiosk", "D", download=False)
        kiosk.close()
        data_dir = tmp_path / "kiosk"
        check = doctor.check_enrollment(data_dir, backend=fail.Keyring())
        assert check.status == OK and f"enrolled with {server.url} for event {event_id}" in check.message
        assert "accepts its token" in check.message

        server.revoke_device(doctor.enrolled_state(data_dir)["device_id"])
        check = doctor.check_enrollment(data_dir, backend=fail.Keyring())
        assert check.status == FAIL and "refuses this kiosk's device token" in check.message
        assert "enroll again" in check.fix

        server.stop()  # unreachable: a warning, the kiosk works offline
        check = doctor.check_enrollment(data_dir, backend=fail.Keyring())
        assert check.status == WARN and "could not be checked" in check.message
    finally:
        server.stop()
    (data_dir / "device-token").unlink()  # the token is gone (keyring wiped, file deleted)
    check = doctor.check_enrollment(data_dir, backend=fail.Keyring())
    assert check.status == FAIL and "no device token is stored" in check.message
