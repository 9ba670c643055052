"""Events and their ticket-signing keys."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field, StrictBool, StrictInt

from sync import limits
from sync.wire.types import EventStatus, Identifier, Reply, Request, UtcDateTime


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
    name: Annotated[str, Field(min_length=1, max_length=limits.MAX_EVENT_NAME_CHARS)]
    venue_capacity: Annotated[StrictInt, Field(ge=0, le=limits.MAX_VENUE_CAPACITY)] | None = None
    timezone: Annotated[str, Field(min_length=1, max_length=limits.MAX_TIMEZONE_CHARS),
                        AfterValidator(_known_zone)] = "UTC"
    starts_at: UtcDateTime | None = None
    status: EventStatus = "published"
    settings: dict[str, Any] = Field(default_factory=dict)


class NewSigningKeyRequest(Request):
    # Keep the older keys valid (rotation) or retire them all at once (compromise).
    retire_others: StrictBool = False
