"""The central server's tables (SQLAlchemy 2.0), on SQLite or PostgreSQL.

The schema is owned by the Alembic migrations in ``migrations/versions``; a
change here needs a new migration. All state lives here: server processes keep
none, so several may serve one PostgreSQL database.

Every change to an event's roster, revocations or check-in log takes the next
number of the event's sequence (``events.last_seq``, advanced under a row lock
held until commit, see :mod:`sync.server.sequence`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sync import limits as L

# Text columns are as long as sync.limits lets a kiosk record, so everything it records fits.
ID = String(L.MAX_IDENTIFIER_CHARS)
ATTENDEE_ID = String(L.MAX_ATTENDEE_ID_CHARS)
UUID = String(L.MAX_UUID_CHARS)


class Base(DeclarativeBase):
    pass


class EventRow(Base):
    __tablename__ = "events"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(L.MAX_EVENT_NAME_CHARS))
    venue_capacity: Mapped[int | None] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(L.MAX_TIMEZONE_CHARS), default="UTC")
    starts_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="published")
    settings_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # The event's sequence: the newest number handed out. Locked while advanced.
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class SigningKeyRow(Base):
    """An Ed25519 key pair of an event. The newest active key signs; every active key verifies."""

    __tablename__ = "signing_keys"

    key_id: Mapped[str] = mapped_column(ID, primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), index=True)
    public_key: Mapped[str] = mapped_column(String(64))  # base64url, 32 raw bytes
    private_key: Mapped[str] = mapped_column(String(64))  # base64url, 32-byte seed; never served
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AttendeeRow(Base):
    __tablename__ = "attendees"
    __table_args__ = (
        UniqueConstraint("event_id", "ticket_code", name="uq_attendees_event_code"),
        UniqueConstraint("event_id", "seq", name="uq_attendees_event_seq"),
        Index("ix_attendees_event_email", "event_id", "email"),
        Index("ix_attendees_event_arrival", "event_id", "arrival_id"),
    )

    id: Mapped[str] = mapped_column(ATTENDEE_ID, primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"))
    first_name: Mapped[str] = mapped_column(String(L.MAX_NAME_CHARS))
    last_name: Mapped[str] = mapped_column(String(L.MAX_NAME_CHARS), default="")
    email: Mapped[str | None] = mapped_column(String(L.MAX_EMAIL_CHARS))  # lower-cased
    status: Mapped[str] = mapped_column(String(16), default="confirmed")
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime)  # to tell "admitted while cancelled"
    ticket_code: Mapped[str] = mapped_column(String(L.MAX_TICKET_CODE_CHARS))
    ticket_type: Mapped[str] = mapped_column(String(L.MAX_TICKET_TYPE_CHARS), default="General")
    plus_ones: Mapped[int] = mapped_column(Integer, default=0)
    is_walkin: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[str | None] = mapped_column(ATTENDEE_ID)
    created_by_device: Mapped[str | None] = mapped_column(ID)  # walk-ins
    seq: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # Cache of sync.ledger.replay over this attendee's log, rewritten with it.
    inside: Mapped[bool] = mapped_column(Boolean, default=False)
    arrival_id: Mapped[str | None] = mapped_column(UUID)


class RevocationRow(Base):
    __tablename__ = "revocations"
    __table_args__ = (UniqueConstraint("event_id", "seq", name="uq_revocations_event_seq"),)

    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), primary_key=True)
    ticket_code: Mapped[str] = mapped_column(String(L.MAX_TICKET_CODE_CHARS), primary_key=True)
    reason: Mapped[str] = mapped_column(String(L.MAX_REVOCATION_REASON_CHARS), default="")
    revoked: Mapped[bool] = mapped_column(Boolean, default=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class CheckinRow(Base):
    """One scan as a kiosk pushed it, plus what the server derived. Never deleted."""

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("event_id", "seq", name="uq_checkins_event_seq"),
        Index("ix_checkins_attendee", "attendee_id"),
        Index("ix_checkins_pushed_attendee", "pushed_attendee_id"),
    )

    id: Mapped[str] = mapped_column(UUID, primary_key=True)  # client UUID
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"))
    attendee_id: Mapped[str | None] = mapped_column(ATTENDEE_ID)  # canonical, resolved by the server
    pushed_attendee_id: Mapped[str | None] = mapped_column(ATTENDEE_ID)
    ticket_code: Mapped[str] = mapped_column(String(L.MAX_TICKET_CODE_CHARS), default="")
    kind: Mapped[str] = mapped_column(String(8))
    result: Mapped[str] = mapped_column(String(L.MAX_RESULT_CHARS))
    undoes_id: Mapped[str | None] = mapped_column(UUID)
    device_id: Mapped[str] = mapped_column(ID)
    door: Mapped[str] = mapped_column(String(L.MAX_DOOR_CHARS), default="")
    operator: Mapped[str] = mapped_column(String(L.MAX_OPERATOR_CHARS), default="")
    device_time: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str | None] = mapped_column(String(L.MAX_OVERRIDE_REASON_CHARS))  # a forced check-in's
    received_at: Mapped[datetime] = mapped_column(DateTime)
    pushed_by: Mapped[str | None] = mapped_column(ID)  # the authenticated device, if any
    seq: Mapped[int] = mapped_column(BigInteger)
    duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    duplicate_of: Mapped[str | None] = mapped_column(UUID)
    flag: Mapped[str] = mapped_column(String(L.MAX_FLAG_CHARS), default="")


class DeviceRow(Base):
    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(L.MAX_DEVICE_NAME_CHARS), default="")
    door: Mapped[str] = mapped_column(String(L.MAX_DOOR_CHARS), default="")
    app_version: Mapped[str] = mapped_column(String(L.MAX_APP_VERSION_CHARS), default="")
    enrolled_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_sync_at: Mapped[datetime | None] = mapped_column(DateTime)
    outbox_size: Mapped[int | None] = mapped_column(Integer)
    clock_offset_seconds: Mapped[float | None] = mapped_column(Float)
    last_pull_seq: Mapped[int | None] = mapped_column(BigInteger)


class EnrollmentCodeRow(Base):
    __tablename__ = "enrollment_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"))
    door: Mapped[str] = mapped_column(String(L.MAX_DOOR_CHARS), default="")
    name: Mapped[str] = mapped_column(String(L.MAX_DEVICE_NAME_CHARS), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    used_by: Mapped[str | None] = mapped_column(ID)


class OrganizerTokenRow(Base):
    __tablename__ = "organizer_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(L.MAX_DEVICE_NAME_CHARS), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
