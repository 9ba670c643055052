import json

import pytest
from sqlalchemy import func, select

from kiosk.core.desk import CheckinDesk
from kiosk.core.results import Result
from sync.replica.models import Attendee, Checkin, OutboxItem
from tests.core.conftest import add_attendees, add_event


def log_rows(replica):
    with replica.session(write=False) as s:
        return s.scalars(select(Checkin).order_by(Checkin.device_time)).all()


def outbox_rows(replica):
    with replica.session(write=False) as s:
        return s.scalars(select(OutboxItem).order_by(OutboxItem.id)).all()


def test_admitted_then_already_checked_in_with_first_arrival(desk, roster_replica):
    first = desk.scan("ADA-0001")
    assert first.result == Result.ADMITTED and first.colour == "green"
    assert first.attendee.full_name == "Ada Lovelace"
    assert first.attendee.inside and first.attendee.checked_in

    other_door = CheckinDesk(roster_replica, door="Door 2", clock=desk.clock)
    again = other_door.scan("ADA-0001")
    assert again.result == Result.ALREADY_CHECKED_IN and again.colour == "amber"
    assert again.first_checkin.door == "Door 1"
    assert again.first_checkin.time == log_rows(roster_replica)[0].device_time
    assert "Door 1" in again.reason and again.first_checkin.time.strftime("%H:%M") in again.reason


@pytest.mark.parametrize(
    "payload, result, colour",
    [
        ("ALAN-0003", Result.CANCELLED, "red"),
        ("EDSGER-0004", Result.WAITLISTED, "amber"),
        ("NOPE-9999", Result.UNKNOWN_CODE, "red"),
        ("", Result.MALFORMED, "red"),
        ("has spaces in it", Result.MALFORMED, "red"),
    ],
)
def test_refusals(desk, payload, result, colour):
    decision = desk.scan(payload)
    assert decision.result == result
    assert decision.colour == colour
    assert decision.reason
    assert not decision.result.ok


def test_wrong_event(desk, roster_replica):
    add_event(roster_replica, "evt-2", "Other event", make_current=False)
    add_attendees(roster_replica, [("Bob", "Other", "bob@example.org", "BOB-0001", "confirmed")], event_id="evt-2")
    assert desk.scan("BOB-0001").result == Result.WRONG_EVENT


def test_no_event_loaded(replica):
    decision = CheckinDesk(replica).scan("ADA-0001")
    assert decision.result == Result.NO_EVENT
    assert log_rows(replica) == []


def test_lower_case_code_from_a_hand_scanner_with_caps_lock(desk):
    assert desk.scan("ada-0001").result == Result.ADMITTED


def test_every_scan_is_logged_and_queued_in_the_same_transaction(desk, roster_replica):
    desk.scan("ADA-0001")
    desk.scan("NOPE-9999")
    desk.scan("ADA-0001")
    rows = log_rows(roster_replica)
    assert [r.result for r in rows] == ["admitted", "unknown_code", "already_checked_in"]
    assert all(r.door == "Door 1" and r.operator == "sam" and r.device_id for r in rows)
    queued = outbox_rows(roster_replica)
    assert [q.ref_id for q in queued] == [r.id for r in rows]
    item = json.loads(queued[0].payload_json)
    assert item["ticket_code"] == "ADA-0001" and item["kind"] == "entry" and item["result"] == "admitted"


def test_exit_and_inside(desk):
    assert desk.scan("GRACE-0002", "exit").result == Result.NOT_INSIDE
    assert desk.scan("GRACE-0002").result == Result.ADMITTED
    out = desk.scan("GRACE-0002", "exit")
    assert out.result == Result.EXITED and not out.attendee.inside
    back = desk.scan("GRACE-0002")
    assert back.result == Result.ADMITTED and back.attendee.inside
    assert back.reason == "Welcome back!"


