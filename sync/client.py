"""The kiosk's HTTP client of the central API (see docs/api.md).

One ``httpx.Client`` with keep-alive for every call. Every reply is read as the
API envelope and validated through the ``sync.wire`` models; whatever goes
wrong on the way — no network, a timeout, a cut connection, an HTTP 500, a
reply that is not JSON or not the expected shape, a revoked token — becomes a
:class:`SyncError` with one clear sentence, never another exception. The
client retries nothing itself: the sync engine decides when to try again, and
the API is idempotent, so trying again is always safe.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit

import httpx

from sync import wire
from sync.clock import utcnow

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_TIMEOUT = 15.0  # seconds per read; a 5000-item page is ~2 MB
CONNECT_TIMEOUT = 5.0


class SyncError(Exception):
    """A call to the central API failed; ``str()`` is one sentence for a person.

    ``retryable`` says whether the same call may succeed later without anyone
    doing anything (network and server trouble) or not (a revoked token).
    """

    retryable = True

    def __init__(self, message: str, *, code: str = "", status: int | None = None):
        super().__init__(message)
        self.code = code
        self.status = status


class OfflineError(SyncError):
    """The server cannot be reached at all (no route, refused, DNS, connect timeout)."""


class NetworkError(SyncError):
    """The server was reached but the exchange broke off (reset, cut reply, read timeout)."""


class ServerError(SyncError):
    """The server answered with a 5xx (or 429): its trouble, try later."""


class BadReplyError(SyncError):
    """The reply is not what the API promises: not JSON, truncated, or the wrong shape."""


class AuthError(SyncError):
    """The token (or enrollment code) is unknown, revoked or not for this event."""

    retryable = False


class RequestRefusedError(SyncError):
    """The server refused the request itself (4xx): sending it again will not help."""

    retryable = False


AUTH_CODES = {wire.E_UNAUTHORIZED, wire.E_FORBIDDEN, wire.E_ENROLLMENT_CODE}


def normalise_server_url(url: str) -> str:
    """``host:8000`` or ``http://host:8000/`` -> ``http://host:8000``; refuses anything else."""
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
    if path.endswith(wire.API_PREFIX):
        path = path[: -len(wire.API_PREFIX)]
    return f"{parts.scheme}://{parts.netloc}{path}"


