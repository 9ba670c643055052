"""kiosk status (kiosk/cli/status.py)."""

import json

from kiosk.cli import EXIT_OK, main
from tests.e2e.harness import enroll_kiosk


def test_import_then_status(loaded):
    status, out, _ = loaded("status", "--json")
    stats = json.loads(out)
    assert status == EXIT_OK
    assert stats["event"]["name"] == "DevConf"
    figures = (stats["expected"], stats["arrived"], stats["inside"], stats["walkins"], stats["duplicates"])
    assert figures == (2, 0, 0, 0, 0)
    assert stats["waiting_to_sync"] == 0


def test_status_in_words(loaded):
    loaded("checkin", "TKT-0001")
    status, out, _ = loaded("status")
    assert status == EXIT_OK
    assert "Event:      DevConf" in out and "Arrived:    1 of 2 expected" in out and "To sync:    1 waiting" in out
    assert "Sync:       not enrolled with a server (this kiosk works alone)" in out


def test_a_revoked_kiosk_says_why_in_the_doors_words(live_server, tmp_path, capsys):
    event_id = live_server.create_event([{"first_name": "Ada", "last_name": "Lovelace",
                                          "email": "ada@example.org", "ticket_code": "ADA-0001"}])
    kiosk = enroll_kiosk(live_server, event_id, tmp_path / "kiosk", "north")
    try:
        live_server.revoke_device(kiosk.replica.device_id)
        assert not kiosk.engine.sync_once().ok
    finally:
        kiosk.close()
    assert main(["--data-dir", str(tmp_path / "kiosk"), "status"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Door shows: Server trouble" in out
    assert "This kiosk was revoked by the organizer: enroll it again" in out
