"""kiosk.doctor.server: the server's health, and whether it still accepts this kiosk's token."""

from __future__ import annotations

import socket

from kiosk.doctor import server as server_check
from kiosk.doctor.replica import enrolled_state
from kiosk.doctor.report import FAIL, OK, WARN


def test_no_server_configured_is_fine():
    assert server_check.check_server("").status == OK


def test_unreachable_server_is_a_warning_in_plain_words():
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    check = server_check.check_server(f"http://127.0.0.1:{port}")
    assert check.status == WARN
    assert "cannot reach" in check.message and "offline" in check.message


def test_enrollment_not_enrolled_is_fine(tmp_path):
    check = server_check.check_enrollment(tmp_path)
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
        check = server_check.check_enrollment(data_dir, backend=fail.Keyring())
        assert check.status == OK and f"enrolled with {server.url} for event {event_id}" in check.message
        assert "accepts its token" in check.message

        server.revoke_device(enrolled_state(data_dir)["device_id"])
        check = server_check.check_enrollment(data_dir, backend=fail.Keyring())
        assert check.status == FAIL and "refuses this kiosk's device token" in check.message
        assert "enroll again" in check.fix

        server.stop()  # unreachable: a warning, the kiosk works offline
        check = server_check.check_enrollment(data_dir, backend=fail.Keyring())
        assert check.status == WARN and "could not be checked" in check.message
    finally:
        server.stop()
    (data_dir / "device-token").unlink()  # the token is gone (keyring wiped, file deleted)
    check = server_check.check_enrollment(data_dir, backend=fail.Keyring())
    assert check.status == FAIL and "no device token is stored" in check.message
