"""Bearer tokens: device tokens (one event, revocable) and organizer tokens. Stored hashed.

A token is random (256 bits), so a plain SHA-256 is enough to store it: the
database alone never lets anyone act as a device or an organizer.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from sync import wire
from sync.clock import utcnow
from sync.server.errors import ApiError
from sync.server.models import DeviceRow, OrganizerTokenRow

DEVICE_TOKEN_PREFIX = "ckd_"
ORGANIZER_TOKEN_PREFIX = "cko_"

bearer = HTTPBearer(auto_error=False, description="A device token (from enrollment) or an organizer token.")


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    kind: str  # "device" | "organizer"
    device_id: str | None = None
    event_id: str | None = None  # a device's only event
    door: str = ""
    token_hash: str = field(default="", repr=False)  # to tell later whether the token still holds

    @property
    def is_organizer(self) -> bool:
        return self.kind == "organizer"

    def require_event(self, event_id: str) -> None:
        if not self.is_organizer and self.event_id != event_id:
            raise ApiError(403, wire.E_FORBIDDEN, "This device is enrolled for another event.")

    def require_organizer(self) -> None:
        if not self.is_organizer:
            raise ApiError(403, wire.E_FORBIDDEN, "This needs an organizer token, not a device token.")

    def require_device(self) -> None:
        if self.kind != "device":
            raise ApiError(403, wire.E_FORBIDDEN, "This needs a device token.")


def authenticate(session: Session, token: str) -> Principal:
    if len(token) > 200:
        raise ApiError(401, wire.E_UNAUTHORIZED, "The bearer token is not valid.")
    digest = token_hash(token)
    if token.startswith(ORGANIZER_TOKEN_PREFIX):
        row = session.get(OrganizerTokenRow, digest)
        if row is not None and row.revoked_at is None:
            return Principal("organizer", token_hash=digest)
    else:
        device = session.scalar(select(DeviceRow).where(DeviceRow.token_hash == digest))
        if device is not None:
            if device.revoked_at is not None:
                raise ApiError(401, wire.E_UNAUTHORIZED, "This device has been revoked: enroll it again.")
            return Principal("device", device.id, device.event_id, device.door, token_hash=digest)
    raise ApiError(401, wire.E_UNAUTHORIZED, "The bearer token is not valid.")


def still_valid(session: Session, principal: Principal) -> bool:
    """Whether the token a principal authenticated with still holds (not revoked since)."""
    if principal.is_organizer:
        row = session.get(OrganizerTokenRow, principal.token_hash)
        return row is not None and row.revoked_at is None
    revoked_at = session.execute(
        select(DeviceRow.revoked_at).where(DeviceRow.id == principal.device_id,
            DeviceRow.token_hash == principal.token_hash)
    ).first()
    return revoked_at is not None and revoked_at[0] is None


def current_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise ApiError(401, wire.E_UNAUTHORIZED, "A bearer token is required (Authorization: Bearer <token>).")
    with request.app.state.db.read() as session:
        return authenticate(session, credentials.credentials)


def create_organizer_token(session: Session, name: str = "") -> str:
    token = new_token(ORGANIZER_TOKEN_PREFIX)
    session.add(OrganizerTokenRow(token_hash=token_hash(token), name=name[:100], created_at=utcnow()))
    return token
