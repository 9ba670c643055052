"""The sync engine against the real reference server on loopback (and a scripted one for garbage)."""

from __future__ import annotations

import json
import random
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kiosk.core.results import Result
from kiosk.core.walkins import register_walkin
from sync import wire
from sync.client import ApiClient
from sync.clock import utcnow
from sync.engine import SyncEngine, SyncEvent
from sync.replica.models import Attendee, Checkin, OutboxItem, RevokedTicket, SigningKey
from sync.status import DEGRADED, K_CHECKIN_CURSOR, K_ROSTER_CURSOR, NOT_ENROLLED, OFFLINE, ONLINE, sync_status
from tests.e2e.harness import LiveServer, enroll_kiosk, free_port
from tests.sync.scripted_server import Reply, ScriptedServer

ROSTER = [
    {"first_name": f"Ada{i}", "last_name": "Lovelace", "email": f"ada{i}@example.org", "ticket_code": f"EN-{i:04d}"}
    for i in range(25)
]


@pytest.fixture
def server(tmp_path):
    live = LiveServer(tmp_path / "server.sqlite3").start()
    yield live
    live.stop()


@pytest.fixture
def event_id(server):
    return server.create_event(ROSTER)


@pytest.fixture
def kiosk(server, event_id, tmp_path):
    k = enroll_kiosk(server, event_id, tmp_path / "kiosk", "A")
    yield k
    k.close()


def wait_until(condition, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def outbox_snapshot(replica) -> list[tuple]:
    with replica.session(write=False) as s:
        return [(r.id, r.kind, r.ref_id, r.payload_json, r.sent_at)
                for r in s.scalars(select(OutboxItem).order_by(OutboxItem.id)).all()]


def replica_snapshot(replica) -> dict:
    with replica.session(write=False) as s:
        return {
            "attendees": s.execute(select(Attendee.id, Attendee.status, Attendee.ticket_code, Attendee.inside)
                                   .order_by(Attendee.id)).all(),
            "checkins": s.execute(select(Checkin.id, Checkin.attendee_id, Checkin.server_seq, Checkin.duplicate)
                                  .order_by(Checkin.id)).all(),
            "cursors": (replica.get_state(K_ROSTER_CURSOR), replica.get_state(K_CHECKIN_CURSOR)),
        }


# ---- download ------------------------------------------------------------------------


def test_download_in_pages_with_progress_then_nothing_new(server, event_id, tmp_path):
    k = enroll_kiosk(server, event_id, tmp_path / "k", "P", download=False, page_size=7)
    progress = []
    report = k.engine.download(lambda phase, done, total: progress.append((phase, done, total)))
    assert report.ok and report.roster_changes == len(ROSTER)
    roster_steps = [p for p in progress if p[0] == "roster"]
    assert len(roster_steps) == 4  # 25 changes, 7 per page
    assert roster_steps[-1][1] == roster_steps[-1][2] > 0
    assert [d for _, d, _ in roster_steps] == sorted(d for _, d, _ in roster_steps)
    with k.replica.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Attendee)) == len(ROSTER)
        assert s.scalar(select(func.count()).select_from(SigningKey).where(SigningKey.active.is_(True))) >= 1
    assert int(k.replica.get_state(K_ROSTER_CURSOR)) > 0
    again = k.engine.download()
    assert again.ok and again.roster_changes == 0 and again.checkins_pulled == 0
    k.close()


# ---- push ------------------------------------------------------------------------------


def test_push_marks_items_sent_only_with_the_servers_verdict(server, event_id, kiosk):
    decision = kiosk.desk.scan("EN-0001")
    assert decision.result == Result.ADMITTED
    assert sync_status(kiosk.replica)["waiting_to_sync"] == 1
    report = kiosk.engine.sync_once()
    assert report.ok and report.checkins_pushed == 1 and report.waiting_to_sync == 0
    with kiosk.replica.session(write=False) as s:
        row = s.get(Checkin, decision.checkin_id)
        assert row.server_seq is not None and row.server_received_at is not None
    assert [e.id for e in server.checkin_log(event_id)] == [decision.checkin_id]


