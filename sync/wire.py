"""What travels between a kiosk and the central API: one set of schemas for both ends.

Every response is the seed platform's envelope ``{success, data, error, meta}``;
``meta.server_time`` lets a client estimate its clock offset at each call.
Requests are validated strictly (bounded strings and batches, unknown fields
refused); responses are read leniently (unknown fields ignored) so the server
can add fields without breaking older kiosks. Times on the wire are UTC, ISO
8601 with a ``Z``; in Python they are naive UTC datetimes, as the replica and
the server store them (see ``sync.clock``).

The protocol is described in docs/api.md. Changes here are additive only.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Generic, Literal, TypeVar, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
)

API_PREFIX = "/api/v1"
MAX_BATCH_ITEMS = 1000  # check-ins or walk-ins in one push
MAX_PAGE_LIMIT = 5000  # changes in one pull page
DEFAULT_PAGE_LIMIT = 1000
MAX_BODY_BYTES = 5 * 1024 * 1024  # larger request bodies are refused with 413


# ---- field types -------------------------------------------------------------


def _utc_naive(moment: datetime) -> datetime:
    """Aware times are converted to UTC; naive ones are taken to be UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def format_utc(moment: datetime) -> str:
    """The wire form of a naive-UTC time: the same as ``sync.outbox.iso``."""
    return _utc_naive(moment).isoformat() + "Z"


UtcDateTime = Annotated[
    datetime,
    AfterValidator(_utc_naive),
    PlainSerializer(format_utc, return_type=str, when_used="json"),
]

