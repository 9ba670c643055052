"""The roster feed (attendee and revocation changes), revocations and the organizer's roster upload."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, StrictBool

from sync import limits
from sync.wire.types import (
    AttendeeId,
    AttendeeStatus,
    Email,
    Identifier,
    Name,
    Reply,
    Request,
    Seq,
    TicketCode,
    UtcDateTime,
)


class AttendeeChange(Reply):
    """An attendee as it is now (insert or update; cancellations are ``status='cancelled'``)."""

    type: Literal["attendee"] = "attendee"
    seq: Seq
    id: AttendeeId
    event_id: Identifier
    first_name: Name
    last_name: Name = ""
    email: Email | None = None  # lower-cased
    status: AttendeeStatus = "confirmed"
    ticket_code: TicketCode
    ticket_type: Annotated[str, Field(max_length=limits.MAX_TICKET_TYPE_CHARS)] = "General"
    plus_ones: int = 0
    is_walkin: bool = False
    merged_into_id: AttendeeId | None = None  # a walk-in merged into this canonical attendee
    created_at: UtcDateTime
    updated_at: UtcDateTime
    signed_ticket: str | None = None  # "CK1...." for badges; only with ?with_tickets=true


class RevocationChange(Reply):
    """A ticket refused from now on (``revoked=False``: reinstated)."""

    type: Literal["revocation"] = "revocation"
    seq: Seq
    event_id: Identifier
    ticket_code: TicketCode
    reason: Annotated[str, Field(max_length=limits.MAX_REVOCATION_REASON_CHARS)] = ""
    revoked: bool = True


RosterChange = Annotated[Union[AttendeeChange, RevocationChange], Field(discriminator="type")]


class RosterPage(Reply):
    """``GET /events/{id}/attendees?cursor=N``: changes with seq > N, ordered by seq."""

    items: list[RosterChange]
    next_cursor: Seq  # pass as ``cursor`` next time (equals the last item's seq, or the cursor sent)
    has_more: bool
    high_water_seq: Seq  # the event's newest seq when the page was read: for a progress bar


# ---- revocations (organizer) --------------------------------------------------------


class RevocationRequest(Request):
    ticket_code: Annotated[str, Field(min_length=1, max_length=limits.MAX_TICKET_CODE_CHARS)]
    reason: Annotated[str, Field(max_length=limits.MAX_REVOCATION_REASON_CHARS)] = ""
    revoked: StrictBool = True  # False reinstates the ticket


# ---- organizer: roster upload ----------------------------------------------------------


class RosterRowProblem(Reply):
    line: int
    message: str


class RosterImportResult(Reply):
    created: int
    updated: int
    unchanged: int = 0
    problems: list[RosterRowProblem] = Field(default_factory=list)  # rows not imported, and why
