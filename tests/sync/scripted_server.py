"""A loopback HTTP server that answers exactly the bytes a test scripts.

For replies the reference server would never send (garbage, truncated bodies,
HTML error pages from a proxy, wrong shapes): the bad internet, on loopback.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def meta() -> dict:
    return {"server_time": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"), "api_version": "1"}


def envelope(data, success: bool = True, error: dict | None = None) -> bytes:
    return json.dumps({"success": success, "data": data, "error": error, "meta": meta()}).encode()


class Reply:
    """What to send: a status, headers and a body; ``truncate_to`` cuts the body and closes."""

    def __init__(self, body: bytes, status: int = 200, content_type: str = "application/json",
                 truncate_to: int | None = None, close_without_reply: bool = False, delay: float = 0.0):
        self.body = body
        self.status = status
        self.content_type = content_type
        self.truncate_to = truncate_to
        self.close_without_reply = close_without_reply
        self.delay = delay


class ScriptedServer:
    """``server.replies[path] = Reply(...)`` (or a function of the request body returning one);
    ``server.requests`` records what came in."""

    def __init__(self):
        self.replies: dict[str, Reply] = {}
        self.requests: list[tuple[str, str, bytes, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?")[0]
                outer.requests.append((self.command, self.path, body, dict(self.headers)))
                not_found = Reply(envelope(None, False, {"code": "not_found", "message": "no"}), 404)
                reply = outer.replies.get(path) or not_found
                if callable(reply):  # a reply that depends on the request body
                    reply = reply(body)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.close_without_reply:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if reply.truncate_to is not None:
                    self.wfile.write(reply.body[: reply.truncate_to])
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                self.wfile.write(reply.body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> "ScriptedServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