def test_walkins_go_before_their_checkins(server, event_id, kiosk):
    outcome = register_walkin(kiosk.replica, "Wally", "Walker", "wally@example.org", desk=kiosk.desk)
    assert outcome.created
    with kiosk.replica.session(write=False) as s:  # queued walk-in first, check-in second
        assert [r.kind for r in s.scalars(select(OutboxItem).order_by(OutboxItem.id))] == ["walkin", "checkin"]
    report = kiosk.engine.sync_once()
    assert report.ok and report.walkins_pushed == 1 and report.checkins_pushed == 1
    (entry,) = server.checkin_log(event_id)
    assert entry.attendee_id == outcome.attendee.id and entry.flag == ""  # not "unknown_attendee"
    assert server.stats(event_id).walk_ins == 1


def test_an_invalid_outbox_item_is_flagged_and_does_not_block_the_rest(server, event_id, kiosk):
    bad = kiosk.desk.scan("EN-0002")
    good = kiosk.desk.scan("EN-0003")
    with kiosk.replica.session() as s:  # e.g. written by an older version with a field the API refuses
        row = s.scalar(select(OutboxItem).where(OutboxItem.ref_id == bad.checkin_id))
        item = json.loads(row.payload_json)
        item["device_time"] = "yesterday"
        row.payload_json = json.dumps(item)
    report = kiosk.engine.sync_once()
    assert report.ok and report.checkins_pushed == 1 and report.rejected == 1
    assert "invalid" in report.rejections[0]
    assert [e.id for e in server.checkin_log(event_id) if e.device_id == kiosk.replica.device_id] == [good.checkin_id]
    with kiosk.replica.session(write=False) as s:
        assert s.get(Checkin, bad.checkin_id).flag.startswith("rejected")  # kept, flagged, not lost


def test_a_scan_admitted_offline_after_a_central_cancellation_is_kept_and_flagged(server, event_id, kiosk):
    cancelled = [dict(r, status="cancelled") if r["ticket_code"] == "EN-0004" else r for r in ROSTER]
    server.import_roster(event_id, cancelled)  # the kiosk has not pulled this yet
    decision = kiosk.desk.scan("EN-0004")
    assert decision.result == Result.ADMITTED
    assert kiosk.engine.sync_once().ok
    with kiosk.replica.session(write=False) as s:
        assert s.get(Checkin, decision.checkin_id).flag == wire.FLAG_ADMITTED_WHILE_CANCELLED
        assert s.scalar(select(Attendee.status).where(Attendee.ticket_code == "EN-0004")) == "cancelled"
    assert kiosk.desk.scan("EN-0004").result == Result.CANCELLED


# ---- roster changes: revocations and keys -------------------------------------------------


def test_revocations_and_key_rotation_reach_the_kiosk(server, event_id, kiosk):
    with server.organizer() as http:
        response = http.post(f"/events/{event_id}/revocations", json={"ticket_code": "EN-0005", "reason": "stolen"})
        assert response.status_code == 200, response.text
        old_keys = {k.key_id for k in kiosk.engine._api().event(event_id).signing_keys}
        response = http.post(f"/events/{event_id}/signing-keys", json={"retire_others": True})
        assert response.status_code == 200, response.text
    assert kiosk.engine.sync_once().ok
    with kiosk.replica.session(write=False) as s:
        assert s.get(RevokedTicket, (event_id, "EN-0005")).reason == "stolen"
        keys = {k.key_id: k.active for k in s.scalars(select(SigningKey))}
    assert all(not keys[k] for k in old_keys) and any(keys.values())
    assert kiosk.desk.scan("EN-0005").result == Result.REVOKED
    with server.organizer() as http:
        http.post(f"/events/{event_id}/revocations", json={"ticket_code": "EN-0005", "revoked": False})
    assert kiosk.engine.sync_once().ok
    assert kiosk.desk.scan("EN-0005").result == Result.ADMITTED


