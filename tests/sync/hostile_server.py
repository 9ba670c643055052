"""A hostile server on 127.0.0.1: the real server's replies, except where an attack answers instead.

Every request is forwarded to ``upstream`` (the real reference server) and its
reply passed back, so a kiosk syncs normally, until a test arms an attack on
one route: a reply that trickles, one that never ends, JSON nested a hundred
thousand deep, a cursor from the far future, a whole-batch 422. Every attack
stops by itself after a few seconds, so a client that does not protect itself
fails its test instead of hanging the suite.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

import httpx

from tests.sync.scripted_server import envelope

Attack = Callable[[BaseHTTPRequestHandler, bytes], None]
MAX_ATTACK_SECONDS = 8.0  # an attack stops by itself, so a client without protection fails, not hangs


def _send_head(handler: BaseHTTPRequestHandler, status: int = 200, length: int | None = None,
               content_type: str = "application/json") -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    if length is not None:
        handler.send_header("Content-Length", str(length))
    else:
        handler.send_header("Connection", "close")
        handler.close_connection = True
    handler.end_headers()


def trickle(every: float = 0.2) -> Attack:
    """A reply that announces a megabyte, then sends one byte every ``every`` seconds."""

    def attack(handler: BaseHTTPRequestHandler, _body: bytes) -> None:
        _send_head(handler, length=1_000_000)
        handler.close_connection = True
        stop = time.monotonic() + MAX_ATTACK_SECONDS
        while time.monotonic() < stop:
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(every)

    return attack


def endless(chunk: bytes = b"[" * 65536) -> Attack:
    """A reply without a length that never ends (until the client hangs up, or the time limit)."""

    def attack(handler: BaseHTTPRequestHandler, _body: bytes) -> None:
        _send_head(handler, length=None)
        stop = time.monotonic() + MAX_ATTACK_SECONDS
        while time.monotonic() < stop:
            handler.wfile.write(chunk)

    return attack


def nested(depth: int = 100_000) -> Attack:
    """A success envelope whose data is a list nested ``depth`` deep."""
    body = (b'{"success": true, "error": null, "meta": {"server_time": "2026-05-01T09:00:00Z"}, "data": '
            + b"[" * depth + b"]" * depth + b"}")
    return reply(200, body)


def reply(status: int, body: bytes | dict) -> Attack:
    """A fixed reply (a dict is sent as JSON)."""
    data = json.dumps(body).encode() if isinstance(body, dict) else body

    def attack(handler: BaseHTTPRequestHandler, _body: bytes) -> None:
        _send_head(handler, status, len(data))
        handler.wfile.write(data)

    return attack


def refuse_whole(status: int = 422) -> Attack:
    """What a proxy or a misbehaving server may do to a push: refuse the whole request as malformed."""
    return reply(status, envelope(None, False, {"code": "validation_error", "message": "request refused"}))


class HostileServer(ThreadingHTTPServer):
    """``attacks[(method, path suffix)] = attack``; everything else goes to ``upstream``.

    ``hits`` counts the requests each attack answered.
    """

    daemon_threads = True

    def __init__(self, upstream: str):
        self.upstream = httpx.Client(base_url=upstream, timeout=30)
        self.attacks: dict[tuple[str, str], Attack] = {}
        self.hits: dict[tuple[str, str], int] = {}
        super().__init__(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)

    def attack(self, method: str, path_suffix: str, attack: Attack) -> None:
        self.attacks[(method, path_suffix)] = attack

    def calm(self) -> None:
        self.attacks.clear()

    def attack_for(self, method: str, path: str) -> tuple[tuple[str, str], Attack] | None:
        for key, attack in self.attacks.items():
            if key[0] == method and path.split("?")[0].endswith(key[1]):
                return key, attack
        return None

    def __enter__(self) -> "HostileServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()
        self.upstream.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HostileServer

    def log_message(self, *args) -> None:  # quiet
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        armed = self.server.attack_for(self.command, self.path)
        try:
            if armed is not None:
                key, attack = armed
                self.server.hits[key] = self.server.hits.get(key, 0) + 1
                attack(self, body)
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type")}
            upstream = self.server.upstream.request(self.command, self.path, content=body, headers=headers)
            _send_head(self, upstream.status_code, len(upstream.content),
                       upstream.headers.get("content-type", "application/json"))
            self.wfile.write(upstream.content)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True  # the client hung up: what a careful client does

    do_GET = do_POST = do_PUT = do_DELETE = _answer
