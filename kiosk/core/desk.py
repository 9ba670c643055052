"""The check-in decision: scan, manual check-in, undo and lookup, against the replica.

Every scan is appended to the log, and queued for sync, in the same
transaction that makes the decision; the decision is returned only after that
transaction has committed. Nothing here touches Qt.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Callable, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from kiosk.core.payload import ScannedPayload, parse
from kiosk.core.results import AttendeeView, Decision, FirstCheckin, Result
from sync import outbox
from sync.clock import from_sqlite, to_sqlite, utcnow
from sync.ledger import ADMITTED, EXITED, refresh_attendee, replay
from sync.replica import Replica
from sync.replica.models import Attendee, Event
from sync.tickets import TicketVerifier

ENTRY = "entry"
EXIT = "exit"
UNDO = "undo"


class AttendeeRow(NamedTuple):
    """An attendee as the scan path reads it (plain SQL, see `_db`)."""

    id: str
    event_id: str
    first_name: str
    last_name: str
    email: str | None
    status: str
    ticket_code: str
    ticket_type: str
    plus_ones: int
    is_walkin: bool
    merged_into_id: str | None
    inside: bool
    arrival_id: str | None


SELECT_ATTENDEE = f"SELECT {', '.join(AttendeeRow._fields)} FROM attendees WHERE "
LOG_COLUMNS = ("id", "event_id", "attendee_id", "scanned_code", "kind", "result", "undoes_id", "device_id",
               "door", "operator", "device_time", "duplicate", "flag")
INSERT_LOG = f"INSERT INTO checkins ({', '.join(LOG_COLUMNS)}) VALUES ({', '.join('?' * len(LOG_COLUMNS))})"


def _db(s: Session) -> sqlite3.Connection:
    """The session's own SQLite connection, inside its transaction.

    The scan path speaks plain SQL: building SQLAlchemy statements cost several
    milliseconds per scan, the statements themselves a fraction of one.
    """
    return s.connection().connection.dbapi_connection


def current_event_id(replica: Replica) -> str | None:
    return replica.get_state("event_id")


@dataclass(frozen=True)
class Resolution:
    """A payload resolved against the roster: an attendee, or why there is none."""

    attendee: AttendeeRow | Attendee | None  # or an ORM object just flushed (walk-ins)
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

    def scan(self, raw: str | bytes | None, direction: str = ENTRY) -> Decision:
        """Decide on a scanned payload and record the scan, durably, before returning."""
        payload = parse(raw)
        with self.replica.session() as s:
            resolution = self._resolve(s, payload)
            return self.decide_in(s, resolution, direction, payload.text)

    def checkin_attendee(self, attendee_id: str, direction: str = ENTRY) -> Decision:
        """A check-in by hand from the staff desk: the same rules as a scan."""
        with self.replica.session() as s:
            attendee = self._attendee(s, "id = ?", attendee_id)
            if attendee is None or attendee.event_id != self.event_id:
                resolution = Resolution(None, Result.UNKNOWN_CODE, "No such attendee.")
            else:
                resolution = self._check_status(s, self._canonical(s, attendee))
            return self.decide_in(s, resolution, direction, attendee.ticket_code if attendee else "")

    def undo(self, raw: str | bytes | None) -> UndoOutcome:
        """Take back the attendee's latest entry or exit with a compensating event."""
        payload = parse(raw)
        with self.replica.session() as s:
            resolution = self._resolve(s, payload)
            if resolution.attendee is None:
                return UndoOutcome(False, resolution.reason)
            return self._undo_latest(s, resolution.attendee)

    def undo_attendee(self, attendee_id: str) -> UndoOutcome:
        with self.replica.session() as s:
            attendee = self._attendee(s, "id = ?", attendee_id)
            if attendee is None:
                return UndoOutcome(False, "No such attendee.")
            return self._undo_latest(s, self._canonical(s, attendee))

    def lookup(self, raw: str | bytes | None) -> LookupOutcome:
        """Everything known about a ticket, without checking it in or logging a scan."""
        payload = parse(raw)
        with self.replica.session(write=False) as s:
            resolution = self._resolve(s, payload)
            if resolution.attendee is None:
                return LookupOutcome(None, resolution.refusal, resolution.reason, None, [])
            return self._lookup_attendee(s, resolution)

    def lookup_attendee(self, attendee_id: str) -> LookupOutcome:
        with self.replica.session(write=False) as s:
            attendee = self._attendee(s, "id = ?", attendee_id)
            if attendee is None:
                return LookupOutcome(None, Result.UNKNOWN_CODE, "No such attendee.", None, [])
            return self._lookup_attendee(s, self._check_status(s, self._canonical(s, attendee)))

    # ---- resolution --------------------------------------------------------

    def _resolve(self, s: Session, payload: ScannedPayload) -> Resolution:
        if self.event_id is None:
            return Resolution(None, Result.NO_EVENT, "No event is loaded on this kiosk.")
        if payload.problem:
            return Resolution(None, Result.MALFORMED, payload.problem)
        if payload.signed:
            return self._resolve_signed(s, payload.signed)
        attendee = self._by_code(s, payload.code)
        if attendee is None:
            if _db(s).execute("SELECT 1 FROM attendees WHERE ticket_code = ? LIMIT 1", (payload.code,)).fetchone():
                return Resolution(None, Result.WRONG_EVENT, "This ticket is for another event.")
            return Resolution(None, Result.UNKNOWN_CODE, "This code is not on the guest list.")
        return self._check_status(s, self._canonical(s, attendee))

    @staticmethod
    def _attendee(s: Session, where: str, *params) -> AttendeeRow | None:
        row = _db(s).execute(SELECT_ATTENDEE + where, params).fetchone()
        if row is None:
            return None
        attendee = AttendeeRow._make(row)
        return attendee._replace(is_walkin=bool(attendee.is_walkin), inside=bool(attendee.inside))

    def _by_code(self, s: Session, code: str) -> AttendeeRow | None:
        where = "event_id = ? AND ticket_code = ?"
        attendee = self._attendee(s, where, self.event_id, code)
        if attendee is None and code != code.upper():
            # Hand scanners with caps lock on, or codes typed by hand in lower case.
            attendee = self._attendee(s, where, self.event_id, code.upper())
        return attendee

    def _resolve_signed(self, s: Session, signed: str) -> Resolution:
        verdict = self.ticket_verifier.verify(s, signed, self.event_id)
        if verdict.refusal is not None:
            # sync.tickets speaks plain codes (it cannot import kiosk); they are Result values.
            try:
                refusal = Result(verdict.refusal)
            except ValueError:
                refusal = Result.INVALID_SIGNATURE
            return Resolution(None, refusal, verdict.reason)
        attendee = self._by_code(s, verdict.ticket.code)
        if attendee is None:
            attendee = self.ticket_verifier.add_to_roster(s, verdict.ticket, self.clock())
        return self._check_status(s, self._canonical(s, attendee))

    def _canonical(self, s: Session, attendee):
        """Follow a walk-in the server merged into an existing RSVP."""
        for _ in range(5):  # merges are one level deep; the bound guards against loops
            if not attendee.merged_into_id:
                break
            target = self._attendee(s, "id = ?", attendee.merged_into_id)
            if target is None:
                break
            attendee = target
        return attendee

    def _check_status(self, s: Session, attendee) -> Resolution:
        revoked = _db(s).execute(
            "SELECT 1 FROM revoked_tickets WHERE event_id = ? AND ticket_code = ?",
            (attendee.event_id, attendee.ticket_code),
        ).fetchone()
        if revoked is not None:
            return Resolution(attendee, Result.REVOKED, "This ticket has been revoked.")
        if attendee.status == "cancelled":
            return Resolution(attendee, Result.CANCELLED, "This ticket was cancelled.")
        if attendee.status == "waitlisted":
            return Resolution(attendee, Result.WAITLISTED, "On the waiting list, not confirmed: ask the organizer.")
        return Resolution(attendee)

    # ---- decision and log --------------------------------------------------

    def decide_in(self, s: Session, resolution: Resolution, direction: str, scanned: str) -> Decision:
        """Decide and append the scan to the log inside the caller's transaction."""
        if direction not in (ENTRY, EXIT):
            raise ValueError(f"direction must be entry or exit, not {direction!r}")
        attendee = resolution.attendee
        first = None
        if resolution.refusal is not None:
            result, reason = resolution.refusal, resolution.reason
        elif direction == ENTRY:
            if attendee.inside:
                result = Result.ALREADY_CHECKED_IN
                first = self._first_checkin(s, attendee)
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

        checkin_id = self._append(s, attendee, direction, result.value, scanned)
        view = None
        if attendee is not None:
            state = refresh_attendee(s, attendee.id)
            view = replace(AttendeeView.of(attendee), inside=state.inside, checked_in=state.arrival_id is not None)
            if result == Result.ADMITTED and first is None:
                first = self._checkin_time_and_door(s, state.arrival_id)
        return Decision(result, reason, view, first, checkin_id, direction)

    def _append(self, s: Session, attendee, kind: str, result: str, scanned: str,
                undoes_id: str | None = None) -> str:
        """Append one scan to the log and queue it for sync; returns its UUID."""
        checkin = SimpleNamespace(
            id=str(uuid.uuid4()),
            event_id=self.event_id,
            attendee_id=attendee.id if attendee else None,
            scanned_code=scanned[:128],
            kind=kind,
            result=result,
            undoes_id=undoes_id,
            device_id=self.device_id,
            door=self.door,
            operator=self.operator,
            device_time=self.clock(),
            duplicate=False,
            flag="",
        )
        values = [getattr(checkin, column) for column in LOG_COLUMNS]
        values[LOG_COLUMNS.index("device_time")] = to_sqlite(checkin.device_time)
        _db(s).execute(INSERT_LOG, values)
        item = outbox.checkin_item(checkin, attendee.ticket_code if attendee else None)
        outbox.enqueue(s, "checkin", checkin.id, item)
        return checkin.id

    def _first_checkin(self, s: Session, attendee) -> FirstCheckin | None:
        row = _db(s).execute("SELECT arrival_id FROM attendees WHERE id = ?", (attendee.id,)).fetchone()
        return self._checkin_time_and_door(s, row[0] if row else None)

    @staticmethod
    def _checkin_time_and_door(s: Session, checkin_id: str | None) -> FirstCheckin | None:
        if checkin_id is None:
            return None
        row = _db(s).execute("SELECT device_time, door FROM checkins WHERE id = ?", (checkin_id,)).fetchone()
        return FirstCheckin(from_sqlite(row[0]), row[1]) if row else None

    def _at(self, first: FirstCheckin) -> str:
        local = first.time.replace(tzinfo=timezone.utc).astimezone(self._zone)
        where = f" at {first.door}" if first.door else ""
        return f" at {local:%H:%M}{where}."

    def _event_zone(self):
        if self.event_id is None:
            return timezone.utc
        with self.replica.session(write=False) as s:
            event = s.get(Event, self.event_id)
        try:
            return ZoneInfo(event.timezone) if event else timezone.utc
        except (ZoneInfoNotFoundError, ValueError):
            return timezone.utc

    def _undo_latest(self, s: Session, attendee) -> UndoOutcome:
        scans = [
            SimpleNamespace(id=row[0], kind=row[1], result=row[2], device_time=row[3], undoes_id=row[4])
            for row in _db(s).execute(
                "SELECT id, kind, result, device_time, undoes_id FROM checkins WHERE attendee_id = ?",
                (attendee.id,),
            )
        ]
        target_id = replay(scans).last_effective_id
        if target_id is None:
            return UndoOutcome(False, f"{attendee.first_name} has no check-in to undo.", AttendeeView.of(attendee))
        target_result = next(scan.result for scan in scans if scan.id == target_id)
        undo_id = self._append(s, attendee, UNDO, "undone", attendee.ticket_code, undoes_id=target_id)
        state = refresh_attendee(s, attendee.id)
        view = replace(AttendeeView.of(attendee), inside=state.inside, checked_in=state.arrival_id is not None)
        what = "check-in" if target_result == ADMITTED else "check-out" if target_result == EXITED else "scan"
        return UndoOutcome(True, f"Undid the {what} of {view.full_name}.", view, undo_id)

    def _lookup_attendee(self, s: Session, resolution: Resolution) -> LookupOutcome:
        attendee = resolution.attendee
        scans = _db(s).execute(
            "SELECT id, kind, result, device_time, door, duplicate, undoes_id FROM checkins "
            "WHERE attendee_id = ? ORDER BY device_time, id",
            (attendee.id,),
        ).fetchall()
        undone = {undoes_id for *_, undoes_id in scans if undoes_id}
        history = [
            ScanHistoryItem(id, kind, result, from_sqlite(time), door, bool(duplicate), id in undone)
            for id, kind, result, time, door, duplicate, _ in scans
        ]
        if resolution.refusal is None:
            reason = "Inside now." if attendee.inside else ("Checked in, left since." if attendee.arrival_id else "Not checked in yet.")
        else:
            reason = resolution.reason
        return LookupOutcome(
            AttendeeView.of(attendee), resolution.refusal, reason, self._first_checkin(s, attendee), history
        )