Uuid = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")]
AttendeeId = Annotated[str, Field(min_length=1, max_length=36, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")]
TicketCode = Annotated[str, Field(max_length=128)]
Name = Annotated[str, Field(max_length=100)]
Email = Annotated[str, Field(max_length=254)]
Door = Annotated[str, Field(max_length=100)]
ResultCode = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$")]
Flag = Annotated[str, Field(max_length=64)]
Seq = Annotated[int, Field(ge=0)]

CheckinKind = Literal["entry", "exit", "undo"]
AttendeeStatus = Literal["confirmed", "waitlisted", "cancelled"]
EventStatus = Literal["draft", "published", "cancelled", "completed"]


class Request(BaseModel):
    """A body a client sends: strict, unknown fields refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Reply(BaseModel):
    """A body the server sends: unknown fields ignored, so the server may add some."""

    model_config = ConfigDict(extra="ignore")


# ---- the envelope --------------------------------------------------------------

# Error codes (error.code). HTTP status in brackets.
E_UNAUTHORIZED = "unauthorized"  # [401] no token, unknown token, revoked token
E_FORBIDDEN = "forbidden"  # [403] a device token used on another event, or a device on an organizer route
E_NOT_FOUND = "not_found"  # [404]
E_PAYLOAD_TOO_LARGE = "payload_too_large"  # [413]
E_VALIDATION = "validation_error"  # [422] malformed body or query; details lists the problems
E_ENROLLMENT_CODE = "enrollment_code_invalid"  # [401] unknown, used or expired enrollment code
E_CONFLICT = "conflict"  # [409]
E_BAD_REQUEST = "bad_request"  # [400] e.g. a CSV that cannot be read at all
E_INTERNAL = "internal_error"  # [500]


class ErrorBody(Reply):
    code: str
    message: str
    details: Any | None = None


class Meta(Reply):
    server_time: UtcDateTime  # when the server answered, to estimate the client's clock offset
    api_version: str = "1"


T = TypeVar("T")


class Envelope(Reply, Generic[T]):
    success: bool
    data: T | None = None
    error: ErrorBody | None = None
    meta: Meta


class WireError(Exception):
    """An error envelope (or a reply that is not an envelope at all), raised by :func:`unwrap`."""

    def __init__(self, code: str, message: str, status: int | None = None, details: Any = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.details = details


def unwrap(body: Any, model: type[T], status: int | None = None) -> tuple[T, Meta]:
    """Validate a decoded JSON response body; return ``(data, meta)`` or raise :class:`WireError`."""
    from pydantic import ValidationError

    if not isinstance(body, dict) or "success" not in body:
        raise WireError("bad_reply", "The server's reply is not an API envelope.", status)
    try:
        envelope = Envelope[Any].model_validate(body)
    except ValidationError as exc:
        raise WireError("bad_reply", f"The server's reply is malformed: {exc.errors()[0]['msg']}", status) from exc
    if not envelope.success:
        error = envelope.error or ErrorBody(code="unknown", message="The server reported an unspecified error.")
        raise WireError(error.code, error.message, status, error.details)
    try:
        from pydantic import TypeAdapter

        data = TypeAdapter(model).validate_python(envelope.data)
    except ValidationError as exc:
        raise WireError("bad_reply", f"The server's reply is malformed: {exc.errors()[0]['msg']}", status) from exc
    return data, envelope.meta


# ---- events and keys -------------------------------------------------------------


class SigningKey(Reply):
    key_id: Identifier
    public_key: Annotated[str, Field(min_length=43, max_length=44)]  # base64url, 32 raw bytes, unpadded
    active: bool = True  # tickets signed by an inactive key are refused


class Event(Reply):
    id: Identifier
    name: str
    venue_capacity: int | None = None
    timezone: str = "UTC"
    starts_at: UtcDateTime | None = None
    status: EventStatus = "published"
    settings: dict[str, Any] = Field(default_factory=dict)
    signing_keys: list[SigningKey] = Field(default_factory=list)
    rsvp_count: int = 0  # attendees confirmed (walk-ins included, merged walk-ins not)
    checkin_count: int = 0  # attendees arrived
    high_water_seq: int = 0  # the newest server sequence number of this event


class EventList(Reply):
    items: list[Event]


def _known_zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r} (use a name such as Europe/Paris)") from exc
    return name


class CreateEventRequest(Request):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    venue_capacity: Annotated[StrictInt, Field(ge=0, le=10_000_000)] | None = None
    timezone: Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_known_zone)] = "UTC"
    starts_at: UtcDateTime | None = None
    status: EventStatus = "published"
    settings: dict[str, Any] = Field(default_factory=dict)


class NewSigningKeyRequest(Request):
    # Keep the older keys valid (rotation) or retire them all at once (compromise).
    retire_others: StrictBool = False


# ---- the roster: attendee and revocation changes -----------------------------------


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
    ticket_type: Annotated[str, Field(max_length=64)] = "General"
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
    reason: Annotated[str, Field(max_length=200)] = ""
    revoked: bool = True


RosterChange = Annotated[Union[AttendeeChange, RevocationChange], Field(discriminator="type")]


class RosterPage(Reply):
    """``GET /events/{id}/attendees?cursor=N``: changes with seq > N, ordered by seq."""

    items: list[RosterChange]
    next_cursor: Seq  # pass as ``cursor`` next time (equals the last item's seq, or the cursor sent)
    has_more: bool
    high_water_seq: Seq  # the event's newest seq when the page was read: for a progress bar


# ---- check-ins --------------------------------------------------------------------


class CheckinItem(Request):
    """One scan from a door, exactly as ``sync.outbox.checkin_item`` queues it."""

    id: Uuid  # client UUID: the idempotency key
    event_id: Identifier
    attendee_id: AttendeeId | None = None  # the kiosk's attendee, may be a walk-in not yet pushed
    ticket_code: TicketCode | None = ""  # the code (or the bounded scanned text of a refused scan)
    kind: CheckinKind
    result: ResultCode  # what the kiosk showed: admitted, exited, already_checked_in, ..., undone
    undoes_id: Uuid | None = None
    device_id: Identifier
    door: Door = ""
    operator: Name = ""
    device_time: UtcDateTime


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
    received_at: UtcDateTime
    duplicate: bool = False
    duplicate_of: Uuid | None = None
    flag: Flag = ""


class CheckinPage(Reply):
    items: list[CheckinLogEntry]
    next_cursor: Seq
    has_more: bool
    high_water_seq: Seq


# ---- walk-ins ----------------------------------------------------------------------


class WalkinItem(Request):
    """A walk-in RSVP made at a kiosk, exactly as ``sync.outbox.walkin_item`` queues it."""

    id: AttendeeId  # client UUID: the idempotency key and the attendee id unless merged
    event_id: Identifier
    first_name: Annotated[str, Field(min_length=1, max_length=100)]
    last_name: Name = ""
    email: Email | None = None
    ticket_code: Annotated[str, Field(min_length=1, max_length=128)]
    ticket_type: Annotated[str, Field(max_length=64)] = "General"
    plus_ones: Annotated[StrictInt, Field(ge=0, le=100)] = 0
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


# ---- revocations (organizer) --------------------------------------------------------


class RevocationRequest(Request):
    ticket_code: Annotated[str, Field(min_length=1, max_length=128)]
    reason: Annotated[str, Field(max_length=200)] = ""
    revoked: StrictBool = True  # False reinstates the ticket


# ---- stats -------------------------------------------------------------------------


class DoorStats(Reply):
    door: str
    arrivals: int  # arrivals whose first entry was at this door
    scans: int  # stored entry/exit scans at this door (refusals included)


class ArrivalBucket(Reply):
    start: UtcDateTime  # start of a 5-minute window (device time of the arrival)
    arrivals: int


class DeviceStatus(Reply):
    device_id: str
    name: str = ""
    door: str = ""
    revoked: bool = False
    online: bool = False  # seen within the last 60 seconds
    last_seen_at: UtcDateTime | None = None
    last_sync_at: UtcDateTime | None = None  # as the device reported it
    outbox_size: int | None = None
    clock_offset_seconds: float | None = None  # server time minus device time at the last heartbeat
    last_pull_seq: int | None = None  # the event's seq when this device last read the check-in log to its end
    behind: int | None = None  # high_water_seq - last_pull_seq


class Stats(Reply):
    event_id: str
    expected: int  # confirmed attendees from the roster (walk-ins not included)
    arrived: int  # attendees with an arrival (walk-ins included)
    inside: int
    walk_ins: int  # walk-ins that made a new attendee
    walk_ins_merged: int  # walk-ins merged into an existing RSVP
    duplicates: int  # check-ins flagged duplicate
    flagged: int  # check-ins with a flag (admitted while cancelled, ...)
    venue_capacity: int | None = None
    per_door: list[DoorStats] = Field(default_factory=list)
    arrivals_per_5min: list[ArrivalBucket] = Field(default_factory=list)
    devices: list[DeviceStatus] = Field(default_factory=list)
    high_water_seq: int = 0
    generated_at: UtcDateTime


# ---- devices -------------------------------------------------------------------------


class EnrollRequest(Request):
    code: Annotated[str, Field(min_length=4, max_length=64)]
    device_id: Identifier | None = None  # the replica's device id, kept when free
    name: Annotated[str, Field(max_length=100)] = ""  # e.g. the host name
    app_version: Annotated[str, Field(max_length=32)] = ""


class EnrollResponse(Reply):
    device_id: str  # the id to use from now on in check-ins and heartbeats
    device_token: str  # bearer token; keep it in the OS keyring
    event_id: str
    door: str = ""
    name: str = ""


class EnrollmentCodeRequest(Request):
    door: Door = ""
    name: Annotated[str, Field(max_length=100)] = ""
    ttl_minutes: Annotated[StrictInt, Field(ge=1, le=60 * 24 * 14)] = 60 * 24


class EnrollmentCode(Reply):
    code: str  # one-time
    event_id: str
    door: str = ""
    expires_at: UtcDateTime


class HeartbeatRequest(Request):
    door: Door = ""
    outbox_size: Annotated[StrictInt, Field(ge=0)] = 0
    last_sync_at: UtcDateTime | None = None
    device_time: UtcDateTime  # the device's clock now
    app_version: Annotated[str, Field(max_length=32)] = ""


class HeartbeatResponse(Reply):
    device_id: str
    event_id: str
    server_time: UtcDateTime
    clock_offset_seconds: float  # server time minus device time (request transit included)
    revoked: bool = False


class DeviceRevoked(Reply):
    device_id: str
    revoked: bool


class AdminToken(Reply):
    token: str


# ---- organizer: roster upload ----------------------------------------------------------


class RosterRowProblem(Reply):
    line: int
    message: str


class RosterImportResult(Reply):
    created: int
    updated: int
    unchanged: int = 0
    problems: list[RosterRowProblem] = Field(default_factory=list)  # rows not imported, and why


class Health(Reply):
    status: Literal["ok", "degraded"]
    database: bool
    version: str = ""
