"""Three kiosks lose the server, keep checking people in, and agree with it again afterwards.

The real reference server over HTTP on loopback, three replicas each enrolled
with its own one-time code, the real door desk and walk-in registration, the
real sync engine. The server is stopped (the Wi-Fi dies) and started again on
the same port and database (the Wi-Fi returns).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk.core.results import Result
from kiosk.core.roster import export_attendees, export_checkins
from kiosk.core.stats import replica_stats
from kiosk.core.walkins import register_walkin
from sync.replica.models import Attendee, Checkin
from sync.server import admin
from sync.status import OFFLINE, ONLINE
from tests.e2e.harness import LiveServer, enroll_kiosk

FIGURES = ("expected", "arrived", "inside", "walkins", "duplicates")
ROSTER = [
    {"first_name": f"Guest{i}", "last_name": "Roster", "email": f"guest{i}@example.org", "ticket_code": f"TK-{i:04d}"}
    for i in range(30)
]
GRACE = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.org", "ticket_code": "TK-GRACE"}


def server_figures(server: LiveServer, event_id: str) -> dict:
    stats = server.stats(event_id)
    return {"expected": stats.expected, "arrived": stats.arrived, "inside": stats.inside,
            "walkins": stats.walk_ins, "duplicates": stats.duplicates}


def kiosk_figures(kiosk) -> dict:
    stats = replica_stats(kiosk.replica)
    assert stats["waiting_to_sync"] == 0, f"kiosk {kiosk.name} still has items to push"
    return {key: stats[key] for key in FIGURES}


@pytest.fixture
def venue(tmp_path):
    server = LiveServer(tmp_path / "server.sqlite3").start()
    event_id = server.create_event(ROSTER)
    kiosks = [enroll_kiosk(server, event_id, tmp_path / f"kiosk{n}", str(n)) for n in (1, 2, 3)]
    yield server, event_id, kiosks
    for kiosk in kiosks:
        kiosk.close()
    server.stop()


def test_three_offline_kiosks_converge_with_the_server(venue, tmp_path):
    server, event_id, (k1, k2, k3) = venue
    # An RSVP added on the server after every kiosk downloaded the roster.
    assert server.import_roster(event_id, ROSTER + [GRACE]).created == 1

    server.stop()  # the Wi-Fi dies
    for kiosk in (k1, k2, k3):
        report = kiosk.engine.sync_once()
        assert not report.ok and report.connectivity == OFFLINE

    assert k1.desk.scan("TK-0001").result == Result.ADMITTED
    assert k1.desk.scan("TK-0002").result == Result.ADMITTED
    first = k1.desk.scan("TK-0003")  # the same ticket at two doors, both offline
    second = k2.desk.scan("TK-0003")
    assert first.result == second.result == Result.ADMITTED
    assert k2.desk.scan("TK-0004").result == Result.ADMITTED
    assert k3.desk.scan("TK-0005").result == Result.ADMITTED
    assert k3.desk.scan("TK-0006").result == Result.ADMITTED
    assert k3.desk.scan("TK-0006", "exit").result == Result.EXITED
    assert k1.desk.scan("TK-0007").result == Result.ADMITTED
    assert k1.desk.undo("TK-0007").undone  # a mistaken check-in, taken back
    # Grace is not on kiosk 2's roster yet: she is registered as a walk-in there.
    grace_walkin = register_walkin(k2.replica, "Grace", "Hopper", "grace@example.org", desk=k2.desk)
    assert grace_walkin.created and grace_walkin.decision.result == Result.ADMITTED
    alan = register_walkin(k3.replica, "Alan", "Turing", "alan@example.org", desk=k3.desk)
    assert alan.created
    local_ids = {kiosk.name: _checkin_ids(kiosk) for kiosk in (k1, k2, k3)}
    for kiosk in (k1, k2, k3):
        assert replica_stats(kiosk.replica)["waiting_to_sync"] == len(local_ids[kiosk.name]) + (
            1 if kiosk in (k2, k3) else 0)  # + the walk-in

    server.start()  # the Wi-Fi returns: same port, same database
    for _ in range(2):
        for kiosk in (k1, k2, k3):
            report = kiosk.engine.sync_once()
            assert report.ok, report.error
            assert report.connectivity == ONLINE and kiosk.engine.state == ONLINE

    expected = {"expected": 31, "arrived": 8, "inside": 7, "walkins": 1, "duplicates": 1}
    assert server_figures(server, event_id) == expected
    for kiosk in (k1, k2, k3):
        assert kiosk_figures(kiosk) == expected, kiosk.name

    # Every scan of every kiosk is on the server exactly once, and every kiosk holds them all.
    server_log = server.checkin_log(event_id)
    server_ids = [entry.id for entry in server_log]
    assert len(server_ids) == len(set(server_ids))
    all_local = set().union(*local_ids.values())
    assert set(server_ids) == all_local
    for kiosk in (k1, k2, k3):
        assert _checkin_ids(kiosk) == all_local

    # The double scan: one arrival (the earlier scan) and one flagged duplicate, everywhere.
    for kiosk in (k1, k2, k3):
        with kiosk.replica.session(write=False) as s:
            attendee = s.scalar(select(Attendee).where(Attendee.ticket_code == "TK-0003"))
            assert attendee.arrival_id == first.checkin_id
            dup = s.get(Checkin, second.checkin_id)
            assert dup.duplicate and not s.get(Checkin, first.checkin_id).duplicate
    assert {e.id for e in server_log if e.duplicate} == {second.checkin_id}

    # Grace's walk-in is merged into her RSVP everywhere, and her arrival counts for the RSVP.
    for kiosk in (k1, k2, k3):
        with kiosk.replica.session(write=False) as s:
            rsvp = s.scalar(select(Attendee).where(Attendee.ticket_code == "TK-GRACE"))
            walkin = s.get(Attendee, grace_walkin.attendee.id)
            assert walkin is not None and walkin.merged_into_id == rsvp.id, kiosk.name
            assert rsvp.inside and rsvp.arrival_id == grace_walkin.decision.checkin_id
            assert s.get(Checkin, grace_walkin.decision.checkin_id).attendee_id == rsvp.id
    # The organizer's exports reconcile exactly: every kiosk writes the server's files, byte for byte.
    for what in ("checkins", "attendees"):
        on_server = tmp_path / f"server-{what}.csv"
        admin.export_csv(server.db, event_id, what, on_server)
        for kiosk in (k1, k2, k3):
            at_kiosk = tmp_path / f"kiosk{kiosk.name}-{what}.csv"
            (export_checkins if what == "checkins" else export_attendees)(kiosk.replica, at_kiosk)
            assert at_kiosk.read_bytes() == on_server.read_bytes(), (kiosk.name, what)
    assert len(on_server.read_text(encoding="utf-8").splitlines()) == 1 + 31 + 2  # header, RSVPs, both walk-ins

    # A scan of the walk-in badge at any kiosk now finds Grace already inside.
    assert k1.desk.scan(grace_walkin.attendee.ticket_code).result == Result.ALREADY_CHECKED_IN


def _checkin_ids(kiosk) -> set[str]:
    with kiosk.replica.session(write=False) as s:
        return set(s.scalars(select(Checkin.id)).all())