def test_a_ticket_signed_after_the_download_is_admitted_offline(server, event_id, kiosk):
    server.import_roster(event_id, ROSTER + [{"first_name": "Late", "last_name": "Comer",
                                              "email": "late@example.org", "ticket_code": "EN-LATE"}])
    with server.organizer() as http:
        page = http.get(f"/events/{event_id}/attendees", params={"cursor": 0, "limit": 5000, "with_tickets": True})
        data, _ = wire.unwrap(page.json(), wire.RosterPage)
    signed = next(c.signed_ticket for c in data.items if getattr(c, "ticket_code", "") == "EN-LATE")
    assert signed and signed.startswith("CK1.")
    server.stop()  # the kiosk never saw this attendee, and cannot ask
    decision = kiosk.desk.scan(signed)
    assert decision.result == Result.ADMITTED, decision.reason
    server.start()
    assert kiosk.engine.sync_once().ok
    (entry,) = server.checkin_log(event_id)
    assert entry.id == decision.checkin_id and entry.flag == ""


# ---- bad credentials and bad replies ------------------------------------------------------


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


# ---- connectivity, backoff, clock -------------------------------------------------------------


def test_backoff_grows_with_jitter_and_resets_after_success(server, event_id, kiosk):
    with ScriptedServer() as overloaded:  # every request answered 503: the server is in trouble
        engine = SyncEngine(kiosk.replica, client_factory=lambda: ApiClient(overloaded.url, "t", timeout=3),
                            interval=1.0, max_backoff=8.0, rng=random.Random(3))
        overloaded.replies[f"/api/v1/events/{event_id}"] = Reply(b"Service Unavailable", status=503,
                                                                 content_type="text/plain")
        waits = []
        for _ in range(6):
            report = engine.sync_once()
            assert report.connectivity == DEGRADED
            waits.append(engine.seconds_until_retry())
        engine.close()
    ceilings = [1, 2, 4, 8, 8, 8]
    for wait, ceiling in zip(waits, ceilings):
        assert ceiling / 2 - 0.1 <= wait <= ceiling
    assert len({round(w, 3) for w in waits[3:]}) > 1  # jitter: not the same wait every time
    assert kiosk.engine.sync_once().ok and kiosk.engine.seconds_until_retry() == 0


def test_an_unreachable_server_is_probed_every_interval(kiosk):
    port = free_port()  # nothing listens here: a refused connection costs no server anything
    engine = SyncEngine(kiosk.replica, client_factory=lambda: ApiClient(f"http://127.0.0.1:{port}", "t"),
                        interval=1.0, max_backoff=8.0, rng=random.Random(3))
    for _ in range(6):
        report = engine.sync_once()
        assert report.connectivity == OFFLINE and "Cannot reach" in report.error
        # under half an interval: the next scheduled round (1 s later) is never skipped
        assert 0.25 - 0.1 <= engine.seconds_until_retry() <= 0.5
    engine.close()


def test_while_unreachable_the_running_engine_probes_more_often_than_its_interval(kiosk):
    port = free_port()
    engine = SyncEngine(kiosk.replica, client_factory=lambda: ApiClient(f"http://127.0.0.1:{port}", "t"),
                        interval=4.0)
    rounds: list[float] = []
    engine.add_listener(lambda e: rounds.append(time.monotonic()) if e.kind == "sync_finished" else None)
    engine.start()
    try:
        wait_until(lambda: len(rounds) >= 4, what="four probes", timeout=15)
    finally:
        engine.stop()
        engine.close()
    gaps = [b - a for a, b in zip(rounds, rounds[1:4])]
    assert all(0.9 <= gap <= 3.5 for gap in gaps), gaps  # every 1-2 s, not every 4 s


