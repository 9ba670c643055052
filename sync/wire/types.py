"""The wire's limits, field types and the two kinds of body (strict requests, lenient replies)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer

from sync import limits

API_PREFIX = "/api/v1"
MAX_BATCH_ITEMS = 1000  # check-ins or walk-ins in one push
MAX_PAGE_LIMIT = 5000  # changes in one pull page
DEFAULT_PAGE_LIMIT = 1000
MAX_BODY_BYTES = 5 * 1024 * 1024  # larger request bodies are refused with 413


def _utc_naive(moment: datetime) -> datetime:
    """Aware times are converted to UTC; naive ones are taken to be UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def format_utc(moment: datetime) -> str:
    """The wire form of a naive-UTC time: the same as ``sync.outbox.iso``."""
    return _utc_naive(moment).isoformat() + "Z"


UtcDateTime = Annotated[
    datetime,
    AfterValidator(_utc_naive),
    PlainSerializer(format_utc, return_type=str, when_used="json"),
]

Uuid = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
Identifier = Annotated[str, Field(min_length=1, max_length=limits.MAX_IDENTIFIER_CHARS,
                                  pattern=limits.IDENTIFIER_PATTERN)]
AttendeeId = Annotated[str, Field(min_length=1, max_length=limits.MAX_ATTENDEE_ID_CHARS,
                                  pattern=limits.IDENTIFIER_PATTERN)]
TicketCode = Annotated[str, Field(max_length=limits.MAX_TICKET_CODE_CHARS)]
Name = Annotated[str, Field(max_length=limits.MAX_NAME_CHARS)]
Email = Annotated[str, Field(max_length=limits.MAX_EMAIL_CHARS)]
Door = Annotated[str, Field(max_length=limits.MAX_DOOR_CHARS)]
ResultCode = Annotated[str, Field(min_length=1, max_length=limits.MAX_RESULT_CHARS, pattern=r"^[a-z_]+$")]
Flag = Annotated[str, Field(max_length=limits.MAX_FLAG_CHARS)]
# Why a supervisor forced a check-in past the door rules (an admitted_override entry).
OverrideReason = Annotated[str, Field(min_length=1, max_length=limits.MAX_OVERRIDE_REASON_CHARS)]
Seq = Annotated[int, Field(ge=0)]

CheckinKind = Literal["entry", "exit", "undo"]
AttendeeStatus = Literal["confirmed", "waitlisted", "cancelled"]
EventStatus = Literal["draft", "published", "cancelled", "completed"]


class Request(BaseModel):
    """A body a client sends: strict, unknown fields refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Reply(BaseModel):
    """A body the server sends: unknown fields ignored, so the server may add some."""

    model_config = ConfigDict(extra="ignore")
