"""`kiosk server ...`: set a server up from its host, then use it over real HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from kiosk.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, main
from sync.export_csv import ATTENDEE_COLUMNS, CHECKIN_COLUMNS
from sync.server.database import Database
from sync.server.models import EventRow
from tests.sync.server.support import REPO, Api, LiveServer, free_port, roster_csv

GOOD_ROWS = [("Ada", "Lovelace", "ada@example.org", "ADA-0001"), ("Grace", "Hopper", "grace@example.org", "GRACE-0002")]


@pytest.fixture
def kiosk(tmp_path, capsys):
    """Run `kiosk --data-dir … server ARGS` in-process; returns (status, stdout, stderr)."""

    def run(*args):
        status = main(["--data-dir", str(tmp_path / "data"), "server", *map(str, args)])
        out, err = capsys.readouterr()
        return status, out.strip(), err

    return run


def test_set_up_a_server_from_the_command_line_then_enroll_over_http(db_url, tmp_path, kiosk):
    roster = tmp_path / "guests.csv"
    roster.write_bytes(roster_csv(GOOD_ROWS))
    status, token, err = kiosk("admin-token", "--db", db_url, "--name", "organizer laptop")
    assert status == EXIT_OK and token.startswith("cko_") and "shown once" in err
    status, event_id, err = kiosk("create-event", "--db", db_url, "--name", "Gala", "--capacity", 300,
                                  "--timezone", "Europe/Paris", "--roster", roster)
    assert status == EXIT_OK and event_id.startswith("evt-") and "2 attendees imported" in err
    qr = tmp_path / "enroll.png"
    status, code, err = kiosk("enrollment-code", "--db", db_url, "--event", event_id, "--door", "North",
                              "--server", "http://192.168.1.20:8080", "--qr", qr)
    assert status == EXIT_OK and len(code) == 14 and "North" in err

    (decoded,) = zxingcpp.read_barcodes(Image.open(qr))  # the real decoder reads what a kiosk camera would
    uri = urlparse(decoded.text)
    assert (uri.scheme, uri.netloc) == ("checkin-kiosk", "enroll")
    assert parse_qs(uri.query) == {"server": ["http://192.168.1.20:8080"], "code": [code]}

    server = LiveServer(db_url).start()
    try:
        organizer = Api(server.url, token)
        event = organizer.data("get", f"/events/{event_id}")
        assert (event["name"], event["venue_capacity"], event["timezone"]) == ("Gala", 300, "Europe/Paris")
        enrolled = Api(server.url).data("post", "/devices/enroll", {"code": code})
        assert enrolled["event_id"] == event_id and enrolled["door"] == "North"
        kiosk_api = Api(server.url, enrolled["device_token"])
        page = kiosk_api.data("get", f"/events/{event_id}/attendees")
        assert [i["ticket_code"] for i in page["items"]] == ["ADA-0001", "GRACE-0002"]

        # IT lists the fleet and revokes a lost kiosk from the server's console: its token stops working.
        status, listing, err = kiosk("devices", "--db", db_url, "--event", event_id)
        assert status == EXIT_OK and enrolled["device_id"] in listing
        assert "door: North" in listing and "active" in listing
        status, _, err = kiosk("revoke-device", "--db", db_url, enrolled["device_id"])
        assert status == EXIT_OK and "revoked" in err
        status, body = kiosk_api.get(f"/events/{event_id}/attendees")
        assert status == 401 and "revoked" in body["error"]["message"]
        status, listing, _ = kiosk("devices", "--db", db_url, "--event", event_id)
        assert "REVOKED" in listing
        status, _, err = kiosk("revoke-device", "--db", db_url, "no-such-device")
        assert status == EXIT_ERROR and "no device" in err
    finally:
        server.stop()


def test_bad_roster_creates_nothing_unless_told(db_url, tmp_path, kiosk):
    roster = tmp_path / "guests.csv"
    roster.write_bytes(roster_csv(GOOD_ROWS) + b"Nobody,,not-an-email,BAD\n")
    status, out, err = kiosk("create-event", "--db", db_url, "--name", "Gala", "--roster", roster)
    assert status == EXIT_ERROR and out == ""
    assert "guests.csv:4:" in err and "no event was created" in err
    db = Database(db_url)
    try:
        db.migrate()  # the CLI checked the file before touching the database at all
        with db.read() as session:
            assert session.scalar(select(func.count()).select_from(EventRow)) == 0
    finally:
        db.dispose()
    status, event_id, err = kiosk(
        "create-event", "--db", db_url, "--name", "Gala", "--roster", roster, "--skip-invalid"
    )
    assert status == EXIT_OK and "1 bad row(s) skipped" in err
    status, out, err = kiosk("create-event", "--db", db_url, "--name", "Gala", "--roster", tmp_path / "missing.csv")
    assert status == EXIT_ERROR and "No such file" in err and err.count("\n") == 1


def test_one_line_errors(tmp_path, kiosk):
    status, out, err = kiosk("admin-token", "--db", "postgresql://nobody:x@127.0.0.1:1/none")
    assert status == EXIT_ERROR and err.startswith("kiosk: Cannot use the database") and err.count("\n") == 1
    status, out, err = kiosk("admin-token", "--db", "mysql://x@y/z")
    assert status == EXIT_ERROR and "Unsupported database" in err
    db = f"sqlite:///{tmp_path / 's.db'}"
    status, out, err = kiosk("enrollment-code", "--db", db, "--event", "evt-none")
    assert status == EXIT_ERROR and "no event evt-none" in err
    status, out, err = kiosk("create-event", "--db", db, "--name", "X", "--timezone", "Nowhere/Land")
    assert status == EXIT_USAGE and "unknown time zone" in err


def test_server_run_serves_until_stopped(tmp_path):
    port = free_port()
    command = [sys.executable, "-c", "import sys; from kiosk.cli import main; sys.exit(main())",
               "server", "run", "--db", str(tmp_path / "server.db"), "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                reply = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
                time.sleep(0.1)
        assert reply.json()["data"]["status"] == "ok"
        busy = subprocess.run(command, cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)),
                              capture_output=True, text=True, timeout=60)
        assert busy.returncode == EXIT_ERROR and f"Cannot listen on 127.0.0.1:{port}" in busy.stderr
    finally:
        process.terminate()
        process.wait(15)
        with process.stdout, process.stderr:
            logged = process.stderr.read()
    assert "Serving the central API" in logged


def test_export_writes_the_kiosks_csv_format(db_url, tmp_path, kiosk):
    roster = tmp_path / "guests.csv"
    roster.write_bytes(roster_csv(GOOD_ROWS))
    status, event_id, _ = kiosk("create-event", "--db", db_url, "--name", "Gala", "--roster", roster)
    assert status == EXIT_OK
    status, out, _ = kiosk("export", "--db", db_url, "--event", event_id, "attendees", tmp_path / "a.csv")
    assert status == EXIT_OK and out == f"Wrote 2 row(s) to {tmp_path / 'a.csv'}."
    assert (tmp_path / "a.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # spreadsheets read it as UTF-8
    lines = (tmp_path / "a.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == ",".join(ATTENDEE_COLUMNS)
    assert [line.split(",")[:4] for line in lines[1:]] == [  # by last name, as a kiosk sorts them
        ["Grace", "Hopper", "grace@example.org", "GRACE-0002"], ["Ada", "Lovelace", "ada@example.org", "ADA-0001"]]
    status, _, _ = kiosk("export", "--db", db_url, "--event", event_id, "checkins", tmp_path / "c.csv")
    assert status == EXIT_OK
    assert (tmp_path / "c.csv").read_text(encoding="utf-8-sig").splitlines() == [",".join(CHECKIN_COLUMNS)]
    status, _, _ = kiosk("export", "--db", db_url, "--event", event_id, "--no-bom", "attendees", tmp_path / "p.csv")
    assert status == EXIT_OK and (tmp_path / "p.csv").read_bytes() == (tmp_path / "a.csv").read_bytes()[3:]
    status, _, err = kiosk("export", "--db", db_url, "--event", "evt-nope", "checkins", tmp_path / "x.csv")
    assert status == EXIT_ERROR and err == "kiosk: There is no event evt-nope.\n" and not (tmp_path / "x.csv").exists()
