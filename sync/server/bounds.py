"""What the wire schemas cannot say about a request, checked on every route before its handler runs.

Every value a client sends must be storable on SQLite and on PostgreSQL, or be
refused with a 422 envelope: never a 500 from the database. The wire schemas
bound most fields; this adds what is checked across fields or outside them:
no NUL character in any text (PostgreSQL cannot store one), a heartbeat's
outbox size, and an event's free-form settings (size, depth, integers). Bounds
come from :mod:`sync.limits`.
"""

from __future__ import annotations

import functools
import inspect
import json
from typing import Any, Callable, Iterator

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel

from sync import limits, wire

Location = tuple[str | int, ...]


def invalid(problems: list[tuple[Location, str]]) -> RequestValidationError:
    """A request refused as malformed (422, ``validation_error``), one entry per problem."""
    return RequestValidationError([
        {"loc": ("body", *loc), "msg": message, "type": "value_error"} for loc, message in problems
    ])


def _nul_characters(value: Any, loc: Location, depth: int = 0) -> Iterator[tuple[Location, str]]:
    if isinstance(value, str):
        if "\x00" in value:
            yield loc, "Text may not contain a NUL character"
    elif depth > limits.MAX_SETTINGS_DEPTH + 4:
        return  # deeper than anything the schemas allow: _settings_problems refuses it
    elif isinstance(value, BaseModel):
        for name, field_value in value.__dict__.items():
            yield from _nul_characters(field_value, (*loc, name), depth + 1)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _nul_characters(item, (*loc, index), depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nul_characters(key, (*loc, str(key)), depth + 1)
            yield from _nul_characters(item, (*loc, str(key)), depth + 1)


def _too_deep(value: Any, depth: int) -> bool:
    if depth > limits.MAX_SETTINGS_DEPTH:
        return True
    if isinstance(value, dict):
        return any(_too_deep(item, depth + 1) for item in value.values())
    if isinstance(value, list):
        return any(_too_deep(item, depth + 1) for item in value)
    return False


def _big_integers(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > limits.MAX_SETTINGS_INT
    if isinstance(value, dict):
        return any(_big_integers(item) for item in value.values())
    if isinstance(value, list):
        return any(_big_integers(item) for item in value)
    return False


def settings_problem(settings: dict) -> str | None:
    """Why an event's settings cannot be stored, or None."""
    if _too_deep(settings, 1):
        return f"Settings may nest objects and arrays at most {limits.MAX_SETTINGS_DEPTH} deep"
    if _big_integers(settings):
        return f"Integers in settings must lie within ±{limits.MAX_SETTINGS_INT}"
    try:
        size = len(json.dumps(settings, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    except (ValueError, TypeError):
        return "Settings must be plain JSON"
    if size > limits.MAX_SETTINGS_BYTES:
        return f"Settings may be at most {limits.MAX_SETTINGS_BYTES // 1024} KB of JSON"
    return None


def problems_of(body: BaseModel) -> list[tuple[Location, str]]:
    """Everything that stops this request body from being stored (empty when it may be)."""
    problems: list[tuple[Location, str]] = []
    if isinstance(body, wire.CreateEventRequest):
        problem = settings_problem(body.settings)
        if problem:
            problems.append((("settings",), problem))
    if isinstance(body, wire.HeartbeatRequest) and body.outbox_size > limits.MAX_OUTBOX_SIZE:
        problems.append((("outbox_size",), f"Input should be less than or equal to {limits.MAX_OUTBOX_SIZE}"))
    if not problems:
        problems.extend(_nul_characters(body, ()))
    return problems


def check_body(body: BaseModel) -> None:
    problems = problems_of(body)
    if problems:
        raise invalid(problems[:50])


def _checked(endpoint: Callable) -> Callable:
    """The endpoint, checking each request-body argument with :func:`check_body` first."""

    def check(kwargs: dict) -> None:
        for value in kwargs.values():
            if isinstance(value, BaseModel):
                check_body(value)

    if inspect.iscoroutinefunction(endpoint):
        @functools.wraps(endpoint)
        async def checked_async(*args, **kwargs):
            check(kwargs)
            return await endpoint(*args, **kwargs)

        return checked_async

    @functools.wraps(endpoint)
    def checked(*args, **kwargs):
        check(kwargs)
        return endpoint(*args, **kwargs)

    return checked


class BoundedRoute(APIRoute):
    """A route whose request bodies pass :func:`check_body` before the handler sees them."""

    def __init__(self, path: str, endpoint: Callable, **kwargs):
        super().__init__(path, _checked(endpoint), **kwargs)