def test_undo_is_a_compensating_event(desk, roster_replica):
    desk.scan("ADA-0001")
    outcome = desk.undo("ADA-0001")
    assert outcome.undone and "Ada Lovelace" in outcome.reason
    assert not outcome.attendee.inside and not outcome.attendee.checked_in
    rows = log_rows(roster_replica)
    assert [r.kind for r in rows] == ["entry", "undo"]  # nothing deleted
    assert rows[1].undoes_id == rows[0].id
    # Admitted afresh, as a first arrival.
    assert desk.scan("ADA-0001").result == Result.ADMITTED
    assert not desk.undo("GRACE-0002").undone  # nothing to undo
    assert not desk.undo("NOPE-9999").undone


def test_undo_an_exit_puts_them_back_inside(desk):
    desk.scan("ADA-0001")
    desk.scan("ADA-0001", "exit")
    desk.undo("ADA-0001")
    assert desk.lookup("ADA-0001").attendee.inside


def test_lookup_does_not_check_in(desk, roster_replica):
    found = desk.lookup("ADA-0001")
    assert found.attendee.full_name == "Ada Lovelace" and found.refusal is None
    assert found.reason == "Not checked in yet."
    assert log_rows(roster_replica) == [] and outbox_rows(roster_replica) == []
    desk.scan("ADA-0001")
    found = desk.lookup("ADA-0001")
    assert found.reason == "Inside now." and len(found.history) == 1
    assert desk.lookup("ALAN-0003").refusal == Result.CANCELLED
    assert desk.lookup("NOPE").attendee is None


def test_manual_checkin_by_attendee_id(desk, roster_replica):
    with roster_replica.session(write=False) as s:
        grace_id = s.scalar(select(Attendee.id).where(Attendee.ticket_code == "GRACE-0002"))
    assert desk.checkin_attendee(grace_id).result == Result.ADMITTED
    assert desk.checkin_attendee(grace_id).result == Result.ALREADY_CHECKED_IN
    assert desk.undo_attendee(grace_id).undone
    assert desk.checkin_attendee("no-such-id").result == Result.UNKNOWN_CODE


def test_merged_walkin_code_resolves_to_the_canonical_attendee(desk, roster_replica):
    add_attendees(roster_replica, [("Ada", "L", "ada@example.org", "W-DUPLICATE", "confirmed")])
    with roster_replica.session() as s:
        ada = s.scalar(select(Attendee).where(Attendee.ticket_code == "ADA-0001"))
        dup = s.scalar(select(Attendee).where(Attendee.ticket_code == "W-DUPLICATE"))
        dup.merged_into_id = ada.id
    assert desk.scan("W-DUPLICATE").attendee.ticket_code == "ADA-0001"
    assert desk.scan("ADA-0001").result == Result.ALREADY_CHECKED_IN


HOSTILE = [
    "A" * 100_000,
    b"\x00\xff\xfe\x80binary\x00",
    "ADA-0001\x00\x1b[31m",
    "\u202eADA-0001",
    "'; DROP TABLE attendees; --",
    "ADA-0001' OR '1'='1",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 💥 ticket",
    "CK1.garbage.garbage",
    "ＡＤＡ－０００１",
    "\n\r\t",
    None,
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_payloads_never_raise_and_never_admit_by_accident(desk, roster_replica, payload):
    decision = desk.scan(payload)
    assert decision.reason
    if decision.result == Result.ADMITTED:
        # Only a payload that cleans to a real code may be admitted.
        assert decision.attendee.ticket_code == "ADA-0001"
    with roster_replica.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Attendee)) == 5  # nothing dropped
        for row in s.scalars(select(Checkin)):
            assert len(row.scanned_code) <= 128


def test_control_characters_are_stripped_from_a_real_code(desk):
    assert desk.scan("ADA-0001\x00\x07").result == Result.ADMITTED


def test_the_decision_is_committed_before_it_is_returned(desk, roster_replica):
    decision = desk.scan("ADA-0001")
    # A second, independent connection sees it at once.
    import sqlite3

    conn = sqlite3.connect(roster_replica.path)
    try:
        stored = conn.execute("select result from checkins where id = ?", (decision.checkin_id,)).fetchone()
        assert stored == ("admitted",)
        assert conn.execute("select count(*) from outbox where ref_id = ?", (decision.checkin_id,)).fetchone() == (1,)
    finally:
        conn.close()
