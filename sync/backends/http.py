"""JSON over HTTP for a backend: one keep-alive ``httpx.Client``, every failure one :class:`SyncError`.

Whatever goes wrong on the way — no network, a timeout, a cut connection, a
reply that is not JSON — becomes a ``SyncError`` with one clear sentence, never
another exception. Nothing is retried here: the sync engine decides when to try
again, and the APIs are idempotent, so trying again is always safe.

No reply is trusted: one request has an overall deadline (a reply trickling a
byte at a time is cut off, not waited for), the body is streamed and never
read past :data:`MAX_REPLY_BYTES`, and JSON nested too deeply to decode is a
bad reply, not a crash.
"""

from __future__ import annotations

import json as jsonlib
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from sync.backends.errors import BadReplyError, NetworkError, OfflineError, SyncError

DEFAULT_TIMEOUT = 15.0  # seconds per read; a 5000-item page is ~2 MB
CONNECT_TIMEOUT = 5.0
REQUEST_SECONDS = 60.0  # one request, from sending to the last byte of its reply
MAX_REPLY_BYTES = 32 * 1024 * 1024  # a 5000-item page is ~2.5 MB


def normalise_server_url(url: str, api_prefix: str = "") -> str:
    """``host:8000`` or ``http://host:8000/`` -> ``http://host:8000``; refuses anything else.

    A trailing ``api_prefix`` (e.g. ``/api/v1``) is taken off.
    """
    url = (url or "").strip()
    if not url:
        raise SyncError("No server address was given.", code="bad_url", status=None)
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SyncError(f"{url!r} is not a server address (expected http://host:port).", code="bad_url")
    if parts.query or parts.fragment:
        raise SyncError(f"{url!r} is not a server address: remove the part after ? or #.", code="bad_url")
    path = parts.path.rstrip("/")
    if api_prefix and path.endswith(api_prefix):
        path = path[: -len(api_prefix)]
    return f"{parts.scheme}://{parts.netloc}{path}"


@dataclass(frozen=True)
class HttpReply:
    status: int
    body: Any  # the decoded JSON, or None when the body is not JSON
    content_type: str
    size: int  # bytes read
    path: str


class JsonHttp:
    """Requests to one server; :meth:`request` returns an :class:`HttpReply` or raises ``SyncError``."""

    def __init__(self, base_url: str, *, where: str, headers: dict[str, str], timeout: float = DEFAULT_TIMEOUT,
                 transport: httpx.BaseTransport | None = None, request_seconds: float = REQUEST_SECONDS,
                 max_reply_bytes: int = MAX_REPLY_BYTES):
        self.where = where  # the server as people know it, for messages
        self.read_timeout = timeout
        self.request_seconds = request_seconds
        self.max_reply_bytes = max_reply_bytes
        self._http = httpx.Client(
            base_url=base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, *, json: Any = None, params: dict | None = None,
                deadline: float | None = None) -> HttpReply:
        """One request; ``deadline`` (``time.monotonic()``) ends it sooner than ``request_seconds``."""
        where = self.where
        started = time.monotonic()
        end = started + self.request_seconds if deadline is None else min(started + self.request_seconds, deadline)
        if end <= started:
            raise NetworkError(f"No time was left in this sync round to ask {where}; it goes on at the next round.",
                               code="timeout")
        left = end - started
        timeout = httpx.Timeout(min(self.read_timeout, left), connect=min(CONNECT_TIMEOUT, self.read_timeout, left))
        try:
            with self._http.stream(method, path, json=json, params=params, timeout=timeout) as response:
                content = self._read(response, end)
        except httpx.ConnectTimeout as exc:
            raise OfflineError(f"The server at {where} does not answer (connection timed out).",
                               code="offline") from exc
        except httpx.ConnectError as exc:
            raise OfflineError(f"Cannot reach the server at {where} ({_reason(exc)}).", code="offline") from exc
        except httpx.TimeoutException as exc:
            raise NetworkError(f"The server at {where} took too long to answer.", code="timeout") from exc
        except httpx.TransportError as exc:
            # Reset, cut off mid-reply (content shorter than announced), protocol garbage.
            raise NetworkError(
                f"The connection to {where} broke off before the reply was complete ({_reason(exc)}).",
                code="connection_broken",
            ) from exc
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        return HttpReply(response.status_code, self._decode(content), kind, len(content), response.url.path)

    def _read(self, response: httpx.Response, end: float) -> bytes:
        """The body, streamed: never more than ``max_reply_bytes``, never past ``end``."""
        limit = self.max_reply_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise self._too_large(limit)
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise self._too_large(limit)
            if time.monotonic() > end:
                raise NetworkError(f"The server at {self.where} took too long to answer (the reply was still "
                                   "arriving when its time was up).", code="timeout")
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, limit: int) -> BadReplyError:
        return BadReplyError(f"The reply from {self.where} is larger than {limit // (1024 * 1024)} MiB; "
                             "it was not read.", code="bad_reply")

    def _decode(self, content: bytes) -> Any:
        """The JSON of a reply, or None when it is not JSON."""
        if not content:
            return None
        try:
            return jsonlib.loads(content)
        except ValueError:
            return None
        except RecursionError:
            raise BadReplyError(f"The reply from {self.where} is nested too deeply to be read.",
                                code="bad_reply") from None


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text[:120] if text else type(exc).__name__
