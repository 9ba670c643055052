"""The built-in demo against its real embedded server: event, enrollment, live sync, printed tickets.

The printed sheet is read back with the real decoder, and every ticket on it is
scanned at the demo kiosk: each must show the colour its caption promises.
"""

from __future__ import annotations

import json

import httpx
import pytest
from keyring.backends import fail

from kiosk.core.desk import CheckinDesk
from kiosk.demo import SIDE_DOOR, UNKNOWN_CODE, demo_roster, sheet_tickets, start_demo
from kiosk.scanner.sources import decode_image
from sync.replica import open_replica
from sync.replica.models import Attendee
from sync.status import K_SERVER

ATTENDEES = 80


@pytest.fixture
def demo(tmp_path):
    environment = start_demo(tmp_path / "demo", attendees=ATTENDEES, keyring_backend=fail.Keyring())
    yield environment
    environment.stop()


def test_the_demo_serves_an_event_enrolls_the_kiosk_and_prints_tickets_that_scan_as_captioned(demo):
    assert httpx.get(f"{demo.server_url}/health", timeout=5).json()["success"] is True
    assert demo.tickets_pdf.read_bytes().startswith(b"%PDF")
    assert demo.tickets_png.stat().st_size > 10_000
    assert str(demo.tickets_pdf) in demo.announcement()

    replica = open_replica(demo.data_dir)
    try:
        assert replica.get_state(K_SERVER) == demo.server_url
        with replica.session(write=False) as s:
            attendees = s.query(Attendee).all()
        assert len(attendees) == ATTENDEES
        assert sum(a.inside for a in attendees) > 0  # the side door's arrivals came down with the sync

        printed = {t.payload: t for t in sheet_tickets(demo_roster(ATTENDEES))}
        read = [code.text for code in decode_image(demo.tickets_png)]
        assert sorted(read) == sorted(printed)
        assert UNKNOWN_CODE in read

        desk = CheckinDesk(replica, door=demo.door)
        for payload in read:
            decision = desk.scan(payload)
            expected = printed[payload].expect.split(":")[0]
            assert decision.colour == expected, (payload, printed[payload].expect, decision.reason)
            if "already in" in printed[payload].expect:
                assert SIDE_DOOR in decision.reason
    finally:
        replica.close()


def test_a_second_start_reopens_the_same_event(demo, tmp_path):
    event_id = demo.event_id
    demo.stop()
    again = start_demo(tmp_path / "demo", attendees=ATTENDEES, keyring_backend=fail.Keyring())
    try:
        assert again.event_id == event_id
        state = json.loads((tmp_path / "demo" / "demo.json").read_text())
        assert state["event_id"] == event_id
        replica = open_replica(again.data_dir)
        try:
            assert replica.get_state(K_SERVER) == again.server_url
        finally:
            replica.close()
    finally:
        again.stop()
