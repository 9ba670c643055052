"""A server that misbehaves is treated as degraded, not obeyed, and the replica stays as it was.

The kiosk talks to the real reference server through a hostile server on
127.0.0.1 that answers one route with a bad reply; once the attack stops, the
same kiosk syncs normally and nothing it recorded is lost.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from sync.client import ApiClient
from sync.engine import SyncEngine
from sync.replica.models import Checkin
from sync.status import DEGRADED, K_CHECKIN_CURSOR, K_ROSTER_CURSOR, sync_status
from tests.e2e.harness import enroll_kiosk
from tests.sync.engine.support import outbox_snapshot, replica_snapshot
from tests.sync.hostile_server import HostileServer, endless, nested, refuse_whole, reply, trickle
from tests.sync.scripted_server import envelope


@pytest.fixture
def hostile(server):
    with HostileServer(server.url) as proxy:
        yield proxy


def engine_through(hostile, kiosk, **options) -> SyncEngine:
    token = kiosk.credentials.load()
    client = {k: options.pop(k) for k in ("request_seconds", "max_reply_bytes") if k in options}
    return SyncEngine(kiosk.replica, client_factory=lambda: ApiClient(hostile.url, token, timeout=5, **client),
                      **options)


def assert_degraded_and_untouched(report, kiosk, before: dict) -> None:
    assert not report.ok and report.connectivity == DEGRADED
    assert report.error and "unexpected error" not in report.error and "Traceback" not in report.error
    assert replica_snapshot(kiosk.replica) == before


def test_a_trickling_page_does_not_hold_the_round(hostile, kiosk):
    hostile.attack("GET", "/checkins", trickle(every=0.1))
    engine = engine_through(hostile, kiosk, request_seconds=1.5)
    before, started = replica_snapshot(kiosk.replica), time.monotonic()
    report = engine.sync_once()
    engine.close()
    assert time.monotonic() - started < 5
    assert_degraded_and_untouched(report, kiosk, before)
    assert "took too long" in report.error


def test_a_round_ends_at_its_deadline_whatever_each_request_may_take(hostile, kiosk):
    hostile.attack("GET", "/checkins", trickle(every=0.1))
    engine = engine_through(hostile, kiosk, request_seconds=60, round_seconds=1.5)
    before, started = replica_snapshot(kiosk.replica), time.monotonic()
    report = engine.sync_once()
    engine.close()
    assert time.monotonic() - started < 5
    assert_degraded_and_untouched(report, kiosk, before)


def test_a_never_ending_reply_is_not_read_past_the_cap(hostile, kiosk):
    hostile.attack("GET", "/attendees", endless())
    engine = engine_through(hostile, kiosk)  # the default cap
    before, started = replica_snapshot(kiosk.replica), time.monotonic()
    report = engine.sync_once()
    engine.close()
    assert time.monotonic() - started < 6
    assert_degraded_and_untouched(report, kiosk, before)
    assert "larger than 32 MiB" in report.error


def test_json_nested_too_deeply_is_one_plain_message(hostile, kiosk, event_id):
    hostile.attack("GET", f"/events/{event_id}", nested())
    engine = engine_through(hostile, kiosk)
    before = replica_snapshot(kiosk.replica)
    report = engine.sync_once()
    engine.close()
    assert_degraded_and_untouched(report, kiosk, before)
    assert report.error.endswith("is nested too deeply to be read.")
    assert sync_status(kiosk.replica)["last_error"] == report.error


@pytest.mark.parametrize("feed, cursor_key", [("/attendees", K_ROSTER_CURSOR), ("/checkins", K_CHECKIN_CURSOR)])
def test_a_cursor_from_the_far_future_is_refused_and_pulling_goes_on(hostile, server, event_id, kiosk, tmp_path,
                                                                     feed, cursor_key):
    far = {"items": [], "next_cursor": 10**12, "has_more": False, "high_water_seq": 40}
    hostile.attack("GET", feed, reply(200, envelope(far)))
    engine = engine_through(hostile, kiosk)
    before = replica_snapshot(kiosk.replica)
    report = engine.sync_once()
    assert_degraded_and_untouched(report, kiosk, before)
    assert int(kiosk.replica.get_state(cursor_key)) < 10**12
    hostile.calm()
    other = enroll_kiosk(server, event_id, tmp_path / "other", "B")
    scan = other.desk.scan("EN-0003")
    assert other.engine.sync_once().ok
    other.close()
    assert engine.sync_once().ok
    engine.close()
    with kiosk.replica.session(write=False) as s:  # another kiosk's scan still arrives
        assert s.get(Checkin, scan.checkin_id) is not None


def test_a_whole_push_refused_is_no_verdict_the_scans_stay_queued_and_go_later(hostile, server, event_id, kiosk):
    scans = [kiosk.desk.scan(f"EN-{i:04d}").checkin_id for i in range(3)]
    hostile.attack("POST", "/checkins", refuse_whole(422))
    engine = engine_through(hostile, kiosk)
    report = engine.sync_once()
    assert not report.ok and report.connectivity == DEGRADED and "stay queued" in report.error
    assert report.held_back == 3 and report.rejected == 0 and report.waiting_to_sync == 3
    with kiosk.replica.session(write=False) as s:
        assert all(s.get(Checkin, i).flag == "" for i in scans)  # not marked rejected
    assert [row[4] for row in outbox_snapshot(kiosk.replica)] == [None, None, None]
    hostile.calm()  # the proxy behaves again: a later round sends them
    engine.schedule.trigger(force=True)
    again = engine.sync_once()
    engine.close()
    assert again.ok and again.checkins_pushed == 3 and again.waiting_to_sync == 0
    assert sorted(e.id for e in server.checkin_log(event_id)) == sorted(scans)


def test_a_whole_walkin_push_refused_keeps_the_walkin_and_its_scan(hostile, server, event_id, kiosk):
    from kiosk.core.walkins import register_walkin

    outcome = register_walkin(kiosk.replica, "Wanda", "Walker", "wanda@example.org", desk=kiosk.desk)
    hostile.attack("POST", "/rsvp", refuse_whole(413))
    engine = engine_through(hostile, kiosk)
    report = engine.sync_once()
    assert not report.ok and report.held_back == 1 and report.waiting_to_sync == 2
    hostile.calm()
    again = engine.sync_once()
    engine.close()
    assert again.ok and again.walkins_pushed == 1 and again.checkins_pushed == 1
    (entry,) = server.checkin_log(event_id)
    assert entry.attendee_id == outcome.attendee.id
    with kiosk.replica.session(write=False) as s:
        assert s.scalar(select(Checkin.flag).where(Checkin.id == entry.id)) == ""
