"""Check-ins: what a kiosk pushes, the server's verdicts, and the log every kiosk pulls."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sync.wire.types import (
    MAX_BATCH_ITEMS,
    AttendeeId,
    CheckinKind,
    Door,
    Flag,
    Identifier,
    Name,
    OverrideReason,
    Reply,
    Request,
    ResultCode,
    Seq,
    TicketCode,
    UtcDateTime,
    Uuid,
)


class CheckinItem(Request):
    """One scan from a door, exactly as ``sync.outbox.checkin_item`` queues it."""

    id: Uuid  # client UUID: the idempotency key
    event_id: Identifier
    attendee_id: AttendeeId | None = None  # the kiosk's attendee, may be a walk-in not yet pushed
    ticket_code: TicketCode | None = ""  # the code (or the bounded scanned text of a refused scan)
    kind: CheckinKind
    result: ResultCode  # what the kiosk showed: admitted, admitted_override, exited, already_checked_in, ..., undone
    undoes_id: Uuid | None = None
    device_id: Identifier
    door: Door = ""
    operator: Name = ""
    device_time: UtcDateTime
    reason: OverrideReason | None = None  # why a supervisor forced it (admitted_override), else None


class CheckinBatch(Request):
    items: Annotated[list[CheckinItem], Field(min_length=1, max_length=MAX_BATCH_ITEMS)]


class Rejection(Reply):
    code: str  # wrong_event, id_conflict, ...
    message: str


VerdictStatus = Literal["accepted", "duplicate", "rejected"]

# Flags the server sets on a stored check-in (CheckinVerdict.flag, CheckinLogEntry.flag).
FLAG_ADMITTED_WHILE_CANCELLED = "admitted_while_cancelled"
FLAG_ADMITTED_WHILE_REVOKED = "admitted_while_revoked"
FLAG_ADMITTED_WHILE_WAITLISTED = "admitted_while_waitlisted"
FLAG_UNKNOWN_ATTENDEE = "unknown_attendee"  # admitted, but the server knows no such attendee (yet)
FLAG_ADMITTED_OVERRIDE = "admitted_override"  # a supervisor let them in past the door rules (see its reason)


class CheckinVerdict(Reply):
    """The server's answer for one pushed check-in.

    accepted: stored (a refused scan is stored too: nothing that happened is dropped);
    duplicate: stored, but a later entry of someone already inside (``duplicate_of`` = the arrival);
    rejected: not stored (``reason`` says why); a retry will be rejected the same way.
    """

    id: Uuid
    status: VerdictStatus
    seq: Seq | None = None
    received_at: UtcDateTime | None = None  # server receive time (the first time it was received)
    attendee_id: AttendeeId | None = None  # the canonical attendee it counts for
    duplicate_of: Uuid | None = None
    flag: Flag = ""
    already_received: bool = False  # true when this id had been stored before (a retry)
    reason: Rejection | None = None


class CheckinBatchResult(Reply):
    results: list[CheckinVerdict]  # one per item, in the order sent


class CheckinLogEntry(Reply):
    """One stored check-in as every kiosk should see it (``GET /events/{id}/checkins``)."""

    seq: Seq  # bumped when the server re-flags it (a duplicate that turned out to be the arrival, ...)
    id: Uuid
    event_id: Identifier
    attendee_id: AttendeeId | None = None  # canonical (walk-in merges followed); None if unknown
    pushed_attendee_id: AttendeeId | None = None  # as the kiosk sent it
    ticket_code: TicketCode | None = ""
    kind: CheckinKind
    result: ResultCode
    undoes_id: Uuid | None = None
    device_id: Identifier
    door: Door = ""
    operator: Name = ""
    device_time: UtcDateTime
    reason: OverrideReason | None = None
    received_at: UtcDateTime
    duplicate: bool = False
    duplicate_of: Uuid | None = None
    flag: Flag = ""


class CheckinPage(Reply):
    items: list[CheckinLogEntry]
    next_cursor: Seq
    has_more: bool
    high_water_seq: Seq
