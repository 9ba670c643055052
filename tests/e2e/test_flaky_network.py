"""A venue's Wi-Fi: drops, delays, HTTP 500s and cut replies, for many rounds of scans and syncs.

Kiosks talk to the real server through :class:`FaultProxy`. Many of the faults
strike after the server has stored a push, so the kiosk retries something the
server already has. At the end no check-in is lost or counted twice (checked
by UUID against the server's log) and every kiosk agrees with the server.
"""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from kiosk.core.stats import replica_stats
from kiosk.core.walkins import register_walkin
from sync.replica.models import Checkin, OutboxItem
from tests.e2e.faultproxy import FaultProxy, Faults
from tests.e2e.harness import LiveServer, enroll_kiosk

ROUNDS = 25
SCANS_PER_ROUND = 6
ROSTER = [
    {"first_name": f"Guest{i}", "last_name": "Flaky", "email": f"flaky{i}@example.org", "ticket_code": f"FL-{i:04d}"}
    for i in range(60)
]
FIGURES = ("expected", "arrived", "inside", "walkins", "duplicates")


@pytest.fixture
def flaky_venue(tmp_path):
    server = LiveServer(tmp_path / "server.sqlite3").start()
    event_id = server.create_event(ROSTER)
    proxy = FaultProxy(server.port, seed=20240501).start()
    kiosks = [
        enroll_kiosk(server, event_id, tmp_path / f"kiosk{n}", str(n), server_url=proxy.url, download=False,
                     timeout=1.0, batch_size=7, page_size=9)  # small batches and pages: many requests to fault
        for n in (1, 2, 3)
    ]
    yield server, event_id, proxy, kiosks
    for kiosk in kiosks:
        kiosk.close()
    proxy.stop()
    server.stop()


def test_no_checkin_is_lost_or_counted_twice_on_a_flaky_network(flaky_venue):
    server, event_id, proxy, kiosks = flaky_venue
    rng = random.Random(7)
    proxy.faults = Faults(drop=0.04, error_before=0.04, error_after=0.06, cut=0.06, delay=0.15, max_delay=1.5)
    # The first download goes through the bad network too: keep trying until it is complete.
    for kiosk in kiosks:
        for _ in range(200):
            if kiosk.engine.download().ok:
                break
        assert replica_stats(kiosk.replica)["expected"] == len(ROSTER)

    failed_rounds = 0
    for round_no in range(ROUNDS):
        for kiosk in kiosks:
            for _ in range(SCANS_PER_ROUND):
                code = f"FL-{rng.randrange(len(ROSTER)):04d}"  # overlapping tickets across kiosks
                roll = rng.random()
                if roll < 0.7:
                    kiosk.desk.scan(code)
                elif roll < 0.85:
                    kiosk.desk.scan(code, "exit")
                elif roll < 0.95:
                    kiosk.desk.undo(code)
                else:
                    register_walkin(kiosk.replica, f"Walk{round_no}", kiosk.name, desk=kiosk.desk)
            report = kiosk.engine.sync_once()
            failed_rounds += not report.ok

    # Every kind of fault happened, and they made rounds fail: the test tested something.
    for fault in ("drop", "error_before", "error_after", "cut", "delay"):
        assert proxy.counts[fault] > 0, f"no {fault} fault was injected: {dict(proxy.counts)}"
    assert ROUNDS // 4 < failed_rounds, f"only {failed_rounds} rounds failed: {dict(proxy.counts)}"

    proxy.faults = Faults.none()  # the network heals
    for kiosk in kiosks:
        report = kiosk.engine.sync_once()
        assert report.ok, report.error
    for kiosk in kiosks:  # a second pass pulls what the later kiosks pushed
        assert kiosk.engine.sync_once().ok

    server_log = server.checkin_log(event_id)
    server_ids = [entry.id for entry in server_log]
    assert len(server_ids) == len(set(server_ids)), "a check-in is stored twice on the server"
    local = {kiosk.name: _own_checkins(kiosk) for kiosk in kiosks}
    all_local = set().union(*local.values())
    assert all_local <= set(server_ids), f"lost on the way: {sorted(all_local - set(server_ids))[:5]}"
    assert set(server_ids) == all_local
    server_duplicates = {entry.id for entry in server_log if entry.duplicate}
    stats = server.stats(event_id)
    expected = {"expected": stats.expected, "arrived": stats.arrived, "inside": stats.inside,
                "walkins": stats.walk_ins, "duplicates": stats.duplicates}
    for kiosk in kiosks:
        with kiosk.replica.session(write=False) as s:
            assert set(s.scalars(select(Checkin.id)).all()) == set(server_ids), kiosk.name
            assert set(s.scalars(select(Checkin.id).where(Checkin.duplicate.is_(True))).all()) == server_duplicates
            assert s.scalar(select(OutboxItem.id).where(OutboxItem.sent_at.is_(None))) is None
            assert not s.scalars(select(OutboxItem.last_error).where(OutboxItem.last_error.like("refused%"))).all()
        figures = replica_stats(kiosk.replica)
        assert {key: figures[key] for key in FIGURES} == expected, kiosk.name
    assert stats.arrived > 0 and stats.inside > 0


def _own_checkins(kiosk) -> set[str]:
    with kiosk.replica.session(write=False) as s:
        return set(s.scalars(select(Checkin.id).where(Checkin.device_id == kiosk.replica.device_id)).all())
