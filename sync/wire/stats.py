"""The organizer's figures (``GET /events/{id}/stats`` and its live stream) and the health check."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sync.wire.types import Reply, UtcDateTime


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
    overrides: int = 0  # entries a supervisor forced past the door rules (admitted_override), not undone
    venue_capacity: int | None = None
    per_door: list[DoorStats] = Field(default_factory=list)
    arrivals_per_5min: list[ArrivalBucket] = Field(default_factory=list)
    devices: list[DeviceStatus] = Field(default_factory=list)
    high_water_seq: int = 0
    generated_at: UtcDateTime


class Health(Reply):
    status: Literal["ok", "degraded"]
    database: bool
    version: str = ""
