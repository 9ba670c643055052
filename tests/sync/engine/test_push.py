"""The push stages against the real reference server (and a scripted one for whole-batch refusals)."""

from __future__ import annotations

import json
import threading

from sqlalchemy import select

from kiosk.core.results import Result
from kiosk.core.walkins import register_walkin
from sync import wire
from sync.client import ApiClient
from sync.engine import SyncEngine
from sync.replica.models import Attendee, Checkin, OutboxItem
from sync.status import sync_status
from tests.sync.engine.support import ROSTER
from tests.sync.scripted_server import Reply, ScriptedServer


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


def test_a_walkin_merged_by_the_server_is_repointed_from_the_push_verdict_alone(server, event_id, kiosk):
    server.import_roster(event_id, ROSTER + [{"first_name": "Grace", "last_name": "Hopper",
                                              "email": "grace@example.org", "ticket_code": "EN-GRACE"}])
    outcome = register_walkin(kiosk.replica, "Grace", "HOPPER", "Grace@Example.org", desk=kiosk.desk)
    assert outcome.created  # the kiosk has not pulled her RSVP yet
    report = kiosk.engine.sync_once(pull=False)
    assert report.ok and report.walkins_merged == 1
    with kiosk.replica.session(write=False) as s:
        rsvp = s.scalar(select(Attendee).where(Attendee.ticket_code == "EN-GRACE"))  # from the verdict
        assert rsvp is not None and rsvp.inside and rsvp.arrival_id == outcome.decision.checkin_id
        assert s.get(Attendee, outcome.attendee.id).merged_into_id == rsvp.id
        assert s.get(Checkin, outcome.decision.checkin_id).attendee_id == rsvp.id


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


def test_a_batch_refused_as_a_whole_is_split_and_the_item_refused_alone_stays_queued(server, event_id, kiosk):
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
    # The others go through; a refusal of the whole request is no verdict on the item left alone:
    # it stays queued (sent again next round) and the server is reported as misbehaving.
    assert not report.ok and "stay queued" in report.error
    assert report.checkins_pushed == 5 and report.rejected == 0 and report.held_back == 1
    assert report.waiting_to_sync == 1
    with kiosk.replica.session(write=False) as s:
        assert all(s.get(Checkin, i).server_seq is not None for i in good)
        assert s.get(Checkin, bad).flag == ""
        waiting = s.execute(select(OutboxItem.ref_id, OutboxItem.last_error).where(OutboxItem.sent_at.is_(None))).all()
    assert [ref for ref, _ in waiting] == [bad] and "bad door" in waiting[0][1]
