"""The envelope every reply comes in, its error codes, and :func:`unwrap`."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from sync.wire.types import Reply, UtcDateTime

# Error codes (error.code). HTTP status in brackets.
E_UNAUTHORIZED = "unauthorized"  # [401] no token, unknown token, revoked token
E_FORBIDDEN = "forbidden"  # [403] a device token used on another event, or a device on an organizer route
E_NOT_FOUND = "not_found"  # [404]
E_PAYLOAD_TOO_LARGE = "payload_too_large"  # [413]
E_VALIDATION = "validation_error"  # [422] malformed body or query; details lists the problems
E_ENROLLMENT_CODE = "enrollment_code_invalid"  # [401] unknown, used or expired enrollment code
E_CONFLICT = "conflict"  # [409]
E_BAD_REQUEST = "bad_request"  # [400] e.g. a CSV that cannot be read at all
E_INTERNAL = "internal_error"  # [500]


class ErrorBody(Reply):
    code: str
    message: str
    details: Any | None = None


class Meta(Reply):
    server_time: UtcDateTime  # when the server answered, to estimate the client's clock offset
    api_version: str = "1"


T = TypeVar("T")


class Envelope(Reply, Generic[T]):
    success: bool
    data: T | None = None
    error: ErrorBody | None = None
    meta: Meta


class WireError(Exception):
    """An error envelope (or a reply that is not an envelope at all), raised by :func:`unwrap`."""

    def __init__(self, code: str, message: str, status: int | None = None, details: Any = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.details = details


def unwrap(body: Any, model: type[T], status: int | None = None) -> tuple[T, Meta]:
    """Validate a decoded JSON response body; return ``(data, meta)`` or raise :class:`WireError`."""
    from pydantic import ValidationError

    if not isinstance(body, dict) or "success" not in body:
        raise WireError("bad_reply", "The server's reply is not an API envelope.", status)
    try:
        envelope = Envelope[Any].model_validate(body)
    except ValidationError as exc:
        raise WireError("bad_reply", f"The server's reply is malformed: {exc.errors()[0]['msg']}", status) from exc
    if not envelope.success:
        error = envelope.error or ErrorBody(code="unknown", message="The server reported an unspecified error.")
        raise WireError(error.code, error.message, status, error.details)
    try:
        from pydantic import TypeAdapter

        data = TypeAdapter(model).validate_python(envelope.data)
    except ValidationError as exc:
        raise WireError("bad_reply", f"The server's reply is malformed: {exc.errors()[0]['msg']}", status) from exc
    return data, envelope.meta
