"""The check-in decision: scan, manual check-in, undo and lookup, against the replica.

Every scan is appended to the log, and queued for sync, in the same
transaction that makes the decision; the decision is returned only after that
transaction has committed. Nothing here touches Qt.

The scan path speaks plain SQL through the replica's named queries
(``sync.replica.queries``) on the session's own SQLite connection: building
SQLAlchemy statements cost several milliseconds per scan, the statements
themselves a fraction of one.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from kiosk.core.payload import ScannedPayload, parse
from kiosk.core.results import AttendeeView, Decision, FirstCheckin, Result
from sync import limits, outbox, wire
from sync.clock import utcnow
from sync.ledger import ADMITTED, ADMITTED_OVERRIDE, EXITED, refresh_attendee, replay
from sync.replica import Replica
from sync.replica.models import Attendee
from sync.replica.queries import Db, attendees, checkins, events, raw, revoked_tickets
from sync.replica.queries.attendees import AttendeeRow
from sync.tickets import TicketVerifier

__all__ = ["ENTRY", "EXIT", "OVERRIDABLE", "UNDO", "AttendeeRow", "CheckinDesk", "LookupOutcome", "Resolution",
           "ScanHistoryItem", "UndoOutcome", "current_event_id", "override_reason"]

ENTRY = "entry"
EXIT = "exit"
UNDO = "undo"
# The refusals a supervisor may override with a forced check-in (a revoked ticket stays refused).
OVERRIDABLE = frozenset((Result.WAITLISTED, Result.CANCELLED))


def override_reason(reason: str | None) -> str:
    """A forced check-in's reason, trimmed; ValueError when it is empty or too long."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValueError("Say why this guest is let in anyway: the reason is logged for the organizer.")
    if len(reason) > limits.MAX_OVERRIDE_REASON_CHARS:
        raise ValueError(f"The reason is too long: at most {limits.MAX_OVERRIDE_REASON_CHARS} characters.")
    return reason


def current_event_id(replica: Replica) -> str | None:
    return replica.get_state("event_id")


@dataclass(frozen=True)
class Resolution:
    """A payload resolved against the roster: an attendee, or why there is none."""

    attendee: AttendeeRow | Attendee | None  # or an ORM row just added (a signed ticket's attendee)
    refusal: Result | None = None
    reason: str = ""


@dataclass(frozen=True)
class ScanHistoryItem:
    id: str
    kind: str
    result: str
    time: datetime
    door: str
    duplicate: bool
    undone: bool
    reason: str | None = None  # a forced check-in's


@dataclass(frozen=True)
class LookupOutcome:
    attendee: AttendeeView | None
    refusal: Result | None
    reason: str
    first_checkin: FirstCheckin | None
    history: list[ScanHistoryItem]


@dataclass(frozen=True)
class UndoOutcome:
    undone: bool
    reason: str
    attendee: AttendeeView | None = None
    undo_id: str | None = None


