"""Devices: enrolling, enrollment codes, heartbeats, revoking; the organizer's token."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictInt

from sync import limits
from sync.wire.types import Door, Identifier, Reply, Request, UtcDateTime


class EnrollRequest(Request):
    code: Annotated[str, Field(min_length=4, max_length=64)]
    device_id: Identifier | None = None  # the replica's device id, kept when free
    name: Annotated[str, Field(max_length=limits.MAX_DEVICE_NAME_CHARS)] = ""  # e.g. the host name
    app_version: Annotated[str, Field(max_length=limits.MAX_APP_VERSION_CHARS)] = ""


class EnrollResponse(Reply):
    device_id: str  # the id to use from now on in check-ins and heartbeats
    device_token: str  # bearer token; keep it in the OS keyring
    event_id: str
    door: str = ""
    name: str = ""


class EnrollmentCodeRequest(Request):
    door: Door = ""
    name: Annotated[str, Field(max_length=limits.MAX_DEVICE_NAME_CHARS)] = ""
    ttl_minutes: Annotated[StrictInt, Field(ge=limits.MIN_ENROLLMENT_TTL_MINUTES,
                                            le=limits.MAX_ENROLLMENT_TTL_MINUTES)] = 60 * 24


class EnrollmentCode(Reply):
    code: str  # one-time
    event_id: str
    door: str = ""
    expires_at: UtcDateTime


class HeartbeatRequest(Request):
    door: Door = ""
    outbox_size: Annotated[StrictInt, Field(ge=0)] = 0  # the server bounds it (sync.limits.MAX_OUTBOX_SIZE)
    last_sync_at: UtcDateTime | None = None
    device_time: UtcDateTime  # the device's clock now
    app_version: Annotated[str, Field(max_length=limits.MAX_APP_VERSION_CHARS)] = ""


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
