"""JSON over HTTP for a backend: one keep-alive ``httpx.Client``, every failure one :class:`SyncError`.

Whatever goes wrong on the way — no network, a timeout, a cut connection, a
reply that is not JSON — becomes a ``SyncError`` with one clear sentence, never
another exception. Nothing is retried here: the sync engine decides when to try
again, and the APIs are idempotent, so trying again is always safe.
"""

from __future__ import annotations

import json as jsonlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from sync.backends.errors import NetworkError, OfflineError, SyncError

DEFAULT_TIMEOUT = 15.0  # seconds per read; a 5000-item page is ~2 MB
CONNECT_TIMEOUT = 5.0


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
                 transport: httpx.BaseTransport | None = None):
        self.where = where  # the server as people know it, for messages
        self._http = httpx.Client(
            base_url=base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, *, json: Any = None, params: dict | None = None) -> HttpReply:
        where = self.where
        try:
            response = self._http.request(method, path, json=json, params=params)
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
        content = response.content
        try:
            body = jsonlib.loads(content) if content else None
        except ValueError:
            body = None
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        return HttpReply(response.status_code, body, kind, len(content), response.url.path)


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text[:120] if text else type(exc).__name__
