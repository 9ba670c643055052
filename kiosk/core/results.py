"""The vocabulary of a door decision: result kinds, colours and the plain-words result."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum


class Result(StrEnum):
    ADMITTED = "admitted"
    ADMITTED_OVERRIDE = "admitted_override"  # let in by a supervisor past the door rules, with a reason
    EXITED = "exited"
    ALREADY_CHECKED_IN = "already_checked_in"
    NOT_INSIDE = "not_inside"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    REVOKED = "revoked"
    UNKNOWN_CODE = "unknown_code"
    WRONG_EVENT = "wrong_event"
    INVALID_SIGNATURE = "invalid_signature"
    MALFORMED = "malformed"
    NO_EVENT = "no_event"

    @property
    def colour(self) -> str:
        if self in (Result.ADMITTED, Result.ADMITTED_OVERRIDE, Result.EXITED):
            return "green"
        if self in (Result.ALREADY_CHECKED_IN, Result.NOT_INSIDE, Result.WAITLISTED):
            return "amber"
        return "red"

    @property
    def ok(self) -> bool:
        return self.colour == "green"


@dataclass(frozen=True)
class AttendeeView:
    """What a screen or a script needs to know about an attendee."""

    id: str
    first_name: str
    last_name: str
    email: str | None
    ticket_code: str
    ticket_type: str
    status: str
    plus_ones: int
    is_walkin: bool
    inside: bool
    checked_in: bool

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @classmethod
    def of(cls, attendee) -> "AttendeeView":
        return cls(
            id=attendee.id,
            first_name=attendee.first_name,
            last_name=attendee.last_name,
            email=attendee.email,
            ticket_code=attendee.ticket_code,
            ticket_type=attendee.ticket_type,
            status=attendee.status,
            plus_ones=attendee.plus_ones,
            is_walkin=attendee.is_walkin,
            inside=attendee.inside,
            checked_in=attendee.arrival_id is not None,
        )

    def to_json(self) -> dict:
        return asdict(self) | {"full_name": self.full_name}


@dataclass(frozen=True)
class FirstCheckin:
    time: datetime  # UTC
    door: str

    def to_json(self) -> dict:
        return {"time": self.time.isoformat() + "Z", "door": self.door}


@dataclass(frozen=True)
class Decision:
    result: Result
    reason: str  # plain words for door staff
    attendee: AttendeeView | None = None
    first_checkin: FirstCheckin | None = None
    checkin_id: str | None = None  # the log row written for this scan
    direction: str = "entry"

    @property
    def colour(self) -> str:
        return self.result.colour

    def to_json(self) -> dict:
        return {
            "result": self.result.value,
            "colour": self.colour,
            "reason": self.reason,
            "direction": self.direction,
            "attendee": self.attendee.to_json() if self.attendee else None,
            "first_checkin": self.first_checkin.to_json() if self.first_checkin else None,
            "checkin_id": self.checkin_id,
        }
