"""Events and their ticket-signing keys."""

from __future__ import annotations

import json
import secrets
from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync import wire
from sync.clock import utcnow
from sync.server.errors import ApiError
from sync.server.models import AttendeeRow, EventRow, SigningKeyRow
from sync.tickets import KeyPair, sign_ticket, unb64url


def new_event_id() -> str:
    return f"evt-{secrets.token_hex(6)}"


def create_event(session: Session, request: wire.CreateEventRequest) -> EventRow:
    now = utcnow()
    event = EventRow(
        id=new_event_id(),
        name=request.name,
        venue_capacity=request.venue_capacity,
        timezone=request.timezone,
        starts_at=request.starts_at,
        status=request.status,
        settings_json=json.dumps(request.settings),
        created_at=now,
        last_seq=0,
    )
    session.add(event)
    session.flush()
    add_signing_key(session, event.id)
    return event


def get_event(session: Session, event_id: str) -> EventRow:
    event = session.get(EventRow, event_id)
    if event is None:
        raise ApiError(404, wire.E_NOT_FOUND, f"There is no event {event_id}.")
    return event


def add_signing_key(session: Session, event_id: str, retire_others: bool = False) -> SigningKeyRow:
    if retire_others:
        for key in session.scalars(select(SigningKeyRow).where(SigningKeyRow.event_id == event_id)):
            key.active = False
    pair = KeyPair.generate()
    row = SigningKeyRow(
        key_id=pair.key_id, event_id=event_id, public_key=pair.public_key, private_key=pair.private_key,
        active=True, created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def retire_signing_key(session: Session, event_id: str, key_id: str) -> None:
    key = session.get(SigningKeyRow, key_id)
    if key is None or key.event_id != event_id:
        raise ApiError(404, wire.E_NOT_FOUND, f"Event {event_id} has no signing key {key_id}.")
    others = session.scalar(
        select(func.count()).select_from(SigningKeyRow).where(
            SigningKeyRow.event_id == event_id, SigningKeyRow.active.is_(True), SigningKeyRow.key_id != key_id
        )
    )
    if key.active and not others:
        raise ApiError(409, wire.E_CONFLICT, "This is the event's only active key: add a new key first.")
    key.active = False


def event_to_wire(session: Session, event: EventRow) -> wire.Event:
    keys = session.scalars(
        select(SigningKeyRow).where(SigningKeyRow.event_id == event.id).order_by(SigningKeyRow.created_at)
    ).all()
    counts = session.execute(
        select(
            func.count().filter(AttendeeRow.status == "confirmed", AttendeeRow.merged_into_id.is_(None)),
            func.count().filter(AttendeeRow.arrival_id.is_not(None), AttendeeRow.merged_into_id.is_(None)),
        ).where(AttendeeRow.event_id == event.id)
    ).one()
    return wire.Event(
        id=event.id,
        name=event.name,
        venue_capacity=event.venue_capacity,
        timezone=event.timezone,
        starts_at=event.starts_at,
        status=event.status,
        settings=json.loads(event.settings_json or "{}"),
        signing_keys=[wire.SigningKey(key_id=k.key_id, public_key=k.public_key, active=k.active) for k in keys],
        rsvp_count=counts[0],
        checkin_count=counts[1],
        high_water_seq=event.last_seq,
    )


class TicketSigner:
    """Signs an event's tickets with its newest active key."""

    def __init__(self, session: Session, event_id: str):
        self.event_id = event_id
        key = session.scalar(
            select(SigningKeyRow)
            .where(SigningKeyRow.event_id == event_id, SigningKeyRow.active.is_(True))
            .order_by(SigningKeyRow.created_at.desc(), SigningKeyRow.key_id)
            .limit(1)
        )
        self.key_id = key.key_id if key else None
        self._private = _private_key(key.private_key) if key else None

    def sign(self, attendee: AttendeeRow) -> str | None:
        return self.sign_fields(attendee.id, attendee.first_name, attendee.last_name, attendee.ticket_code)

    def sign_fields(self, attendee_id: str, first_name: str, last_name: str, code: str) -> str | None:
        if self._private is None:
            return None
        try:
            return sign_ticket(
                self._private, self.key_id, code=code, event_id=self.event_id,
                name=f"{first_name} {last_name}".strip(), attendee_id=attendee_id,
            )
        except ValueError:
            return None  # a code outside the ticket-code rule (legacy data): no signed form


@lru_cache(maxsize=256)
def _private_key(seed: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(unb64url(seed))
