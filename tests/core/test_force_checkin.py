"""A supervisor's forced check-in: a refused guest let in anyway, with a reason, logged, counted, flagged."""

import json

import pytest
from sqlalchemy import select

from kiosk.core.desk import CheckinDesk
from kiosk.core.results import Result
from kiosk.core.stats import replica_stats
from sync import limits, wire
from sync.ledger import ADMITTED_OVERRIDE
from sync.replica.models import Attendee, Checkin, OutboxItem


def attendee_id(replica, code):
    with replica.session(write=False) as s:
        return s.scalar(select(Attendee.id).where(Attendee.ticket_code == code))


def log_rows(replica):
    with replica.session(write=False) as s:
        return s.scalars(select(Checkin).order_by(Checkin.device_time)).all()


@pytest.mark.parametrize("code", ["EDSGER-0004", "ALAN-0003"])  # waitlisted, cancelled
def test_a_refused_guest_is_let_in_logged_with_the_reason_flagged_and_counted(desk, roster_replica, code):
    assert desk.scan(code).result in (Result.WAITLISTED, Result.CANCELLED)
    decision = desk.force_checkin(attendee_id(roster_replica, code), "  Speaker,   confirmed by Jo ")
    assert decision.result == Result.ADMITTED_OVERRIDE and decision.colour == "green"
    assert decision.attendee.inside and decision.attendee.checked_in
    assert "Speaker, confirmed by Jo" in decision.reason and decision.first_checkin.door == "Door 1"

    forced = log_rows(roster_replica)[-1]
    assert (forced.kind, forced.result, forced.reason) == ("entry", ADMITTED_OVERRIDE, "Speaker, confirmed by Jo")
    assert forced.flag == wire.FLAG_ADMITTED_OVERRIDE and forced.id == decision.checkin_id
    with roster_replica.session(write=False) as s:
        queued = json.loads(s.scalars(select(OutboxItem.payload_json).order_by(OutboxItem.id.desc())).first())
    wire.CheckinItem.model_validate(queued)
    assert queued["result"] == ADMITTED_OVERRIDE and queued["reason"] == "Speaker, confirmed by Jo"

    stats = replica_stats(roster_replica)
    assert stats["arrived"] == 1 and stats["inside"] == 1 and stats["overrides"] == 1
    # The door still refuses the ticket on a later entry: inside already, amber.
    assert desk.scan(code).result in (Result.WAITLISTED, Result.CANCELLED)
    history = desk.lookup_attendee(forced.attendee_id).history
    assert [(h.result, h.reason) for h in history][-2] == (ADMITTED_OVERRIDE, "Speaker, confirmed by Jo")


def test_a_forced_guest_leaves_and_an_undo_takes_the_override_back(desk, roster_replica):
    edsger = attendee_id(roster_replica, "EDSGER-0004")
    desk.force_checkin(edsger, "VIP")
    undone = desk.undo_attendee(edsger)
    assert undone.undone and undone.reason == "Undid the check-in of Edsger Dijkstra."
    stats = replica_stats(roster_replica)
    assert stats["arrived"] == 0 and stats["overrides"] == 0


def test_already_inside_is_amber_and_nothing_is_overridden(desk, roster_replica, clock):
    edsger = attendee_id(roster_replica, "EDSGER-0004")
    desk.force_checkin(edsger, "VIP")
    other_desk = CheckinDesk(roster_replica, door="Door 2", clock=clock)
    again = other_desk.force_checkin(edsger, "VIP again")
    assert again.result == Result.ALREADY_CHECKED_IN and again.colour == "amber"
    assert "Door 1" in again.reason
    assert replica_stats(roster_replica)["overrides"] == 1
    assert log_rows(roster_replica)[-1].reason is None


def test_an_empty_or_too_long_reason_is_refused_and_nothing_is_logged(desk, roster_replica):
    edsger = attendee_id(roster_replica, "EDSGER-0004")
    for reason in ("", "   ", None):
        with pytest.raises(ValueError, match="Say why"):
            desk.force_checkin(edsger, reason)
    with pytest.raises(ValueError, match="too long"):
        desk.force_checkin(edsger, "x" * (limits.MAX_OVERRIDE_REASON_CHARS + 1))
    assert log_rows(roster_replica) == []
    assert desk.force_checkin(edsger, "x" * limits.MAX_OVERRIDE_REASON_CHARS).result == Result.ADMITTED_OVERRIDE


def test_a_confirmed_guest_is_simply_admitted_and_an_unknown_one_refused(desk, roster_replica):
    decision = desk.force_checkin(attendee_id(roster_replica, "ADA-0001"), "no need")
    assert decision.result == Result.ADMITTED and log_rows(roster_replica)[-1].reason is None
    assert desk.force_checkin("no-such-id", "who?").result == Result.UNKNOWN_CODE
    assert replica_stats(roster_replica)["overrides"] == 0
