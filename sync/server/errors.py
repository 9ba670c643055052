"""Every answer in the envelope: success bodies, errors, and the request size limit."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync import wire
from sync.clock import utcnow

log = logging.getLogger(__name__)

CODES_BY_STATUS = {
    400: wire.E_BAD_REQUEST,
    401: wire.E_UNAUTHORIZED,
    403: wire.E_FORBIDDEN,
    404: wire.E_NOT_FOUND,
    405: "method_not_allowed",
    409: wire.E_CONFLICT,
    413: wire.E_PAYLOAD_TOO_LARGE,
    415: "unsupported_media_type",
    422: wire.E_VALIDATION,
}


class ApiError(Exception):
    """An error for the client, answered as an error envelope."""

    def __init__(self, status: int, code: str, message: str, details: Any = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def _meta_json() -> str:
    return wire.Meta(server_time=utcnow()).model_dump_json()


def ok(data: BaseModel, status: int = 200) -> Response:
    """A success envelope around an already-built reply model (serialised once, not re-validated)."""
    body = f'{{"success":true,"data":{data.model_dump_json()},"error":null,"meta":{_meta_json()}}}'
    return Response(body, status_code=status, media_type="application/json")


def ok_json(data_json: str, status: int = 200) -> Response:
    """A success envelope around reply JSON built by hand (the bulk pages)."""
    body = f'{{"success":true,"data":{data_json},"error":null,"meta":{_meta_json()}}}'
    return Response(body, status_code=status, media_type="application/json")


def error_response(status: int, code: str, message: str, details: Any = None, headers: dict | None = None) -> Response:
    error = wire.ErrorBody(code=code, message=message, details=details).model_dump_json()
    body = f'{{"success":false,"data":null,"error":{error},"meta":{_meta_json()}}}'
    return Response(body, status_code=status, media_type="application/json", headers=headers)


UNREADABLE_BODY = "The request body is not valid JSON."
# FastAPI's functions that turn the request into the handler's arguments.
_READING_REQUEST = frozenset({"request_body_to_args", "request_params_to_args", "_validate_value_with_model_field"})


def _raised_reading_request(exc: BaseException) -> bool:
    """Whether ``exc`` came from validating the request (as opposed to the handler's own work)."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name in _READING_REQUEST:
            return True
        tb = tb.tb_next
    return False


def _validation_details(exc: RequestValidationError) -> list[dict]:
    details = []
    for problem in exc.errors()[:50]:
        details.append({
            "loc": [str(part) for part in problem.get("loc", ())],
            "msg": str(problem.get("msg", ""))[:300],
            "type": str(problem.get("type", "")),
        })
    return details


def _summary(details: list[dict]) -> str:
    if not details:
        return "The request is malformed."
    first = details[0]
    if first["type"] == "json_invalid":
        return UNREADABLE_BODY
    where = ".".join(part for part in first["loc"] if part != "body") or "body"
    more = f" (and {len(details) - 1} more problem{'s' if len(details) > 2 else ''})" if len(details) > 1 else ""
    return f"The request is malformed: {where}: {first['msg']}{more}."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def on_api_error(_request: Request, exc: ApiError):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return error_response(exc.status, exc.code, exc.message, exc.details, headers)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(_request: Request, exc: RequestValidationError):
        details = _validation_details(exc)
        return error_response(422, wire.E_VALIDATION, _summary(details), details)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400 and isinstance(exc.__cause__, (ValueError, RecursionError)):
            # FastAPI could not parse the body: a number too long to read, nesting too deep, ...
            return error_response(422, wire.E_VALIDATION, UNREADABLE_BODY, [
                {"loc": ["body"], "msg": str(exc.__cause__)[:300], "type": "json_invalid"}])
        code = CODES_BY_STATUS.get(exc.status_code, "http_error")
        if exc.status_code == 404:
            message = f"There is no {request.method} {request.url.path} in this API."
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}."
        else:
            message = str(exc.detail)
        return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(OverflowError)
    async def on_overflow(_request: Request, exc: OverflowError):
        if _raised_reading_request(exc):
            # A value the schemas accept but Python cannot represent, e.g. a time with an
            # offset that moves it past year 9999: the request's fault, not a bug.
            return error_response(422, wire.E_VALIDATION, f"The request is malformed: a value is out of range ({exc}).",
                                  [{"loc": ["body"], "msg": str(exc)[:300], "type": "value_error"}])
        log.error("unexpected error", exc_info=exc)
        return error_response(500, wire.E_INTERNAL, "The server hit an unexpected error; it has been logged.")

    @app.exception_handler(DataError)
    async def on_unstorable(_request: Request, exc: DataError):
        # Every value is bounded before it reaches the database (sync.limits, sync.server.bounds);
        # if one still does not fit, the request is refused, and the gap is logged to be closed.
        log.warning("a request held a value the database cannot store", exc_info=exc)
        return error_response(422, wire.E_VALIDATION, "The request holds a value the server cannot store.")

    @app.exception_handler(Exception)
    async def on_bug(_request: Request, exc: Exception):
        from sqlalchemy.exc import OperationalError

        from sync.server.database import DatabaseUnavailable

        if isinstance(exc, (DatabaseUnavailable, OperationalError)):
            log.warning("database unavailable: %s", exc)
            return error_response(503, "unavailable", "The server's database is unavailable; try again shortly.")
        log.exception("unexpected error")
        return error_response(500, wire.E_INTERNAL, "The server hit an unexpected error; it has been logged.")


class BodySizeLimit:
    """Refuse request bodies over a limit with 413, before the app reads them.

    Bodies are buffered up to the limit (a declared Content-Length over it is
    refused at once); roster uploads get a larger limit than the JSON routes.
    """

    def __init__(self, app: ASGIApp, default_limit: int, limits_by_suffix: dict[str, int]):
        self.app = app
        self.default_limit = default_limit
        self.limits_by_suffix = limits_by_suffix

    def _limit(self, path: str) -> int:
        for suffix, limit in self.limits_by_suffix.items():
            if path.endswith(suffix):
                return limit
        return self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(scope, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        response = error_response(
            413, wire.E_PAYLOAD_TOO_LARGE,
            f"The request body is larger than {limit // (1024 * 1024)} MB; send smaller batches.",
            headers={"Connection": "close"},
        )
        await response(scope, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
