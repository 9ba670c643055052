"""The HTTP routes of API v1. Handlers only check access and hand over to the modules that do the work.

Plain ``def`` handlers run in FastAPI's thread pool, so database work never
blocks the event loop; every write is one transaction (``Database.write``).
"""

from __future__ import annotations

from typing import Annotated, Union

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from starlette.responses import StreamingResponse

from sync import limits, wire
from sync.clock import utcnow
from sync.server import checkins, devices, events, roster, walkins
from sync.server.auth import Principal, current_principal
from sync.server.bounds import BoundedRoute
from sync.server.database import Database
from sync.server.errors import ok, ok_json
from sync.server.models import EventRow
from sync.server.stats import compute_stats
from sync.server.stream import stats_stream

router = APIRouter(prefix=wire.API_PREFIX, route_class=BoundedRoute)


def _identifier(description: str):
    return Path(min_length=1, max_length=limits.MAX_IDENTIFIER_CHARS, pattern=limits.IDENTIFIER_PATTERN,
                description=description)


EventId = Annotated[str, _identifier("The event id")]
Cursor = Annotated[int, Query(
    ge=0, le=limits.MAX_SEQ, description="Changes with a server seq greater than this (0 = from the start)")]
Limit = Annotated[int, Query(ge=1, le=wire.MAX_PAGE_LIMIT, description="At most this many items")]
Auth = Annotated[Principal, Depends(current_principal)]

ERRORS = {
    status: {"model": wire.Envelope[None], "description": description}
    for status, description in (
        (401, "No token, or an unknown or revoked token"),
        (403, "A device token on another event or on an organizer route"),
        (404, "No such event"),
        (413, "Body too large"),
        (422, "Malformed request"),
    )
}


def _db(request: Request) -> Database:
    return request.app.state.db


def _read_event(db: Database, principal: Principal, event_id: str) -> EventRow:
    principal.require_event(event_id)
    with db.read() as session:
        return events.get_event(session, event_id)


# ---- devices -----------------------------------------------------------------------


@router.post("/devices/enroll", response_model=wire.Envelope[wire.EnrollResponse], responses=ERRORS, tags=["devices"])
def enroll_device(body: wire.EnrollRequest, request: Request):
    """Exchange a one-time enrollment code for a device token (no bearer token needed)."""
    now = utcnow()
    return ok(_db(request).write(lambda s: devices.enroll(s, body, now)))


@router.post(
    "/devices/heartbeat", response_model=wire.Envelope[wire.HeartbeatResponse], responses=ERRORS, tags=["devices"],
)
def device_heartbeat(body: wire.HeartbeatRequest, request: Request, principal: Auth):
    """A device reports its door, outbox size, last sync and clock; the server records when it was seen."""
    principal.require_device()
    now = utcnow()
    return ok(_db(request).write(lambda s: devices.heartbeat(s, principal, body, now)))


@router.delete(
    "/devices/{device_id}", response_model=wire.Envelope[wire.DeviceRevoked], responses=ERRORS, tags=["organizer"],
)
def revoke_device(device_id: Annotated[str, _identifier("The device id")], request: Request, principal: Auth):
    """Revoke a device: its token stops working at once."""
    principal.require_organizer()
    now = utcnow()
    return ok(_db(request).write(lambda s: devices.revoke_device(s, device_id, now)))


# ---- events --------------------------------------------------------------------------


@router.get("/events", response_model=wire.Envelope[wire.EventList], responses=ERRORS, tags=["events"])
def list_events(request: Request, principal: Auth):
    """Every event (organizer), or the device's own event."""
    with _db(request).read() as session:
        query = select(EventRow).order_by(EventRow.created_at)
        if not principal.is_organizer:
            query = query.where(EventRow.id == principal.event_id)
        rows = session.scalars(query).all()
        return ok(wire.EventList(items=[events.event_to_wire(session, row) for row in rows]))


@router.post("/events", response_model=wire.Envelope[wire.Event], status_code=201, responses=ERRORS, tags=["organizer"])
def create_event(body: wire.CreateEventRequest, request: Request, principal: Auth):
    """Create an event (and its first ticket-signing key)."""
    principal.require_organizer()

    def work(session):
        return events.event_to_wire(session, events.create_event(session, body))

    return ok(_db(request).write(work), status=201)


