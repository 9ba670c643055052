"""A supervisor's forced check-in through the real reference server: pushed with its reason,
counted and flagged by the server, pulled by another kiosk, exported the same everywhere."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk.core.results import Result
from kiosk.core.roster import export_checkins
from kiosk.core.stats import replica_stats
from sync import wire
from sync.replica.models import Attendee, Checkin
from sync.server import admin
from tests.e2e.harness import LiveServer, enroll_kiosk

ROSTER = [
    {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org", "ticket_code": "ADA-0001"},
    {"first_name": "Alan", "last_name": "Turing", "email": "alan@example.org", "ticket_code": "ALAN-0003",
     "status": "cancelled"},
    {"first_name": "Edsger", "last_name": "Dijkstra", "email": "edsger@example.org", "ticket_code": "EDSGER-0004",
     "status": "waitlisted"},
]
REASON = "Keynote speaker, approved by Jo"


@pytest.fixture
def venue(tmp_path):
    server = LiveServer(tmp_path / "server.sqlite3").start()
    event_id = server.create_event(ROSTER)
    kiosks = [enroll_kiosk(server, event_id, tmp_path / f"kiosk{n}", str(n)) for n in (1, 2)]
    yield server, event_id, kiosks
    for kiosk in kiosks:
        kiosk.close()
    server.stop()


def attendee_id(kiosk, code):
    with kiosk.replica.session(write=False) as s:
        return s.scalar(select(Attendee.id).where(Attendee.ticket_code == code))


def test_an_override_reaches_the_server_stats_and_another_kiosk_and_exports_converge(venue, tmp_path):
    server, event_id, (k1, k2) = venue
    assert k1.desk.scan("ALAN-0003").result == Result.CANCELLED
    forced = k1.desk.force_checkin(attendee_id(k1, "ALAN-0003"), REASON)
    assert forced.result == Result.ADMITTED_OVERRIDE
    assert k1.desk.scan("ADA-0001").result == Result.ADMITTED
    assert k1.engine.sync_once().ok

    stats = server.stats(event_id)
    assert (stats.arrived, stats.inside, stats.overrides) == (2, 2, 1)
    stored = {entry.id: entry for entry in server.checkin_log(event_id)}[forced.checkin_id]
    assert (stored.result, stored.reason, stored.flag) == ("admitted_override", REASON, wire.FLAG_ADMITTED_OVERRIDE)

    assert k2.engine.sync_once().ok
    with k2.replica.session(write=False) as s:
        pulled = s.get(Checkin, forced.checkin_id)
        assert (pulled.result, pulled.reason, pulled.flag) == ("admitted_override", REASON,
                                                               wire.FLAG_ADMITTED_OVERRIDE)
        assert s.scalar(select(Attendee.inside).where(Attendee.ticket_code == "ALAN-0003"))
    for kiosk in (k1, k2):
        figures = replica_stats(kiosk.replica)
        assert (figures["arrived"], figures["inside"], figures["overrides"]) == (2, 2, 1), kiosk.name
    # The other kiosk cannot let him in a second time: he is inside.
    assert k2.desk.force_checkin(attendee_id(k2, "ALAN-0003"), "again").result == Result.ALREADY_CHECKED_IN

    # Undone at the second kiosk: the override stops counting everywhere.
    assert k2.desk.undo_attendee(attendee_id(k2, "ALAN-0003")).undone
    assert k2.engine.sync_once().ok and k1.engine.sync_once().ok
    assert (server.stats(event_id).overrides, server.stats(event_id).arrived) == (0, 1)
    assert replica_stats(k1.replica)["overrides"] == 0

    on_server = tmp_path / "server-checkins.csv"
    admin.export_csv(server.db, event_id, "checkins", on_server)
    for kiosk in (k1, k2):
        at_kiosk = tmp_path / f"kiosk{kiosk.name}-checkins.csv"
        export_checkins(kiosk.replica, at_kiosk)
        assert at_kiosk.read_bytes() == on_server.read_bytes(), kiosk.name
    lines = on_server.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].endswith(",reason") and sum(line.endswith(f',"{REASON}"') for line in lines) == 1


def test_an_override_made_offline_is_pushed_when_the_server_returns(venue):
    server, event_id, (k1, _k2) = venue
    server.stop()
    forced = k1.desk.force_checkin(attendee_id(k1, "EDSGER-0004"), REASON)
    assert forced.result == Result.ADMITTED_OVERRIDE
    assert not k1.engine.sync_once().ok
    server.start()
    assert k1.engine.sync_once().ok
    assert server.stats(event_id).overrides == 1
    assert replica_stats(k1.replica)["waiting_to_sync"] == 0
