"""Pushing and pulling the check-in log over real HTTP: verdicts, idempotency, conflicts, flags, bad input."""

from __future__ import annotations

import json

import httpx

from sync import wire
from sync.clock import utcnow
from tests.sync.server.support import checkin, minutes, roster_csv


def push(api, event_id, *items, expect=200):
    return api.data("post", f"/events/{event_id}/checkins", {"items": list(items)}, expect=expect)["results"]


def pull_all(api, event_id, cursor=0, limit=1000):
    items = []
    while True:
        page = api.data("get", f"/events/{event_id}/checkins", cursor=cursor, limit=limit)
        items += page["items"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return items, cursor


def stats(api, event_id):
    return api.data("get", f"/events/{event_id}/stats")


def test_accepted_then_retried_batch_changes_nothing(setup):
    ev, api = setup.event_id, setup.device
    items = [checkin(ev, "ADA-0001"), checkin(ev, "GRACE-0002"), checkin(ev, "NOPE-404", result="unknown_code")]
    first = push(api, ev, *items)
    assert [v["status"] for v in first] == ["accepted"] * 3
    assert all(not v["already_received"] and v["seq"] for v in first)
    assert first[2]["attendee_id"] is None  # a refused scan of an unknown code is kept, counts for no one
    before_log, before_cursor = pull_all(api, ev)
    before_stats = stats(api, ev)

    again = push(api, ev, *items)  # the reply was lost: the kiosk sends the same batch again
    assert [v["status"] for v in again] == ["accepted"] * 3
    assert all(v["already_received"] for v in again)
    assert [v["seq"] for v in again] == [v["seq"] for v in first]
    assert [v["received_at"] for v in again] == [v["received_at"] for v in first]
    after_log, after_cursor = pull_all(api, ev)
    assert after_log == before_log and after_cursor == before_cursor
    after_stats = stats(api, ev)
    before = (before_stats["arrived"], before_stats["duplicates"])
    assert (after_stats["arrived"], after_stats["duplicates"]) == before == (2, 0)


def test_same_id_with_other_content_is_rejected_and_not_stored(setup):
    ev, api = setup.event_id, setup.device
    item = checkin(ev, "ADA-0001")
    push(api, ev, item)
    forged = dict(item, ticket_code="GRACE-0002")
    verdict = push(api, ev, forged)[0]
    assert verdict["status"] == "rejected" and verdict["reason"]["code"] == "id_conflict"
    log, _ = pull_all(api, ev)
    assert [e["ticket_code"] for e in log] == ["ADA-0001"]


def test_item_for_another_event_is_rejected_alone(setup):
    ev, api = setup.event_id, setup.device
    verdicts = push(api, ev, checkin("evt-other", "ADA-0001"), checkin(ev, "GRACE-0002"))
    assert verdicts[0]["status"] == "rejected" and verdicts[0]["reason"]["code"] == "wrong_event"
    assert verdicts[1]["status"] == "accepted"


def test_two_doors_offline_one_arrival_one_flagged_duplicate(setup):
    ev = setup.event_id
    door2_id, door2 = setup.enroll("Door 2")
    t0 = utcnow() - minutes(30)
    at_door1 = checkin(ev, "ADA-0001", at=t0, device=setup.device_id)
    at_door2 = checkin(ev, "ADA-0001", at=t0 + minutes(2), device=door2_id, door="Door 2")
    assert push(setup.device, ev, at_door1)[0]["status"] == "accepted"
    verdict = push(door2, ev, at_door2)[0]
    assert verdict["status"] == "duplicate" and verdict["duplicate_of"] == at_door1["id"]
    figures = stats(setup.organizer, ev)
    assert figures["arrived"] == 1 and figures["duplicates"] == 1 and figures["inside"] == 1


def test_late_earlier_scan_flips_the_duplicate_and_bumps_seq(setup):
    ev = setup.event_id
    door2_id, door2 = setup.enroll("Door 2")
    t0 = utcnow() - minutes(30)
    later = checkin(ev, "ADA-0001", at=t0 + minutes(5), device=setup.device_id)
    earlier = checkin(ev, "ADA-0001", at=t0, device=door2_id, door="Door 2")
    first = push(setup.device, ev, later)[0]
    assert first["status"] == "accepted"
    log, cursor = pull_all(setup.device, ev)

    verdict = push(door2, ev, earlier)[0]  # door 2 was offline longer, but scanned first
    assert verdict["status"] == "accepted" and verdict["duplicate_of"] is None

    changed, _ = pull_all(setup.device, ev, cursor)  # a kiosk that already had `later` sees it again
    by_id = {e["id"]: e for e in changed}
    assert set(by_id) == {later["id"], earlier["id"]}
    assert by_id[later["id"]]["duplicate"] is True and by_id[later["id"]]["duplicate_of"] == earlier["id"]
    assert by_id[later["id"]]["seq"] > first["seq"] and by_id[later["id"]]["seq"] > cursor
    assert by_id[earlier["id"]]["duplicate"] is False
    retried = push(setup.device, ev, later)[0]  # and the retry of the old push tells the current truth
    assert retried["status"] == "duplicate" and retried["already_received"]
    figures = stats(setup.organizer, ev)
    assert figures["arrived"] == 1 and figures["duplicates"] == 1
    assert figures["per_door"] == [
        {"door": "Door 1", "arrivals": 0, "scans": 1}, {"door": "Door 2", "arrivals": 1, "scans": 1},
    ]


def test_exit_reentry_and_undo_follow_the_ledger(setup):
    ev, api = setup.event_id, setup.device
    t0 = utcnow() - minutes(60)
    entry = checkin(ev, "GRACE-0002", at=t0)
    out = checkin(ev, "GRACE-0002", at=t0 + minutes(10), kind="exit")
    back = checkin(ev, "GRACE-0002", at=t0 + minutes(20))
    verdicts = push(api, ev, entry, out, back)
    assert [v["status"] for v in verdicts] == ["accepted"] * 3  # re-entry after an exit is no duplicate
    assert stats(api, ev)["inside"] == 1
    undo = checkin(ev, "GRACE-0002", at=t0 + minutes(21), kind="undo", undoes=back["id"])
    assert push(api, ev, undo)[0]["status"] == "accepted"
    figures = stats(api, ev)
    assert figures["inside"] == 0 and figures["arrived"] == 1


def test_admitted_offline_after_central_cancellation_is_kept_and_flagged(setup):
    ev = setup.event_id
    initial = stats(setup.organizer, ev)
    cancelled = roster_csv([("Alan", "Turing", "alan@example.org", "ALAN-0003", "cancelled")])
    setup.organizer.data("post", f"/events/{ev}/roster", content=cancelled, headers={"Content-Type": "text/csv"})
    before = stats(setup.organizer, ev)
    assert before["expected"] == initial["expected"] - 1  # cancelled: no longer expected
    scan = checkin(ev, "ALAN-0003", at=utcnow())  # the kiosk had not pulled the cancellation yet
    verdict = push(setup.device, ev, scan)[0]
    assert verdict["status"] == "accepted" and verdict["flag"] == wire.FLAG_ADMITTED_WHILE_CANCELLED
    log, _ = pull_all(setup.device, ev)
    assert log[-1]["flag"] == wire.FLAG_ADMITTED_WHILE_CANCELLED and log[-1]["result"] == "admitted"
    after = stats(setup.organizer, ev)
    assert after["arrived"] == before["arrived"] + 1 and after["flagged"] == 1


def test_admitted_before_the_cancellation_is_not_flagged(setup):
    ev = setup.event_id
    scan = checkin(ev, "ALAN-0003", at=utcnow() - minutes(10))  # let in, then cancelled, then pushed
    cancelled = roster_csv([("Alan", "Turing", "alan@example.org", "ALAN-0003", "cancelled")])
    setup.organizer.data("post", f"/events/{ev}/roster", content=cancelled, headers={"Content-Type": "text/csv"})
    assert push(setup.device, ev, scan)[0]["flag"] == ""


def test_admitted_with_a_revoked_or_waitlisted_ticket_is_flagged(setup):
    ev = setup.event_id
    setup.organizer.data("post", f"/events/{ev}/revocations", {"ticket_code": "GRACE-0002", "reason": "refunded"})
    verdicts = push(setup.device, ev, checkin(ev, "GRACE-0002"), checkin(ev, "EDSGER-0004"))
    assert [v["flag"] for v in verdicts] == [wire.FLAG_ADMITTED_WHILE_REVOKED, wire.FLAG_ADMITTED_WHILE_WAITLISTED]


def test_single_item_form(setup):
    ev = setup.event_id
    item = checkin(ev, "EMILIE-0005")
    verdict = setup.device.data("post", f"/events/{ev}/checkin", item)
    assert verdict["status"] == "accepted" and verdict["id"] == item["id"]
    assert setup.device.data("post", f"/events/{ev}/checkin", item)["already_received"] is True


def test_pull_pages_by_cursor_in_seq_order(setup):
    ev, api = setup.event_id, setup.device
    t0 = utcnow() - minutes(100)
    items = [checkin(ev, f"RANDOM-{i:04d}", result="unknown_code", at=t0 + minutes(i)) for i in range(25)]
    push(api, ev, *items)
    log, cursor = pull_all(api, ev, limit=7)
    assert [e["id"] for e in log] == [i["id"] for i in items]
    seqs = [e["seq"] for e in log]
    assert seqs == sorted(seqs) and len(set(seqs)) == 25 and cursor == seqs[-1]
    page = api.data("get", f"/events/{ev}/checkins", cursor=cursor)
    assert page == {"items": [], "next_cursor": cursor, "has_more": False, "high_water_seq": page["high_water_seq"]}
    entry = log[0]
    assert entry["device_time"] == items[0]["device_time"] and entry["received_at"].endswith("Z")
    assert entry["device_id"] == "dev-a" and entry["operator"] == "sam" and entry["door"] == "Door 1"


def test_malformed_batches_are_refused_with_reasons_and_store_nothing(setup):
    ev, api = setup.event_id, setup.device
    good = checkin(ev, "ADA-0001")
    cases = [
        {"items": [dict(good, kind="teleport")]},
        {"items": [dict(good, device_time="yesterday")]},
        {"items": [dict(good, sneaky="field")]},
        {"items": [{k: v for k, v in good.items() if k != "device_id"}]},
        {"items": [dict(good, id="not-a-uuid")]},
        {"items": [dict(good, door="D" * 101)]},
        {"items": [checkin(ev, "ADA-0001") for _ in range(wire.MAX_BATCH_ITEMS + 1)]},
        {"items": []},
        {"items": "everything"},
        [good],
    ]
    for body in cases:
        status, reply = api.post(f"/events/{ev}/checkins", body)
        assert status == 422, body
        assert reply["success"] is False and reply["error"]["code"] == "validation_error"
        assert reply["error"]["message"].startswith("The request is malformed")
        assert reply["error"]["details"] and reply["meta"]["server_time"]
    status, reply = api.post(
        f"/events/{ev}/checkins", content=b'{"items": [', headers={"Content-Type": "application/json"}
    )
    assert status == 422 and reply["error"]["message"] == "The request body is not valid JSON."
    assert pull_all(api, ev)[0] == []


def test_oversized_body_is_refused_with_413(setup):
    ev = setup.event_id
    huge = json.dumps({"items": [checkin(ev, "ADA-0001", result="x" * 32)] * 100, "pad": "x" * (6 * 1024 * 1024)})
    response = httpx.post(
        f"{setup.server.url}/api/v1/events/{ev}/checkins", content=huge.encode(), timeout=30,
        headers={"Authorization": setup.device.http.headers["Authorization"], "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"

    def chunks():  # no Content-Length: the limit holds while the body streams in
        for _ in range(7):
            yield b" " * (1024 * 1024)

    response = httpx.post(
        f"{setup.server.url}/api/v1/events/{ev}/checkins", content=chunks(), timeout=30,
        headers={"Authorization": setup.device.http.headers["Authorization"], "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    # The server is still serving (the route is /health, not /api/v1/health).
    assert setup.device.get("/health")[0] == 404


def test_a_full_batch_of_1000_is_accepted(setup):
    ev, api = setup.event_id, setup.device
    t0 = utcnow() - minutes(200)
    items = [checkin(ev, "ADA-0001" if i % 2 else "GRACE-0002", at=t0 + minutes(i * 0.1)) for i in range(1000)]
    verdicts = push(api, ev, *items)
    assert len(verdicts) == 1000
    assert sum(v["status"] == "accepted" for v in verdicts) == 2  # the first entry of each
    assert sum(v["status"] == "duplicate" for v in verdicts) == 998
    assert stats(api, ev)["duplicates"] == 998


def test_a_scan_is_stored_under_the_device_of_the_token_that_pushed_it(setup):
    ev = setup.event_id
    door2_id, door2 = setup.enroll("Door 2")
    forged = checkin(ev, "ADA-0001", device=door2_id)  # dev-a pretends to be the kiosk at Door 2
    assert push(setup.device, ev, forged)[0]["status"] == "accepted"
    honest = checkin(ev, "GRACE-0002", device=door2_id)
    push(door2, ev, honest)
    by_id = {entry["id"]: entry["device_id"] for entry in pull_all(setup.organizer, ev)[0]}
    assert by_id == {forged["id"]: setup.device_id, honest["id"]: door2_id}
    # A retry is still the same scan, from whichever token (a kiosk enrolled again has a new one).
    assert push(setup.device, ev, forged)[0]["already_received"] is True
    assert push(door2, ev, forged)[0]["already_received"] is True
    assert {entry["id"]: entry["device_id"] for entry in pull_all(setup.organizer, ev)[0]} == by_id
    door2.close()