def test_connectivity_switches_by_itself(server, event_id, kiosk):
    events: list[SyncEvent] = []
    kiosk.engine.add_listener(events.append)
    kiosk.engine.start()
    try:
        wait_until(lambda: kiosk.engine.state == ONLINE, what="online")
        server.stop()
        wait_until(lambda: kiosk.engine.state == OFFLINE, what="offline")
        kiosk.desk.scan("EN-0009")
        kiosk.engine.trigger()  # while offline: waits for the backoff, loses nothing
        server.start()
        wait_until(lambda: kiosk.engine.state == ONLINE and sync_status(kiosk.replica)["waiting_to_sync"] == 0,
                   what="back online with the queue pushed")
    finally:
        kiosk.engine.stop()
    changes = [(e.previous, e.state) for e in events if e.kind == "state_changed"]
    assert (ONLINE, OFFLINE) in changes and (OFFLINE, ONLINE) in changes
    assert any(e.kind == "sync_finished" and e.report.checkins_pushed == 1 for e in events)
    assert len(server.checkin_log(event_id)) == 1


def test_trigger_pushes_at_once_without_waiting_for_the_interval(server, event_id, tmp_path):
    k = enroll_kiosk(server, event_id, tmp_path / "k", "T", interval=3600)
    finished = threading.Event()
    k.engine.add_listener(lambda e: finished.set() if e.kind == "sync_finished" and e.report.checkins_pushed else None)
    k.engine.start()
    try:
        wait_until(lambda: k.engine.state == ONLINE, what="first round")
        k.desk.scan("EN-0010")
        k.engine.trigger()
        assert finished.wait(20), "the triggered round did not run"
    finally:
        k.close()
    assert len(server.checkin_log(event_id)) == 1


def test_a_listener_that_fails_does_not_stop_sync(kiosk):
    def broken(_event):
        raise RuntimeError("bug in a screen")

    kiosk.engine.add_listener(broken)
    kiosk.desk.scan("EN-0011")
    assert kiosk.engine.sync_once().ok


def test_clock_offset_is_estimated_from_the_server_time(server, event_id, kiosk):
    slow = lambda: utcnow() - timedelta(minutes=10)  # a kiosk whose clock is 10 minutes behind
    token = kiosk.credentials.load()
    engine = SyncEngine(kiosk.replica, client_factory=lambda: ApiClient(server.url, token, clock=slow), clock=slow)
    report = engine.sync_once()
    engine.close()
    assert report.ok and report.clock_offset_seconds == pytest.approx(600, abs=5)
    status = sync_status(kiosk.replica)
    assert status["clock_offset_seconds"] == pytest.approx(600, abs=5)
    stats = server.stats(event_id)  # the heartbeat told the organizer too
    assert any(d.clock_offset_seconds and abs(d.clock_offset_seconds - 600) < 5 for d in stats.devices)


