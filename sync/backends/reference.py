"""The reference central API (``sync.server``, described in docs/api.md) as a :class:`CentralBackend`.

:class:`ApiClient` is the API itself, one method per endpoint, every reply read
as the API envelope and validated through the ``sync.wire`` models; organizer
tools and tests use it directly. :class:`ReferenceBackend` is what the sync
engine sees: batches of up to ``wire.MAX_BATCH_ITEMS``, and cursors that are
the server's sequence numbers written as text.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable, TypeVar

import httpx

from sync import limits, wire
from sync.backends.base import CHECKINS, ROSTER, CentralBackend, FeedPage, Grant
from sync.backends.errors import (
    AuthError,
    BadReplyError,
    RequestRefusedError,
    ServerError,
    SyncError,
)
from sync.backends.http import (
    DEFAULT_TIMEOUT,
    MAX_REPLY_BYTES,
    REQUEST_SECONDS,
    HttpReply,
    JsonHttp,
    normalise_server_url,
)
from sync.clock import utcnow

log = logging.getLogger(__name__)

T = TypeVar("T")

AUTH_CODES = {wire.E_UNAUTHORIZED, wire.E_FORBIDDEN, wire.E_ENROLLMENT_CODE}


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
        request_seconds: float = REQUEST_SECONDS,
        max_reply_bytes: int = MAX_REPLY_BYTES,
    ):
        self.server_url = normalise_server_url(server_url, wire.API_PREFIX)
        self.clock = clock
        self.requests = 0  # calls made, for benchmarks and status
        self.clock_offset: float | None = None  # seconds: server clock minus ours, at the last reply
        self.last_server_time: datetime | None = None
        self.deadline: float | None = None  # time.monotonic() no request may last beyond (the round's end)
        headers = {"User-Agent": user_agent, "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = JsonHttp(self.server_url + wire.API_PREFIX, where=self.server_url, headers=headers,
                              timeout=timeout, transport=transport, request_seconds=request_seconds,
                              max_reply_bytes=max_reply_bytes)

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
        check_page(page, cursor)
        return page

    def checkin_page(self, event_id: str, cursor: int, limit: int = wire.MAX_PAGE_LIMIT) -> wire.CheckinPage:
        page = self._call(
            "GET", f"/events/{event_id}/checkins", wire.CheckinPage, params={"cursor": cursor, "limit": limit}
        )
        check_page(page, cursor)
        return page

    def push_checkins(self, event_id: str, items: list[dict]) -> list[wire.CheckinVerdict]:
        result = self._call("POST", f"/events/{event_id}/checkins", wire.CheckinBatchResult, json={"items": items})
        check_verdicts(result.results, items)
        return result.results

    def push_walkins(self, event_id: str, items: list[dict]) -> list[wire.WalkinVerdict]:
        result = self._call("POST", f"/events/{event_id}/rsvp", wire.WalkinBatchResult, json={"items": items})
        check_verdicts(result.results, items)
        return result.results

    def heartbeat(self, *, door: str, outbox_size: int, last_sync_at: datetime | None,
                  app_version: str = "") -> wire.HeartbeatResponse:
        body = {
            "door": door[:100],
            "outbox_size": min(outbox_size, limits.MAX_OUTBOX_SIZE),
            "last_sync_at": wire.format_utc(last_sync_at) if last_sync_at else None,
            "device_time": wire.format_utc(self.clock()),
            "app_version": app_version[:32],
        }
        return self._call("POST", "/devices/heartbeat", wire.HeartbeatResponse, json=body)

    def stats(self, event_id: str) -> wire.Stats:
        return self._call("GET", f"/events/{event_id}/stats", wire.Stats)

    # ---- the one way every call goes ---------------------------------------

    def _call(self, method: str, path: str, model: type[T], *, json: Any = None, params: dict | None = None) -> T:
        sent_at = self.clock()
        self.requests += 1
        reply = self._http.request(method, path, json=json, params=params, deadline=self.deadline)
        received_at = self.clock()
        status, body = reply.status, reply.body
        if not isinstance(body, dict) or "success" not in body:
            raise self._not_an_envelope(reply)
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

    def _not_an_envelope(self, reply: HttpReply) -> SyncError:
        status = reply.status
        if status >= 500 or status == 429:
            return ServerError(f"The server had a problem (HTTP {status}); will try again.",
                               code="server_error", status=status)
        if status in (401, 403):
            return AuthError(f"The server refused this kiosk's credentials (HTTP {status}).",
                             code=wire.E_UNAUTHORIZED, status=status)
        if status == 404:
            return BadReplyError(
                f"{self.server_url} does not look like a check-in server (HTTP 404 at {reply.path}).",
                code="not_found", status=status,
            )
        return BadReplyError(
            f"The server's reply could not be read (HTTP {status}, {reply.content_type}, {reply.size} bytes): "
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


class ReferenceBackend(CentralBackend):
    """The reference API behind the engine's interface (one :class:`ApiClient`, kept for keep-alive)."""

    kind = "reference"
    max_batch = wire.MAX_BATCH_ITEMS
    max_page = wire.MAX_PAGE_LIMIT

    def __init__(self, api: ApiClient):
        self.api = api

    @classmethod
    def connect(cls, server_url: str, token: str | None = None, *, clock: Callable[[], datetime] = utcnow,
                timeout: float = DEFAULT_TIMEOUT) -> "ReferenceBackend":
        return cls(ApiClient(server_url, token, clock=clock, timeout=timeout))

    @property
    def requests(self) -> int:
        return self.api.requests

    @property
    def round_deadline(self) -> float | None:
        return self.api.deadline

    @round_deadline.setter
    def round_deadline(self, value: float | None) -> None:
        self.api.deadline = value

    @property
    def clock_offset(self) -> float | None:
        return self.api.clock_offset

    def enroll(self, code: str, *, device_id: str | None, name: str = "", app_version: str = "") -> Grant:
        reply = self.api.enroll(code, device_id, name, app_version)
        return Grant(reply.device_id, reply.device_token, reply.event_id, reply.door, reply.name)

    def event(self, event_id: str) -> wire.Event:
        return self.api.event(event_id)

    def pull(self, feed: str, event_id: str, cursor: str | None, limit: int) -> FeedPage:
        after = _seq(cursor)
        if feed == ROSTER:
            page = self.api.roster_page(event_id, after, limit)
        elif feed == CHECKINS:
            page = self.api.checkin_page(event_id, after, limit)
        else:
            raise ValueError(f"the reference API has no feed {feed!r}")
        return FeedPage(
            items=page.items, cursor=str(page.next_cursor), has_more=page.has_more,
            advanced=max(0, page.next_cursor - after), remaining=max(0, page.high_water_seq - page.next_cursor),
            high_water=page.high_water_seq,
        )

    def at_start(self, cursor: str | None) -> bool:
        return _seq(cursor) == 0

    def push_checkins(self, event_id: str, items: list[dict]) -> list[wire.CheckinVerdict]:
        return self.api.push_checkins(event_id, items)

    def push_walkins(self, event_id: str, items: list[dict]) -> list[wire.WalkinVerdict]:
        return self.api.push_walkins(event_id, items)

    def heartbeat(self, *, door: str, waiting: int, last_sync_at: datetime | None, app_version: str = "") -> None:
        self.api.heartbeat(door=door, outbox_size=waiting, last_sync_at=last_sync_at, app_version=app_version)

    def close(self) -> None:
        self.api.close()