class CheckinDesk:
    """The rules of one door of one event, over one replica."""

    def __init__(
        self,
        replica: Replica,
        *,
        door: str = "",
        operator: str = "",
        clock: Callable[[], datetime] = utcnow,
        ticket_verifier=None,
    ):
        self.replica = replica
        self.door = door
        self.operator = operator
        self.clock = clock
        self.device_id = replica.device_id
        # Signed tickets (sync.tickets) validate offline against the replica's keys.
        self.ticket_verifier = ticket_verifier or TicketVerifier()
        self.event_id = current_event_id(replica)
        self._zone = self._event_zone()

    # ---- public operations -------------------------------------------------

    def scan(self, raw_payload: str | bytes | None, direction: str = ENTRY) -> Decision:
        """Decide on a scanned payload and record the scan, durably, before returning."""
        payload = parse(raw_payload)
        with self.replica.session() as s:
            db = raw(s)
            resolution = self._resolve(s, db, payload)
            return self.decide_in(db, resolution, direction, payload.text)

    def checkin_attendee(self, attendee_id: str, direction: str = ENTRY) -> Decision:
        """A check-in by hand from the staff desk: the same rules as a scan."""
        with self.replica.session() as s:
            db = raw(s)
            attendee = attendees.by_id(db, attendee_id)
            if attendee is None or attendee.event_id != self.event_id:
                resolution = Resolution(None, Result.UNKNOWN_CODE, "No such attendee.")
            else:
                resolution = self._check_status(db, self._canonical(db, attendee))
            return self.decide_in(db, resolution, direction, attendee.ticket_code if attendee else "")

    def force_checkin(self, attendee_id: str, reason: str) -> Decision:
        """A supervisor lets in a guest the door rules refuse (waitlisted, cancelled), saying why.

        The entry is logged as ``admitted_override`` with the reason, flagged for the
        organizer, and counts as an arrival everywhere (sync.ledger). Someone already
        inside gets the usual amber answer; a guest the rules admit is simply admitted
        (nothing is overridden, so no reason is kept). ValueError for an empty reason.
        """
        reason = override_reason(reason)
        with self.replica.session() as s:
            db = raw(s)
            attendee = attendees.by_id(db, attendee_id)
            if attendee is None or attendee.event_id != self.event_id:
                resolution = Resolution(None, Result.UNKNOWN_CODE, "No such attendee.")
            else:
                resolution = self._check_status(db, self._canonical(db, attendee))
                if resolution.refusal in OVERRIDABLE:
                    if not resolution.attendee.inside:
                        return self._admit_override(db, resolution.attendee, reason)
                    resolution = Resolution(resolution.attendee)  # inside already: amber, as at the door
            return self.decide_in(db, resolution, ENTRY, attendee.ticket_code if attendee else "")

    def _admit_override(self, db: sqlite3.Connection, attendee, reason: str) -> Decision:
        checkin_id = self._append(db, attendee, ENTRY, ADMITTED_OVERRIDE, attendee.ticket_code, reason=reason)
        state = refresh_attendee(db, attendee.id)
        view = replace(AttendeeView.of(attendee), inside=state.inside, checked_in=state.arrival_id is not None)
        first = self._checkin_time_and_door(db, state.arrival_id)
        return Decision(Result.ADMITTED_OVERRIDE, f"Welcome, {attendee.first_name}! Let in anyway: {reason}",
                        view, first, checkin_id, ENTRY)

    def undo(self, raw_payload: str | bytes | None) -> UndoOutcome:
        """Take back the attendee's latest entry or exit with a compensating event."""
        payload = parse(raw_payload)
        with self.replica.session() as s:
            db = raw(s)
            resolution = self._resolve(s, db, payload)
            if resolution.attendee is None:
                return UndoOutcome(False, resolution.reason)
            return self._undo_latest(db, resolution.attendee)

    def undo_attendee(self, attendee_id: str) -> UndoOutcome:
        with self.replica.session() as s:
            db = raw(s)
            attendee = attendees.by_id(db, attendee_id)
            if attendee is None:
                return UndoOutcome(False, "No such attendee.")
            return self._undo_latest(db, self._canonical(db, attendee))

    def lookup(self, raw_payload: str | bytes | None) -> LookupOutcome:
        """Everything known about a ticket, without checking it in or logging a scan."""
        payload = parse(raw_payload)
        with self.replica.session(write=False) as s:
            db = raw(s)
            resolution = self._resolve(s, db, payload)
            if resolution.attendee is None:
                return LookupOutcome(None, resolution.refusal, resolution.reason, None, [])
            return self._lookup_attendee(db, resolution)

    def lookup_attendee(self, attendee_id: str) -> LookupOutcome:
        with self.replica.session(write=False) as s:
            db = raw(s)
            attendee = attendees.by_id(db, attendee_id)
            if attendee is None:
                return LookupOutcome(None, Result.UNKNOWN_CODE, "No such attendee.", None, [])
            return self._lookup_attendee(db, self._check_status(db, self._canonical(db, attendee)))

    # ---- resolution --------------------------------------------------------

    def _resolve(self, s: Session, db: sqlite3.Connection, payload: ScannedPayload) -> Resolution:
        if self.event_id is None:
            return Resolution(None, Result.NO_EVENT, "No event is loaded on this kiosk.")
        if payload.problem:
            return Resolution(None, Result.MALFORMED, payload.problem)
        if payload.signed:
            return self._resolve_signed(s, db, payload.signed)
        attendee = self._by_code(db, payload.code)
        if attendee is None:
            if attendees.code_in_any_event(db, payload.code):
                return Resolution(None, Result.WRONG_EVENT, "This ticket is for another event.")
            return Resolution(None, Result.UNKNOWN_CODE, "This code is not on the guest list.")
        return self._check_status(db, self._canonical(db, attendee))

    def _by_code(self, db: sqlite3.Connection, code: str) -> AttendeeRow | None:
        attendee = attendees.by_code(db, self.event_id, code)
        if attendee is None and code != code.upper():
            # Hand scanners with caps lock on, or codes typed by hand in lower case.
            attendee = attendees.by_code(db, self.event_id, code.upper())
        return attendee

    def _resolve_signed(self, s: Session, db: sqlite3.Connection, signed: str) -> Resolution:
        verdict = self.ticket_verifier.verify(s, signed, self.event_id)
        if verdict.refusal is not None:
            # sync.tickets speaks plain codes (it cannot import kiosk); they are Result values.
            try:
                refusal = Result(verdict.refusal)
            except ValueError:
                refusal = Result.INVALID_SIGNATURE
            return Resolution(None, refusal, verdict.reason)
        attendee = self._by_code(db, verdict.ticket.code)
        if attendee is None:
            attendee = self.ticket_verifier.add_to_roster(s, verdict.ticket, self.clock())
        return self._check_status(db, self._canonical(db, attendee))

    @staticmethod
    def _canonical(db: sqlite3.Connection, attendee):
        """Follow a walk-in the server merged into an existing RSVP."""
        for _ in range(5):  # merges are one level deep; the bound guards against loops
            if not attendee.merged_into_id:
                break
            target = attendees.by_id(db, attendee.merged_into_id)
            if target is None:
                break
            attendee = target
        return attendee

    @staticmethod
    def _check_status(db: sqlite3.Connection, attendee) -> Resolution:
        if revoked_tickets.is_revoked(db, attendee.event_id, attendee.ticket_code):
            return Resolution(attendee, Result.REVOKED, "This ticket has been revoked.")
        if attendee.status == "cancelled":
            return Resolution(attendee, Result.CANCELLED, "This ticket was cancelled.")
        if attendee.status == "waitlisted":
            return Resolution(attendee, Result.WAITLISTED, "On the waiting list, not confirmed: ask the organizer.")
        return Resolution(attendee)

    # ---- decision and log --------------------------------------------------

    def decide_in(self, s: Db, resolution: Resolution, direction: str, scanned: str) -> Decision:
        """Decide and append the scan to the log inside the caller's transaction
        (``s``: its session, or the sqlite3 connection under it)."""
        if direction not in (ENTRY, EXIT):
            raise ValueError(f"direction must be entry or exit, not {direction!r}")
        db = raw(s)
        attendee = resolution.attendee
        first = None
        if resolution.refusal is not None:
            result, reason = resolution.refusal, resolution.reason
        elif direction == ENTRY:
            if attendee.inside:
                result = Result.ALREADY_CHECKED_IN
                first = self._first_checkin(db, attendee)
                reason = "Already checked in" + (self._at(first) if first else ".")
            else:
                result = Result.ADMITTED
                reason = "Welcome back!" if attendee.arrival_id else f"Welcome, {attendee.first_name}!"
        else:
            if attendee.inside:
                result, reason = Result.EXITED, f"Goodbye, {attendee.first_name}."
            else:
                result, reason = Result.NOT_INSIDE, "Not checked in: there is nothing to check out."
        if self.event_id is None:
            # No event: nothing to log against; the refusal says why.
            return Decision(result, reason, direction=direction)

        checkin_id = self._append(db, attendee, direction, result.value, scanned)
        view = None
        if attendee is not None:
            state = refresh_attendee(db, attendee.id)
            view = replace(AttendeeView.of(attendee), inside=state.inside, checked_in=state.arrival_id is not None)
            if result == Result.ADMITTED and first is None:
                first = self._checkin_time_and_door(db, state.arrival_id)
        return Decision(result, reason, view, first, checkin_id, direction)

    def _append(self, db: sqlite3.Connection, attendee, kind: str, result: str, scanned: str,
                undoes_id: str | None = None, reason: str | None = None) -> str:
        """Append one scan to the log and queue it for sync; returns its UUID.

        The scan is built once, as the wire item the server will receive; the log
        row is that item with the code as scanned.
        """
        scanned = scanned[:128]
        item = outbox.new_checkin_item(
            id=str(uuid.uuid4()),
            event_id=self.event_id,
            attendee_id=attendee.id if attendee else None,
            ticket_code=(attendee.ticket_code if attendee else None) or scanned,
            kind=kind,
            result=result,
            undoes_id=undoes_id,
            device_id=self.device_id,
            door=self.door,
            operator=self.operator,
            device_time=self.clock(),
            reason=reason,
        )
        flag = wire.FLAG_ADMITTED_OVERRIDE if result == ADMITTED_OVERRIDE else ""
        checkins.insert_scan(db, item, scanned, flag)
        outbox.enqueue(db, outbox.CHECKIN, item.id, item)
        return item.id

    def _first_checkin(self, db: sqlite3.Connection, attendee) -> FirstCheckin | None:
        return self._checkin_time_and_door(db, attendees.arrival_id(db, attendee.id))

    @staticmethod
    def _checkin_time_and_door(db: sqlite3.Connection, checkin_id: str | None) -> FirstCheckin | None:
        if checkin_id is None:
            return None
        found = checkins.time_and_door(db, checkin_id)
        return FirstCheckin(*found) if found else None

    def _at(self, first: FirstCheckin) -> str:
        local = first.time.replace(tzinfo=timezone.utc).astimezone(self._zone)
        where = f" at {first.door}" if first.door else ""
        return f" at {local:%H:%M}{where}."

    def _event_zone(self):
        if self.event_id is None:
            return timezone.utc
        with self.replica.session(write=False) as s:
            name = events.timezone_of(s, self.event_id)
        try:
            return ZoneInfo(name) if name else timezone.utc
        except (ZoneInfoNotFoundError, ValueError):
            return timezone.utc

    def _undo_latest(self, db: sqlite3.Connection, attendee) -> UndoOutcome:
        scans = checkins.scans_of(db, attendee.id)
        target_id = replay(scans).last_effective_id
        if target_id is None:
            return UndoOutcome(False, f"{attendee.first_name} has no check-in to undo.", AttendeeView.of(attendee))
        target_result = next(scan.result for scan in scans if scan.id == target_id)
        undo_id = self._append(db, attendee, UNDO, "undone", attendee.ticket_code, undoes_id=target_id)
        state = refresh_attendee(db, attendee.id)
        view = replace(AttendeeView.of(attendee), inside=state.inside, checked_in=state.arrival_id is not None)
        what = ("check-in" if target_result in (ADMITTED, ADMITTED_OVERRIDE)
                else "check-out" if target_result == EXITED else "scan")
        return UndoOutcome(True, f"Undid the {what} of {view.full_name}.", view, undo_id)

    def _lookup_attendee(self, db: sqlite3.Connection, resolution: Resolution) -> LookupOutcome:
        attendee = resolution.attendee
        scans = checkins.history(db, attendee.id)
        undone = {scan.undoes_id for scan in scans if scan.undoes_id}
        history = [
            ScanHistoryItem(scan.id, scan.kind, scan.result, scan.device_time, scan.door, scan.duplicate,
                            scan.id in undone, scan.reason)
            for scan in scans
        ]
        if resolution.refusal is None:
            reason = ("Inside now." if attendee.inside
                      else "Checked in, left since." if attendee.arrival_id else "Not checked in yet.")
        else:
            reason = resolution.reason
        return LookupOutcome(
            AttendeeView.of(attendee), resolution.refusal, reason, self._first_checkin(db, attendee), history
        )
