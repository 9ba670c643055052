"""A scan the server refuses is never lost from view: counted and explained by `kiosk status`,
the sync's exit status and the door's words, and resent once the cause is fixed (issue 10).
Real processes, the real reference server on 127.0.0.1."""

from __future__ import annotations

import json
from urllib.parse import quote

from kiosk.cli import EXIT_OK, EXIT_REFUSED
from tests.e2e.harness import LiveServer
from tests.e2e.test_cli_sync import ROSTER, cli  # noqa: F401  (the fixture)


def enroll(cli, server, event_id, door):  # noqa: F811
    code = server.enrollment_code(event_id, door=door)
    result = cli("enroll", f"checkin-kiosk://enroll?server={quote(server.url, safe='')}&code={code}")
    assert result.returncode == EXIT_OK, result.stderr


def test_a_refused_scan_is_counted_explained_and_resent_once_the_cause_is_fixed(tmp_path, cli):  # noqa: F811
    server = LiveServer(tmp_path / "server.sqlite3").start()
    try:
        day_two = server.create_event(ROSTER, name="Day 2")
        day_one = server.create_event([{**row, "ticket_code": "D1-" + row["ticket_code"]} for row in ROSTER],
                                      name="Day 1")
        enroll(cli, server, day_two, "Hall")
        assert cli("checkin", "CL-0001").returncode == EXIT_OK  # not synced yet
        enroll(cli, server, day_one, "Hall")  # re-enrolled for another event: the Day-2 scan is refused

        result = cli("sync", "--once")
        assert result.returncode == EXIT_REFUSED
        assert "1 scan(s) refused by the server are not in the organizer's figures" in result.stderr
        status = json.loads(cli("status", "--json").stdout)
        assert status["not_stored"] == 1 and status["sync"]["not_stored"] == 1
        assert "refused by the server, not in the organizer's figures" in status["sync"]["words"]
        text = cli("status").stdout
        assert "NOT STORED: 1 scan(s)" in text and "wrong_event" in text

        enroll(cli, server, day_two, "Hall")  # the fix: back on the scan's own event
        result = cli("sync", "--once", "--resend-refused")
        assert result.returncode == EXIT_OK, result.stderr
        assert json.loads(cli("status", "--json").stdout)["not_stored"] == 0
        assert server.stats(day_two).arrived == 1
    finally:
        server.stop()
