"""The local replica's tables (SQLAlchemy 2.0).

The schema itself is owned by the Alembic migrations in ``migrations/versions``;
these classes describe it for the ORM. A change here needs a new migration.

Check-ins are an append-only log: rows are never updated except for the
fields the sync engine fills in (server sequence, duplicate flag, server
receive time) and never deleted. "Checked in" and "inside" are derived from
the log; the ``attendees.inside``/``arrival_id`` columns are a cache of that
derivation, rewritten by :mod:`sync.ledger` in the same transaction as the log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Event(Base):
    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    venue_capacity: Mapped[int | None] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    starts_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="published")
    # JSON object of event settings as the server sent them (re-entry policy, ...).
    settings_json: Mapped[str] = mapped_column(Text, default="{}")


class SigningKey(Base):
    """An Ed25519 public key that may sign this event's tickets (several during rotation)."""

    __tablename__ = "signing_keys"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"))
    public_key: Mapped[str] = mapped_column(String(128))  # base64url, 32 raw bytes
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class RevokedTicket(Base):
    __tablename__ = "revoked_tickets"

    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), primary_key=True)
    ticket_code: Mapped[str] = mapped_column(String(128), primary_key=True)
    reason: Mapped[str] = mapped_column(String(200), default="")


class Attendee(Base):
    """One RSVP and its ticket (the seed's ``rsvps`` joined with ``users``)."""

    __tablename__ = "attendees"
    __table_args__ = (
        UniqueConstraint("event_id", "ticket_code", name="uq_attendees_event_code"),
        Index("ix_attendees_event_email", "event_id", "email"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str | None] = mapped_column(String(254))  # stored lower-cased
    status: Mapped[str] = mapped_column(String(16), default="confirmed")
    ticket_code: Mapped[str] = mapped_column(String(128))
    ticket_type: Mapped[str] = mapped_column(String(64), default="General")
    plus_ones: Mapped[int] = mapped_column(Integer, default=0)
    is_walkin: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the server merged this walk-in into an existing RSVP, the canonical attendee.
    merged_into_id: Mapped[str | None] = mapped_column(String(36))
    server_seq: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # Cache derived from the check-in log (see sync.ledger).
    inside: Mapped[bool] = mapped_column(Boolean, default=False)
    arrival_id: Mapped[str | None] = mapped_column(String(36))

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Checkin(Base):
    """One scan at a door, exactly as it happened. Append-only."""

    __tablename__ = "checkins"
    __table_args__ = (
        Index("ix_checkins_attendee", "attendee_id"),
        Index("ix_checkins_undoes", "undoes_id"),
        Index("ix_checkins_event_time", "event_id", "device_time"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # client UUID
    event_id: Mapped[str] = mapped_column(String(64))
    attendee_id: Mapped[str | None] = mapped_column(String(36))
    # The code as scanned (sanitised, bounded), for refused scans that match no one.
    scanned_code: Mapped[str] = mapped_column(String(128), default="")
    kind: Mapped[str] = mapped_column(String(8))  # entry | exit | undo
    result: Mapped[str] = mapped_column(String(32))  # what the kiosk showed
    undoes_id: Mapped[str | None] = mapped_column(String(36))
    device_id: Mapped[str] = mapped_column(String(64))
    door: Mapped[str] = mapped_column(String(100), default="")
    operator: Mapped[str] = mapped_column(String(100), default="")
    device_time: Mapped[datetime] = mapped_column(DateTime)  # UTC, the kiosk's clock
    # Why a supervisor forced this entry past the door rules (result admitted_override), else None.
    reason: Mapped[str | None] = mapped_column(String(200))
    # Filled in by sync: the server's ordering and receive time, and its verdict.
    server_seq: Mapped[int | None] = mapped_column(Integer)
    server_received_at: Mapped[datetime | None] = mapped_column(DateTime)
    duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    flag: Mapped[str] = mapped_column(String(64), default="")


class OutboxItem(Base):
    """A local change waiting to be pushed to the central API."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # checkin | walkin
    ref_id: Mapped[str] = mapped_column(String(36))  # the client UUID it carries
    payload_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)


class SyncState(Base):
    """Key/value settings of the replica itself: device id, cursors, server, clock offset."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
