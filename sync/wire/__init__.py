"""What travels between a kiosk and the central API: one set of schemas for both ends.

Every response is the seed platform's envelope ``{success, data, error, meta}``;
``meta.server_time`` lets a client estimate its clock offset at each call.
Requests are validated strictly (bounded strings and batches, unknown fields
refused); responses are read leniently (unknown fields ignored) so the server
can add fields without breaking older kiosks. Times on the wire are UTC, ISO
8601 with a ``Z``; in Python they are naive UTC datetimes, as the replica and
the server store them (see ``sync.clock``).

The protocol is described in docs/api.md. Changes here are additive only.

The schemas live in one module per resource; every name is importable from here
(``from sync import wire; wire.CheckinItem``).
"""

from __future__ import annotations

from sync.wire.checkins import (  # noqa: F401
    FLAG_ADMITTED_OVERRIDE,
    FLAG_ADMITTED_WHILE_CANCELLED,
    FLAG_ADMITTED_WHILE_REVOKED,
    FLAG_ADMITTED_WHILE_WAITLISTED,
    FLAG_UNKNOWN_ATTENDEE,
    CheckinBatch,
    CheckinBatchResult,
    CheckinItem,
    CheckinLogEntry,
    CheckinPage,
    CheckinVerdict,
    Rejection,
    VerdictStatus,
)
from sync.wire.devices import (  # noqa: F401
    AdminToken,
    DeviceRevoked,
    EnrollmentCode,
    EnrollmentCodeRequest,
    EnrollRequest,
    EnrollResponse,
    HeartbeatRequest,
    HeartbeatResponse,
)
from sync.wire.envelope import (  # noqa: F401
    E_BAD_REQUEST,
    E_CONFLICT,
    E_ENROLLMENT_CODE,
    E_FORBIDDEN,
    E_INTERNAL,
    E_NOT_FOUND,
    E_PAYLOAD_TOO_LARGE,
    E_UNAUTHORIZED,
    E_VALIDATION,
    Envelope,
    ErrorBody,
    Meta,
    WireError,
    unwrap,
)
from sync.wire.events import (  # noqa: F401
    CreateEventRequest,
    Event,
    EventList,
    NewSigningKeyRequest,
    SigningKey,
)
from sync.wire.roster import (  # noqa: F401
    AttendeeChange,
    RevocationChange,
    RevocationRequest,
    RosterChange,
    RosterImportResult,
    RosterPage,
    RosterRowProblem,
)
from sync.wire.stats import (  # noqa: F401
    ArrivalBucket,
    DeviceStatus,
    DoorStats,
    Health,
    Stats,
)
from sync.wire.types import (  # noqa: F401
    API_PREFIX,
    DEFAULT_PAGE_LIMIT,
    MAX_BATCH_ITEMS,
    MAX_BODY_BYTES,
    MAX_PAGE_LIMIT,
    AttendeeId,
    AttendeeStatus,
    CheckinKind,
    Door,
    Email,
    EventStatus,
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
    format_utc,
)
from sync.wire.walkins import (  # noqa: F401
    WalkinBatch,
    WalkinBatchResult,
    WalkinItem,
    WalkinVerdict,
)