class ApiClient:
    """The central API, one method per endpoint the kiosk uses."""

    def __init__(
        self,
        server_url: str,
        token: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], datetime] = utcnow,
        transport: httpx.BaseTransport | None = None,
        user_agent: str = "checkin-kiosk",
    ):
        self.server_url = normalise_server_url(server_url)
        self.clock = clock
        self.requests = 0  # calls made, for benchmarks and status
        self.clock_offset: float | None = None  # seconds: server clock minus ours, at the last reply
        self.last_server_time: datetime | None = None
        headers = {"User-Agent": user_agent, "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=self.server_url + wire.API_PREFIX,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "ApiClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- endpoints ---------------------------------------------------------

    def enroll(self, code: str, device_id: str | None, name: str = "", app_version: str = "") -> wire.EnrollResponse:
        body = {"code": code, "device_id": device_id, "name": name[:100], "app_version": app_version[:32]}
        return self._call("POST", "/devices/enroll", wire.EnrollResponse, json=body)

    def event(self, event_id: str) -> wire.Event:
        return self._call("GET", f"/events/{event_id}", wire.Event)

    def roster_page(self, event_id: str, cursor: int, limit: int = wire.MAX_PAGE_LIMIT) -> wire.RosterPage:
        page = self._call(
            "GET", f"/events/{event_id}/attendees", wire.RosterPage, params={"cursor": cursor, "limit": limit}
        )
        _check_page(page, cursor)
        return page

    def checkin_page(self, event_id: str, cursor: int, limit: int = wire.MAX_PAGE_LIMIT) -> wire.CheckinPage:
        page = self._call(
            "GET", f"/events/{event_id}/checkins", wire.CheckinPage, params={"cursor": cursor, "limit": limit}
        )
        _check_page(page, cursor)
        return page

    def push_checkins(self, event_id: str, items: list[dict]) -> list[wire.CheckinVerdict]:
        result = self._call("POST", f"/events/{event_id}/checkins", wire.CheckinBatchResult, json={"items": items})
        _check_verdicts(result.results, items)
        return result.results

    def push_walkins(self, event_id: str, items: list[dict]) -> list[wire.WalkinVerdict]:
        result = self._call("POST", f"/events/{event_id}/rsvp", wire.WalkinBatchResult, json={"items": items})
        _check_verdicts(result.results, items)
        return result.results

    def heartbeat(self, *, door: str, outbox_size: int, last_sync_at: datetime | None,
                  app_version: str = "") -> wire.HeartbeatResponse:
        body = {
            "door": door[:100],
            "outbox_size": outbox_size,
            "last_sync_at": wire.format_utc(last_sync_at) if last_sync_at else None,
            "device_time": wire.format_utc(self.clock()),
            "app_version": app_version[:32],
        }
        return self._call("POST", "/devices/heartbeat", wire.HeartbeatResponse, json=body)

    def stats(self, event_id: str) -> wire.Stats:
        return self._call("GET", f"/events/{event_id}/stats", wire.Stats)

    # ---- the one way every call goes ---------------------------------------

    def _call(self, method: str, path: str, model: type[T], *, json: Any = None, params: dict | None = None) -> T:
        where = self.server_url
        sent_at = self.clock()
        self.requests += 1
        try:
            response = self._http.request(method, path, json=json, params=params)
        except httpx.ConnectTimeout as exc:
            raise OfflineError(f"The server at {where} does not answer (connection timed out).", code="offline") from exc
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
        received_at = self.clock()
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or "success" not in body:
            raise self._not_an_envelope(response, status)
        try:
            data, meta = wire.unwrap(body, model, status)
        except wire.WireError as exc:
            raise self._from_wire_error(exc, status) from exc
        if status >= 400:
            raise BadReplyError(f"The server said HTTP {status} with a success reply; ignoring it.",
                                code="bad_reply", status=status)
        self._note_server_time(meta.server_time, sent_at, received_at)
        return data

    def _note_server_time(self, server_time: datetime, sent_at: datetime, received_at: datetime) -> None:
        midpoint = sent_at + (received_at - sent_at) / 2
        self.clock_offset = (server_time - midpoint).total_seconds()
        self.last_server_time = server_time

    def _not_an_envelope(self, response: httpx.Response, status: int) -> SyncError:
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        if status >= 500 or status == 429:
            return ServerError(f"The server had a problem (HTTP {status}); will try again.",
                               code="server_error", status=status)
        if status in (401, 403):
            return AuthError(f"The server refused this kiosk's credentials (HTTP {status}).",
                             code=wire.E_UNAUTHORIZED, status=status)
        if status == 404:
            return BadReplyError(
                f"{self.server_url} does not look like a check-in server (HTTP 404 at {response.url.path}).",
                code="not_found", status=status,
            )
        return BadReplyError(
            f"The server's reply could not be read (HTTP {status}, {kind}, {len(response.content)} bytes): "
            "it is not a complete API reply.",
            code="bad_reply", status=status,
        )

    def _from_wire_error(self, exc: wire.WireError, status: int) -> SyncError:
        if exc.code == "bad_reply":
            return BadReplyError(f"{exc.message} (HTTP {status})", code=exc.code, status=status)
        if exc.code in AUTH_CODES or status in (401, 403):
            return AuthError(_auth_message(exc), code=exc.code, status=status)
        if status >= 500 or status == 429:
            return ServerError(f"The server had a problem: {exc.message}", code=exc.code, status=status)
        return RequestRefusedError(f"The server refused the request: {exc.message}", code=exc.code, status=status)


def _auth_message(exc: wire.WireError) -> str:
    if exc.code == wire.E_ENROLLMENT_CODE:
        return f"The enrollment code was not accepted: {exc.message}"
    if exc.code == wire.E_FORBIDDEN:
        return f"This kiosk is not allowed to do that: {exc.message}"
    return f"The server no longer accepts this kiosk's token ({exc.message}); enroll it again."


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text[:120] if text else type(exc).__name__


def _check_page(page, cursor: int) -> None:
    """A page must move forward and be in order, or applying it could skip changes."""
    seqs = [item.seq for item in page.items]
    if any(seq <= cursor for seq in seqs) or seqs != sorted(seqs):
        raise BadReplyError("The server sent changes out of order; not applying them.", code="bad_reply")
    if seqs and page.next_cursor != seqs[-1]:
        raise BadReplyError("The server's page cursor does not match its items; not applying them.",
                            code="bad_reply")
    if not seqs and page.next_cursor < cursor:
        raise BadReplyError("The server's cursor went backwards; not applying it.", code="bad_reply")
    if page.has_more and not seqs:
        raise BadReplyError("The server said there is more but sent nothing.", code="bad_reply")


def _check_verdicts(verdicts: list, items: list[dict]) -> None:
    """One verdict per item, in order: anything else must not be applied."""
    if [v.id for v in verdicts] != [item["id"] for item in items]:
        raise BadReplyError(
            f"The server answered {len(verdicts)} verdicts for {len(items)} items, or out of order; "
            "nothing was marked as sent.",
            code="bad_reply",
        )
