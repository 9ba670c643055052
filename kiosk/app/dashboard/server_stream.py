"""Reading the server's live stats: ``GET /api/v1/events/{id}/stream`` (server-sent events).

Qt-free: :class:`StatsEventStream` is iterated on the dashboard's stream thread
and closed from the GUI thread to stop it. Every ``event: stats`` is validated
as :class:`sync.wire.Stats`; a reply that is not a stream of them is refused
with one clear message (the server's reply is hostile input like any other).
"""

from __future__ import annotations

import json
import socket
import threading
from typing import Iterator

import httpx

from sync import wire

CONNECT_TIMEOUT_S = 5.0
# The server sends a heartbeat every 15 s; a silence three times as long means the link is dead.
READ_TIMEOUT_S = 45.0
MAX_EVENT_BYTES = 4 * 1024 * 1024  # a stats event with every kiosk and bucket stays far below this


class StreamError(Exception):
    """The stream could not be opened or read; the message says why, for the screen."""


class StatsEventStream:
    """One open connection to the stats stream; iterate for ``wire.Stats``."""

    def __init__(self, server_url: str, token: str | None, event_id: str,
                 transport: httpx.BaseTransport | None = None):
        headers = {"Accept": "text/event-stream", "User-Agent": "checkin-kiosk dashboard"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.url = f"{server_url.rstrip('/')}{wire.API_PREFIX}/events/{event_id}/stream"
        self._http = httpx.Client(headers=headers, transport=transport,
                                  timeout=httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S))
        self._response: httpx.Response | None = None
        self._closed = threading.Event()

    def close(self) -> None:
        """Stop reading (from any thread): the blocked read ends and the iteration stops."""
        self._closed.set()
        response = self._response
        if response is not None:
            _shut_down(response)
            response.close()
        self._http.close()

    def __iter__(self) -> Iterator[wire.Stats]:
        try:
            with self._http.stream("GET", self.url) as response:
                self._response = response
                if response.status_code != 200:
                    response.read()
                    raise StreamError(_refusal(response))
                if "text/event-stream" not in response.headers.get("content-type", ""):
                    raise StreamError("The server's stats stream is not an event stream.")
                for name, data in parse_events(response.iter_lines()):
                    if self._closed.is_set():
                        return
                    if name == "stats":
                        yield parse_stats(data)
        except httpx.TimeoutException as exc:
            if not self._closed.is_set():
                raise StreamError("The server's live stream went silent.") from exc
        except httpx.HTTPError as exc:
            if not self._closed.is_set():
                raise StreamError(f"The server cannot be reached ({type(exc).__name__}).") from exc


def _shut_down(response: httpx.Response) -> None:
    """Wake the thread blocked reading this response: closing a socket alone may not."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed by the other side


def parse_events(lines) -> Iterator[tuple[str, str]]:
    """(event name, data) for each event of a ``text/event-stream`` body, line by line."""
    name, data, size = "message", [], 0
    for line in lines:
        if line == "":
            if data:
                yield name, "\n".join(data)
            name, data, size = "message", [], 0
            continue
        if line.startswith(":"):
            continue  # a comment, used as a keep-alive
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            name = value
        elif field == "data":
            size += len(value)
            if size > MAX_EVENT_BYTES:
                raise StreamError("The server sent an oversized stats event.")
            data.append(value)


def parse_stats(data: str) -> wire.Stats:
    from pydantic import ValidationError

    try:
        body = json.loads(data)
    except ValueError as exc:
        raise StreamError("The server sent stats that are not JSON.") from exc
    if isinstance(body, dict) and "success" in body:  # an envelope around the stats
        try:
            stats, _meta = wire.unwrap(body, wire.Stats)
        except wire.WireError as exc:
            raise StreamError(f"The server refused the stats: {exc.message}") from exc
        return stats
    try:
        return wire.Stats.model_validate(body)
    except ValidationError as exc:
        raise StreamError(f"The server sent malformed stats: {exc.errors()[0]['msg']}") from exc


def _refusal(response: httpx.Response) -> str:
    try:
        wire.unwrap(response.json(), dict, response.status_code)
    except wire.WireError as exc:
        return f"The server refused the live stream: {exc.message}"
    except ValueError:
        pass
    return f"The server refused the live stream (HTTP {response.status_code})."


def stream_opener_for(replica):
    """How to open this kiosk's event stream: from its enrollment (server, event, token), or None.

    Reads the replica and the keyring: call it on the DbWorker.
    """
    from sync.credentials import CredentialError, CredentialStore
    from sync.replica.queries import sync_state
    from sync.status import K_DEVICE, K_EVENT, K_SERVER

    with replica.session(write=False) as s:
        state = sync_state.values(s, (K_SERVER, K_EVENT, K_DEVICE))
    server, event_id, device_id = state.get(K_SERVER), state.get(K_EVENT), state.get(K_DEVICE)
    if not server or not event_id or not device_id:
        return None
    try:
        token = CredentialStore(replica.path.parent, device_id).load()
    except CredentialError:
        return None
    if not token:
        return None
    return lambda: StatsEventStream(server, token, event_id)