def _seq(cursor: str | None) -> int:
    """The server sequence number a stored cursor holds (0: from the start)."""
    try:
        return max(0, int(cursor or 0))
    except ValueError:  # written by another kind of server: start over, pages apply idempotently
        log.warning("ignoring a cursor the reference API did not make: %r", cursor[:40])
        return 0


def _auth_message(exc: wire.WireError) -> str:
    if exc.code == wire.E_ENROLLMENT_CODE:
        return f"The enrollment code was not accepted: {exc.message}"
    if exc.code == wire.E_FORBIDDEN:
        return f"This kiosk is not allowed to do that: {exc.message}"
    return f"The server no longer accepts this kiosk's token ({exc.message}); enroll it again."


def check_page(page, cursor: int) -> None:
    """A page must move forward, be in order and stay within the server's newest change,
    or applying it could skip changes (a cursor from the far future stops pulling for good)."""
    seqs = [item.seq for item in page.items]
    if page.high_water_seq > limits.MAX_SEQ:
        raise BadReplyError("The server's sequence numbers are out of range; not applying the page.", code="bad_reply")
    if page.next_cursor > page.high_water_seq or any(seq > page.high_water_seq for seq in seqs):
        raise BadReplyError("The server's cursor is beyond its own newest change; not applying the page.",
                            code="bad_reply")
    if any(seq <= cursor for seq in seqs) or seqs != sorted(seqs):
        raise BadReplyError("The server sent changes out of order; not applying them.", code="bad_reply")
    if seqs and page.next_cursor != seqs[-1]:
        raise BadReplyError("The server's page cursor does not match its items; not applying them.",
                            code="bad_reply")
    if not seqs and page.next_cursor < cursor:
        raise BadReplyError("The server's cursor went backwards; not applying it.", code="bad_reply")
    if page.has_more and not seqs:
        raise BadReplyError("The server said there is more but sent nothing.", code="bad_reply")


def check_verdicts(verdicts: list, items: list[dict]) -> None:
    """One verdict per item, in order: anything else must not be applied."""
    if [v.id for v in verdicts] != [item["id"] for item in items]:
        raise BadReplyError(
            f"The server answered {len(verdicts)} verdicts for {len(items)} items, or out of order; "
            "nothing was marked as sent.",
            code="bad_reply",
        )
    if any((getattr(v, "seq", None) or 0) > limits.MAX_SEQ for v in verdicts):
        raise BadReplyError("The server's verdicts carry sequence numbers out of range; nothing was marked as sent.",
                            code="bad_reply")