@router.get("/events/{event_id}", response_model=wire.Envelope[wire.Event], responses=ERRORS, tags=["events"])
def get_event(event_id: EventId, request: Request, principal: Auth):
    """The event, its settings and its ticket-signing public keys."""
    principal.require_event(event_id)
    with _db(request).read() as session:
        return ok(events.event_to_wire(session, events.get_event(session, event_id)))


@router.get(
    "/events/{event_id}/attendees", response_model=wire.Envelope[wire.RosterPage], responses=ERRORS, tags=["events"],
)
def roster_changes(
    event_id: EventId, request: Request, principal: Auth,
    cursor: Cursor = 0, limit: Limit = wire.DEFAULT_PAGE_LIMIT,
    with_tickets: Annotated[bool, Query(description="Include each attendee's signed ticket (for badges)")] = False,
):
    """Roster changes since the cursor, ordered by server seq: attendees (cancellations included) and revocations."""
    event = _read_event(_db(request), principal, event_id)
    with _db(request).read() as session:
        return ok_json(roster.roster_page_json(session, event_id, cursor, limit, with_tickets, event.last_seq))


@router.post(
    "/events/{event_id}/roster", response_model=wire.Envelope[wire.RosterImportResult], responses=ERRORS,
    tags=["organizer"],
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def upload_roster(event_id: EventId, request: Request, principal: Auth):
    """Import a roster CSV (the request body): new tickets added, known ones updated, bad rows reported."""
    principal.require_organizer()
    data = await request.body()
    db = _db(request)
    return ok(await run_in_threadpool(db.write, lambda s: roster.import_roster(s, event_id, data)))


@router.post(
    "/events/{event_id}/revocations", response_model=wire.Envelope[wire.RevocationChange],
    responses=ERRORS, tags=["organizer"],
)
def revoke_ticket(event_id: EventId, body: wire.RevocationRequest, request: Request, principal: Auth):
    """Revoke a ticket code (or reinstate it with revoked=false); kiosks get it with the roster changes."""
    principal.require_organizer()
    return ok(_db(request).write(lambda s: roster.revoke(s, event_id, body)))


@router.post(
    "/events/{event_id}/signing-keys", response_model=wire.Envelope[wire.Event], responses=ERRORS, tags=["organizer"],
)
def add_signing_key(
    event_id: EventId, request: Request, principal: Auth,
    body: Annotated[wire.NewSigningKeyRequest | None, Body()] = None,
):
    """Rotate: a new key signs from now on; older keys stay valid unless retire_others."""
    principal.require_organizer()
    body = body or wire.NewSigningKeyRequest()

    def work(session):
        event = events.get_event(session, event_id)
        events.add_signing_key(session, event_id, body.retire_others)
        return events.event_to_wire(session, event)

    return ok(_db(request).write(work))


@router.delete(
    "/events/{event_id}/signing-keys/{key_id}", response_model=wire.Envelope[wire.Event],
    responses=ERRORS, tags=["organizer"],
)
def retire_signing_key(
    event_id: EventId, key_id: Annotated[str, _identifier("The key id")], request: Request, principal: Auth,
):
    """Retire a key: tickets it signed are refused from the next sync on."""
    principal.require_organizer()

    def work(session):
        event = events.get_event(session, event_id)
        events.retire_signing_key(session, event_id, key_id)
        return events.event_to_wire(session, event)

    return ok(_db(request).write(work))


@router.post(
    "/events/{event_id}/enrollment-codes", response_model=wire.Envelope[wire.EnrollmentCode], status_code=201,
    responses=ERRORS, tags=["organizer"],
)
def new_enrollment_code(
    event_id: EventId, request: Request, principal: Auth,
    body: Annotated[wire.EnrollmentCodeRequest | None, Body()] = None,
):
    """A one-time code a kiosk exchanges for a device token of this event (and door)."""
    principal.require_organizer()
    body = body or wire.EnrollmentCodeRequest()
    now = utcnow()
    return ok(_db(request).write(lambda s: devices.create_enrollment_code(s, event_id, body, now)), status=201)


# ---- check-ins and walk-ins --------------------------------------------------------------


@router.post(
    "/events/{event_id}/checkins", response_model=wire.Envelope[wire.CheckinBatchResult],
    responses=ERRORS, tags=["check-ins"],
)
def push_checkins(event_id: EventId, body: wire.CheckinBatch, request: Request, principal: Auth):
    """Push a batch of scans (idempotent on each item's id); one verdict per item, in order.

    A device's scans are stored under the device id of its token, whatever ``device_id`` says.
    """
    principal.require_event(event_id)
    now = utcnow()
    results = _db(request).write(lambda s: checkins.push_checkins(s, event_id, body.items, principal.device_id, now))
    return ok(wire.CheckinBatchResult(results=results))


@router.post(
    "/events/{event_id}/checkin", response_model=wire.Envelope[wire.CheckinVerdict],
    responses=ERRORS, tags=["check-ins"],
)
def push_checkin(event_id: EventId, body: wire.CheckinItem, request: Request, principal: Auth):
    """The seed platform's single check-in: one scan, one verdict."""
    principal.require_event(event_id)
    now = utcnow()
    results = _db(request).write(lambda s: checkins.push_checkins(s, event_id, [body], principal.device_id, now))
    return ok(results[0])


@router.get(
    "/events/{event_id}/checkins", response_model=wire.Envelope[wire.CheckinPage], responses=ERRORS, tags=["check-ins"],
)
def checkin_log(
    event_id: EventId, request: Request, principal: Auth, cursor: Cursor = 0, limit: Limit = wire.DEFAULT_PAGE_LIMIT,
):
    """The check-in log since the cursor, every device's scans, ordered by server seq."""
    db = _db(request)
    event = _read_event(db, principal, event_id)
    with db.read() as session:
        page, has_more, high_water = checkins.checkin_page_json(session, event_id, cursor, limit, event.last_seq)
    if principal.device_id is not None:
        now = utcnow()
        # Caught up when this was the last page: then it has seen everything up to the high-water mark.
        pulled = high_water if not has_more else None
        db.write(lambda s: devices.note_pull(s, principal.device_id, pulled, now))
    return ok_json(page)


@router.post(
    "/events/{event_id}/rsvp",
    response_model=wire.Envelope[Union[wire.WalkinVerdict,
        wire.WalkinBatchResult]], responses=ERRORS, tags=["check-ins"],
)
def register_walkins(
    event_id: EventId, body: Union[wire.WalkinItem, wire.WalkinBatch], request: Request, principal: Auth,
):
    """Walk-in registration: one WalkinItem, or {items: [...]}. Merged with an attendee of the same e-mail."""
    principal.require_event(event_id)
    now = utcnow()
    items = body.items if isinstance(body, wire.WalkinBatch) else [body]
    results = _db(request).write(lambda s: walkins.push_walkins(s, event_id, items, principal.device_id, now))
    return ok(wire.WalkinBatchResult(results=results) if isinstance(body, wire.WalkinBatch) else results[0])


# ---- dashboard -----------------------------------------------------------------------------


@router.get("/events/{event_id}/stats", response_model=wire.Envelope[wire.Stats], responses=ERRORS, tags=["dashboard"])
def event_stats(event_id: EventId, request: Request, principal: Auth):
    """Arrived / expected, inside, walk-ins, duplicates, per door, per 5 minutes, devices."""
    principal.require_event(event_id)
    with _db(request).read() as session:
        return ok(compute_stats(session, event_id, utcnow()))


@router.get(
    "/events/{event_id}/stream", responses={200: {"content": {"text/event-stream": {}}}, **ERRORS},
    response_class=StreamingResponse, tags=["dashboard"],
)
def event_stream(event_id: EventId, request: Request, principal: Auth):
    """Server-sent events: `stats` (a Stats object) on connect and on every change; `heartbeat` meanwhile.

    When the token is revoked, a last `revoked` event ({code, message}) and the stream ends.
    """
    _read_event(_db(request), principal, event_id)
    settings = request.app.state.settings
    return StreamingResponse(
        stats_stream(request, _db(request), principal, event_id, settings.stream_poll_seconds,
                     settings.stream_heartbeat_seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
