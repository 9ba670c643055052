"""The check-in decision: scan, manual check-in, undo and lookup, against the replica.

Every scan is appended to the log, and queued for sync, in the same
transaction that makes the decision; the decision is returned only after that
transaction has committed. Nothing here touches Qt.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.core.payload import ScannedPayload, parse
from kiosk.core.results import AttendeeView, Decision, FirstCheckin, Result
from sync import outbox
from sync.clock import utcnow
from sync.ledger import ADMITTED, EXITED, refresh_attendee, replay
from sync.replica import Replica
from sync.replica.models import Attendee, Checkin, Event, RevokedTicket
from sync.tickets import TicketVerifier

ENTRY = "entry"
EXIT = "exit"
UNDO = "undo"


class NoEventError(Exception):
    """The replica holds no event yet."""


def current_event_id(replica: Replica) -> str | None:
    return replica.get_state("event_id")


@dataclass(frozen=True)
class Resolution:
    """A payload resolved against the roster: an attendee, or why there is none."""

    attendee: Attendee | None
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
            attendee = s.get(Attendee, attendee_id)
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
            attendee = s.get(Attendee, attendee_id)
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
            attendee = s.get(Attendee, attendee_id)
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
            if s.scalar(select(Attendee.event_id).where(Attendee.ticket_code == payload.code).limit(1)):
                return Resolution(None, Result.WRONG_EVENT, "This ticket is for another event.")
            return Resolution(None, Result.UNKNOWN_CODE, "This code is not on the guest list.")
        return self._check_status(s, self._canonical(s, attendee))

    def _by_code(self, s: Session, code: str) -> Attendee | None:
        query = select(Attendee).where(Attendee.event_id == self.event_id)
        attendee = s.scalar(query.where(Attendee.ticket_code == code))
        if attendee is None and code != code.upper():
            # Hand scanners with caps lock on, or codes typed by hand in lower case.
            attendee = s.scalar(query.where(Attendee.ticket_code == code.upper()))
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

    def _canonical(self, s: Session, attendee: Attendee) -> Attendee:
        """Follow a walk-in the server merged into an existing RSVP."""
        for _ in range(5):  # merges are one level deep; the bound guards against loops
            if not attendee.merged_into_id:
                break
            target = s.get(Attendee, attendee.merged_into_id)
            if target is None:
                break
            attendee = target
        return attendee

    def _check_status(self, s: Session, attendee: Attendee) -> Resolution:
        revoked = s.get(RevokedTicket, (attendee.event_id, attendee.ticket_code))
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

        checkin = self._append(s, attendee, direction, result.value, scanned)
        if attendee is not None:
            refresh_attendee(s, attendee.id)
            if result == Result.ADMITTED and first is None:
                first = self._first_checkin(s, attendee)
        view = AttendeeView.of(attendee) if attendee is not None else None
        return Decision(result, reason, view, first, checkin.id, direction)

    def _append(self, s: Session, attendee: Attendee | None, kind: str, result: str, scanned: str,
                undoes_id: str | None = None) -> Checkin:
        checkin = Checkin(
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
        )
        s.add(checkin)
        outbox.enqueue(s, "checkin", checkin.id, outbox.checkin_item(checkin, attendee.ticket_code if attendee else None))
        s.flush()
        return checkin

    def _first_checkin(self, s: Session, attendee: Attendee) -> FirstCheckin | None:
        arrival_id = s.scalar(select(Attendee.arrival_id).where(Attendee.id == attendee.id))
        if arrival_id is None:
            return None
        arrival = s.get(Checkin, arrival_id)
        return FirstCheckin(arrival.device_time, arrival.door)

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

    def _undo_latest(self, s: Session, attendee: Attendee) -> UndoOutcome:
        scans = s.scalars(select(Checkin).where(Checkin.attendee_id == attendee.id)).all()
        target_id = replay(scans).last_effective_id
        if target_id is None:
            return UndoOutcome(False, f"{attendee.first_name} has no check-in to undo.", AttendeeView.of(attendee))
        target = s.get(Checkin, target_id)
        undo = self._append(s, attendee, UNDO, "undone", attendee.ticket_code, undoes_id=target_id)
        refresh_attendee(s, attendee.id)
        what = "check-in" if target.result == ADMITTED else "check-out" if target.result == EXITED else "scan"
        return UndoOutcome(True, f"Undid the {what} of {attendee.full_name}.", AttendeeView.of(attendee), undo.id)

    def _lookup_attendee(self, s: Session, resolution: Resolution) -> LookupOutcome:
        attendee = resolution.attendee
        scans = s.scalars(
            select(Checkin).where(Checkin.attendee_id == attendee.id).order_by(Checkin.device_time)
        ).all()
        undone = {c.undoes_id for c in scans if c.kind == UNDO}
        history = [
            ScanHistoryItem(c.id, c.kind, c.result, c.device_time, c.door, c.duplicate, c.id in undone)
            for c in scans
        ]
        if resolution.refusal is None:
            reason = "Inside now." if attendee.inside else ("Checked in, left since." if attendee.arrival_id else "Not checked in yet.")
        else:
            reason = resolution.reason
        return LookupOutcome(
            AttendeeView.of(attendee), resolution.refusal, reason, self._first_checkin(s, attendee), history
        )