def test_concurrent_rounds_and_scans_push_each_checkin_once(server, event_id, kiosk):
    errors = []

    def scanner():
        try:
            for i in range(40):
                kiosk.desk.scan(f"EN-{i % 25:04d}", "entry" if i < 25 else "exit")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def syncer():
        for _ in range(8):
            kiosk.engine.sync_once()

    threads = [threading.Thread(target=scanner), threading.Thread(target=syncer), threading.Thread(target=syncer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert kiosk.engine.sync_once().ok
    ids = [e.id for e in server.checkin_log(event_id)]
    assert len(ids) == len(set(ids)) == 40


def test_status_reports_everything_the_lead_shows(kiosk):
    kiosk.desk.scan("EN-0012")
    status = sync_status(kiosk.replica)
    assert status["connectivity"] == ONLINE and status["waiting_to_sync"] == 1
    assert status["server"].startswith("http://127.0.0.1:") and status["last_sync"]
    assert set(status["cursors"]) == {"roster", "checkins", "server_high_water"}
    assert status["cursors"]["roster"] > 0
    assert "token" not in json.dumps(status).lower()


def test_a_walkin_merged_by_the_server_is_repointed_from_the_push_verdict_alone(server, event_id, kiosk):
    server.import_roster(event_id, ROSTER + [{"first_name": "Grace", "last_name": "Hopper",
                                              "email": "grace@example.org", "ticket_code": "EN-GRACE"}])
    outcome = register_walkin(kiosk.replica, "Grace", "H.", "Grace@Example.org", desk=kiosk.desk)
    assert outcome.created  # the kiosk has not pulled her RSVP yet
    report = kiosk.engine.sync_once(pull=False)
    assert report.ok and report.walkins_merged == 1
    with kiosk.replica.session(write=False) as s:
        rsvp = s.scalar(select(Attendee).where(Attendee.ticket_code == "EN-GRACE"))  # from the verdict
        assert rsvp is not None and rsvp.inside and rsvp.arrival_id == outcome.decision.checkin_id
        assert s.get(Attendee, outcome.attendee.id).merged_into_id == rsvp.id
        assert s.get(Checkin, outcome.decision.checkin_id).attendee_id == rsvp.id


def test_a_local_walkin_whose_code_the_server_gave_to_someone_else_keeps_its_scans(server, event_id, kiosk):
    walkin = register_walkin(kiosk.replica, "Local", "Walkin", desk=kiosk.desk)
    code = walkin.attendee.ticket_code
    server.import_roster(event_id, ROSTER + [{"first_name": "Other", "last_name": "Person",
                                              "email": "other@example.org", "ticket_code": code}])
    report = kiosk.engine.download()  # pulls before the walk-in is pushed: the codes clash locally
    assert report.ok, report.error
    with kiosk.replica.session(write=False) as s:
        rsvp = s.scalar(select(Attendee).where(Attendee.ticket_code == code))
        local = s.get(Attendee, walkin.attendee.id)
        assert rsvp.first_name == "Other" and local.ticket_code != code and local.inside
    report = kiosk.engine.sync_once()
    assert report.ok and report.walkins_pushed == 1 and report.checkins_pushed == 1
    with server.organizer() as http:
        page = http.get(f"/events/{event_id}/attendees", params={"cursor": 0, "limit": 5000})
        roster, _ = wire.unwrap(page.json(), wire.RosterPage)
    on_server = next(c for c in roster.items if getattr(c, "id", None) == walkin.attendee.id)
    assert on_server.ticket_code != code  # the server gave the walk-in a code of its own
    with kiosk.replica.session(write=False) as s:
        assert s.get(Attendee, walkin.attendee.id).ticket_code == on_server.ticket_code
    stats = server.stats(event_id)
    assert stats.walk_ins == 1 and stats.arrived == 1


def test_a_batch_refused_as_a_whole_is_split_until_the_bad_item_is_alone(server, event_id, kiosk):
    from kiosk.core.desk import CheckinDesk
    from tests.sync.scripted_server import envelope

    good = [kiosk.desk.scan(f"EN-{i:04d}").checkin_id for i in range(13, 18)]
    bad = CheckinDesk(kiosk.replica, door="Door the server dislikes").scan("EN-0018").checkin_id

    def checkins(body: bytes) -> Reply:
        items = json.loads(body)["items"]
        if any(item["door"] == "Door the server dislikes" for item in items):
            return Reply(envelope(None, False, {"code": "validation_error", "message": "bad door"}), status=422)
        verdicts = [{"id": item["id"], "status": "accepted", "seq": 100 + n} for n, item in enumerate(items)]
        return Reply(envelope({"results": verdicts}))

    with ScriptedServer() as scripted:
        scripted.replies[f"/api/v1/events/{event_id}/checkins"] = checkins
        scripted.replies["/api/v1/devices/heartbeat"] = Reply(envelope({
            "device_id": "d", "event_id": event_id, "server_time": "2026-05-01T09:00:00Z", "clock_offset_seconds": 0}))
        engine = SyncEngine(kiosk.replica, client_factory=lambda: ApiClient(scripted.url, "t", timeout=3),
                            batch_size=4)
        report = engine.sync_once(pull=False)
        engine.close()
    assert report.ok, report.error
    assert report.checkins_pushed == 5 and report.rejected == 1
    with kiosk.replica.session(write=False) as s:
        assert all(s.get(Checkin, i).server_seq is not None for i in good)
        assert s.get(Checkin, bad).flag == "rejected:refused"
        assert s.scalar(select(OutboxItem.id).where(OutboxItem.sent_at.is_(None))) is None
