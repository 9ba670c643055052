"""Walk-ins registered at a kiosk, and the server's verdicts (merges into an existing RSVP)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt

from sync import limits
from sync.wire.checkins import Rejection
from sync.wire.roster import AttendeeChange
from sync.wire.types import MAX_BATCH_ITEMS, AttendeeId, Email, Identifier, Name, Reply, Request, UtcDateTime


class WalkinItem(Request):
    """A walk-in RSVP made at a kiosk, exactly as ``sync.outbox.walkin_item`` queues it."""

    id: AttendeeId  # client UUID: the idempotency key and the attendee id unless merged
    event_id: Identifier
    first_name: Annotated[str, Field(min_length=1, max_length=limits.MAX_NAME_CHARS)]
    last_name: Name = ""
    email: Email | None = None
    ticket_code: Annotated[str, Field(min_length=1, max_length=limits.MAX_TICKET_CODE_CHARS)]
    ticket_type: Annotated[str, Field(max_length=limits.MAX_TICKET_TYPE_CHARS)] = "General"
    plus_ones: Annotated[StrictInt, Field(ge=0, le=100)] = 0  # wider than a roster row's limits.MAX_PLUS_ONES
    device_id: Identifier
    created_at: UtcDateTime


class WalkinBatch(Request):
    items: Annotated[list[WalkinItem], Field(min_length=1, max_length=MAX_BATCH_ITEMS)]


class WalkinVerdict(Reply):
    """The server's answer for one walk-in.

    accepted: stored. ``merged`` is true when its email matched an existing attendee:
    ``attendee`` is then that canonical attendee, whose id and ticket code the kiosk
    should use from now on (the walk-in's check-ins count for it). ``attendee`` may
    also carry a new ticket code when the walk-in's code was already taken.
    rejected: not stored, ``reason`` says why.
    """

    id: AttendeeId
    status: Literal["accepted", "rejected"]
    merged: bool = False
    already_received: bool = False
    attendee: AttendeeChange | None = None  # canonical; carries signed_ticket for a badge
    walkin: AttendeeChange | None = None  # the walk-in's own record (merged_into_id set when merged)
    reason: Rejection | None = None


class WalkinBatchResult(Reply):
    results: list[WalkinVerdict]
