"""A whole round: errors that keep the outbox, garbage that leaves the replica alone, the report."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from sync import wire
from sync.client import ApiClient
from sync.clock import utcnow
from sync.engine import SyncEngine
from sync.replica.models import OutboxItem
from sync.status import DEGRADED, NOT_ENROLLED, ONLINE, sync_status
from tests.e2e.harness import enroll_kiosk
from tests.sync.engine.support import ROSTER, outbox_snapshot, replica_snapshot
from tests.sync.scripted_server import Reply, ScriptedServer


def test_a_revoked_device_gets_a_clear_error_and_keeps_its_outbox(server, event_id, kiosk, tmp_path):
    kiosk.desk.scan("EN-0006")
    server.revoke_device(kiosk.replica.device_id)
    before = outbox_snapshot(kiosk.replica)
    report = kiosk.engine.sync_once()
    assert not report.ok and report.connectivity == DEGRADED
    assert "enroll it again" in report.error and kiosk.credentials.load() not in report.error
    assert outbox_snapshot(kiosk.replica) == before
    assert sync_status(kiosk.replica)["last_error"] == report.error
    with kiosk.replica.session(write=False) as s:  # the failure is noted on the queued row, nothing else
        assert s.scalar(select(OutboxItem.attempts)) == 1
    assert kiosk.engine.seconds_until_retry() > 0  # no hammering with a refused token
    # Enrolling again (a new code) lets the queue through, with the same running engine.
    again = enroll_kiosk(server, event_id, tmp_path / "kiosk", "A", download=False)
    again.close()
    kiosk.engine.trigger(force=True)
    report = kiosk.engine.sync_once()
    assert report.ok and report.checkins_pushed == 1


def test_a_wrong_token_is_refused_clearly_and_nothing_is_lost(server, event_id, kiosk):
    kiosk.desk.scan("EN-0007")
    before = outbox_snapshot(kiosk.replica)
    engine = SyncEngine(kiosk.replica, client_factory=lambda: ApiClient(server.url, "ckd_not-a-real-token"))
    report = engine.sync_once()
    engine.close()
    assert not report.ok and report.connectivity == DEGRADED and "token" in report.error
    assert outbox_snapshot(kiosk.replica) == before


def test_not_enrolled_says_so(tmp_path):
    from sync.replica import open_replica

    replica = open_replica(tmp_path / "fresh")
    engine = SyncEngine(replica)
    report = engine.sync_once()
    assert not report.ok and report.connectivity == NOT_ENROLLED and "enroll" in report.error
    assert sync_status(replica)["connectivity"] == NOT_ENROLLED
    engine.close()


@pytest.mark.parametrize("path, reply", [
    ("/checkins", Reply(b"<html><body>Login to the venue Wi-Fi</body></html>", content_type="text/html")),
    ("/checkins", Reply(b'{"success": true, "data": {"results": [{"id": 1', status=200)),
    ("/checkins", Reply(b"", truncate_to=0)),
    ("/checkins", Reply(b"Service Unavailable", status=503, content_type="text/plain")),
    ("/attendees", Reply(b'{"success": true, "data": {"items": "lots"}, "meta": {"server_time": "now"}}')),
    ("/attendees", Reply(b'{"success": true, "data": {"items": [], "next_cursor": 3', status=200)),
])
def test_garbage_from_the_server_leaves_replica_and_outbox_intact(server, event_id, kiosk, path, reply):
    kiosk.desk.scan("EN-0008")
    before_outbox, before_replica = outbox_snapshot(kiosk.replica), replica_snapshot(kiosk.replica)
    with ScriptedServer() as scripted:
        # Everything the kiosk asks is answered properly, except one endpoint.
        good_event = wire.Event(id=event_id, name="Conf").model_dump(mode="json")
        from tests.sync.scripted_server import envelope

        scripted.replies[f"/api/v1/events/{event_id}"] = Reply(envelope(good_event))
        empty_page = {"items": [], "next_cursor": 10_000, "has_more": False, "high_water_seq": 10_000}
        scripted.replies[f"/api/v1/events/{event_id}/attendees"] = Reply(envelope(empty_page))
        scripted.replies[f"/api/v1/events/{event_id}{path}"] = reply
        engine = SyncEngine(kiosk.replica, client_factory=lambda: ApiClient(scripted.url, "t", timeout=3))
        report = engine.sync_once()
        engine.close()
    assert not report.ok and report.connectivity == DEGRADED
    assert report.error and "Traceback" not in report.error
    after_outbox = outbox_snapshot(kiosk.replica)
    assert [r[:4] for r in after_outbox] == [r[:4] for r in before_outbox]
    assert all(r[4] is None for r in after_outbox if r[2] in {b[2] for b in before_outbox if b[4] is None})
    if path == "/checkins":
        assert replica_snapshot(kiosk.replica) == before_replica
    else:
        assert replica_snapshot(kiosk.replica)["cursors"] == before_replica["cursors"]
    # The real server, once reachable again, takes everything.
    assert kiosk.engine.sync_once().ok
    assert len(server.checkin_log(event_id)) == 1


def test_a_listener_that_fails_does_not_stop_sync(kiosk):
    def broken(_event):
        raise RuntimeError("bug in a screen")

    kiosk.engine.add_listener(broken)
    kiosk.desk.scan("EN-0011")
    assert kiosk.engine.sync_once().ok


def test_clock_offset_is_estimated_from_the_server_time(server, event_id, kiosk):
    def slow():  # a kiosk whose clock is 10 minutes behind
        return utcnow() - timedelta(minutes=10)

    token = kiosk.credentials.load()
    engine = SyncEngine(kiosk.replica, client_factory=lambda: ApiClient(server.url, token, clock=slow), clock=slow)
    report = engine.sync_once()
    engine.close()
    assert report.ok and report.clock_offset_seconds == pytest.approx(600, abs=5)
    status = sync_status(kiosk.replica)
    assert status["clock_offset_seconds"] == pytest.approx(600, abs=5)
    stats = server.stats(event_id)  # the heartbeat told the organizer too
    assert any(d.clock_offset_seconds and abs(d.clock_offset_seconds - 600) < 5 for d in stats.devices)


def test_status_reports_everything_the_lead_shows(kiosk):
    kiosk.desk.scan("EN-0012")
    status = sync_status(kiosk.replica)
    assert status["connectivity"] == ONLINE and status["waiting_to_sync"] == 1
    assert status["server"].startswith("http://127.0.0.1:") and status["last_sync"]
    assert set(status["cursors"]) == {"roster", "checkins", "server_high_water"}
    assert status["cursors"]["roster"] > 0
    assert "token" not in json.dumps(status).lower()


def test_the_report_says_what_changed_so_a_status_line_needs_no_reread(server, event_id, kiosk, tmp_path):
    quiet = kiosk.engine.sync_once()
    assert quiet.ok and quiet.changes.names() == ["sync_status"]
    assert (quiet.connectivity, quiet.last_error, quiet.waiting_to_sync) == (ONLINE, None, 0) and quiet.finished_at

    other = enroll_kiosk(server, event_id, tmp_path / "other", "B")
    other.desk.scan("EN-0020")
    assert other.engine.sync_once().ok
    other.close()
    pulled = kiosk.engine.sync_once()
    assert pulled.checkins_pulled == 1 and pulled.changes.checkins and not pulled.changes.event

    server.import_roster(event_id, [dict(r, first_name="Renamed") if r["ticket_code"] == "EN-0001" else r
                                    for r in ROSTER])
    roster = kiosk.engine.sync_once()
    assert roster.changes.attendees and not roster.changes.checkins and not roster.changes.event

    with server.organizer() as http:
        assert http.post(f"/events/{event_id}/signing-keys", json={"retire_others": False}).status_code == 200
    keys = kiosk.engine.sync_once()
    assert keys.changes.event and not keys.changes.attendees

    kiosk.desk.scan("EN-0021")
    server.stop()
    failed = kiosk.engine.sync_once()
    assert not failed.ok and failed.waiting_to_sync == 1 and failed.last_error == failed.error
    assert failed.changes.names() == ["sync_status"] and not failed.changes.outbox
    server.start()
