"""Kiosk devices: one-time enrollment codes, enrollment, heartbeats, revocation."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sync import wire
from sync.server.auth import DEVICE_TOKEN_PREFIX, Principal, new_token, token_hash
from sync.server.errors import ApiError
from sync.server.events import get_event
from sync.server.models import DeviceRow, EnrollmentCodeRow

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: read aloud and typed by hand
CODE_GROUPS = 3
ENROLL_URI_SCHEME = "checkin-kiosk://enroll"


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def enroll_uri(server_url: str | None, code: str) -> str:
    """What an enrollment QR code holds: the code, and the server when it is known."""
    query = {"code": code}
    if server_url:
        query = {"server": server_url.rstrip("/"), "code": code}
    return f"{ENROLL_URI_SCHEME}?{urlencode(query)}"


def create_enrollment_code(
    session: Session, event_id: str, request: wire.EnrollmentCodeRequest, now: datetime
) -> wire.EnrollmentCode:
    get_event(session, event_id)
    groups = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(CODE_GROUPS)]
    code = "-".join(groups)  # ~59 bits: 12 characters from 30
    expires = now + timedelta(minutes=request.ttl_minutes)
    session.add(EnrollmentCodeRow(
        code_hash=token_hash(normalise_code(code)), event_id=event_id, door=request.door, name=request.name,
        created_at=now, expires_at=expires,
    ))
    return wire.EnrollmentCode(code=code, event_id=event_id, door=request.door, expires_at=expires)


def enroll(session: Session, request: wire.EnrollRequest, now: datetime) -> wire.EnrollResponse:
    digest = token_hash(normalise_code(request.code))
    device_id = request.device_id
    if not device_id or session.get(DeviceRow, device_id) is not None:
        device_id = f"dev-{secrets.token_hex(6)}"
    # Claim the code atomically: of two kiosks racing with one code, exactly one wins.
    claimed = session.execute(
        update(EnrollmentCodeRow)
        .where(
            EnrollmentCodeRow.code_hash == digest,
            EnrollmentCodeRow.used_at.is_(None),
            EnrollmentCodeRow.expires_at > now,
        )
        .values(used_at=now, used_by=device_id)
    ).rowcount
    if claimed != 1:
        row = session.get(EnrollmentCodeRow, digest)
        if row is None:
            message = "This enrollment code is not known: check it, or ask the organizer for a new one."
        elif row.used_at is not None:
            message = "This enrollment code has already been used: ask the organizer for a new one."
        else:
            message = "This enrollment code has expired: ask the organizer for a new one."
        raise ApiError(401, wire.E_ENROLLMENT_CODE, message)
    code_row = session.get(EnrollmentCodeRow, digest)
    token = new_token(DEVICE_TOKEN_PREFIX)
    name = code_row.name or request.name  # the organizer's name for this kiosk, else the one it sent
    session.add(DeviceRow(
        id=device_id, event_id=code_row.event_id, token_hash=token_hash(token), name=name, door=code_row.door,
        app_version=request.app_version, enrolled_at=now, last_seen_at=now,
    ))
    session.flush()
    return wire.EnrollResponse(
        device_id=device_id, device_token=token, event_id=code_row.event_id, door=code_row.door, name=name
    )


def heartbeat(
    session: Session, principal: Principal, request: wire.HeartbeatRequest, now: datetime,
) -> wire.HeartbeatResponse:
    device = session.get(DeviceRow, principal.device_id)
    offset = (now - request.device_time).total_seconds()
    device.last_seen_at = now
    device.outbox_size = request.outbox_size
    device.last_sync_at = request.last_sync_at
    device.clock_offset_seconds = offset
    if request.door:
        device.door = request.door
    if request.app_version:
        device.app_version = request.app_version
    return wire.HeartbeatResponse(
        device_id=device.id, event_id=device.event_id, server_time=now, clock_offset_seconds=offset,
        revoked=device.revoked_at is not None,
    )


def note_pull(session: Session, device_id: str, pulled_seq: int | None, now: datetime) -> None:
    """A device pulled the check-in log up to ``pulled_seq``: it is alive and this far behind."""
    values: dict = {"last_seen_at": now}
    if pulled_seq is not None:
        values["last_pull_seq"] = pulled_seq
    session.execute(update(DeviceRow).where(DeviceRow.id == device_id).values(**values))


def revoke_device(session: Session, device_id: str, now: datetime) -> wire.DeviceRevoked:
    device = session.get(DeviceRow, device_id)
    if device is None:
        raise ApiError(404, wire.E_NOT_FOUND, f"There is no device {device_id}.")
    if device.revoked_at is None:
        device.revoked_at = now
    return wire.DeviceRevoked(device_id=device.id, revoked=True)


def event_devices(session: Session, event_id: str) -> list[DeviceRow]:
    return list(session.scalars(select(DeviceRow).where(DeviceRow.event_id == event_id).order_by(DeviceRow.id)))
