"""The reference API (or any ASGI app) served by uvicorn on 127.0.0.1 in a background thread.

One class serves the built-in demo (``kiosk --demo``) and the tests' live servers:
start it, read its ``url``, stop it, start it again on the same port (the Wi-Fi
dies, the Wi-Fi returns). It binds the socket itself, so ``port=0`` means "any
free port", and the port is known before the server runs.
"""

from __future__ import annotations

import socket
import sys
import threading
import time

HOST = "127.0.0.1"


class ServerStartError(RuntimeError):
    """The server did not come up (the port is taken, or the app failed to start)."""


def free_port() -> int:
    """A port nothing listens on right now (for a server started later, or one meant to refuse)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class ServerThread:
    """An ASGI app under uvicorn in a daemon thread on ``127.0.0.1:port`` (0: any free port)."""

    def __init__(self, app, port: int = 0, *, name: str = "server", log_level: str = "warning",
                 graceful_seconds: float = 1):
        self.app = app
        self.port = port
        self.name = name
        self._log_level = log_level
        self._graceful_seconds = graceful_seconds
        self._server = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 20) -> "ServerThread":
        """Serve until :meth:`stop`; returns once the server accepts connections."""
        import uvicorn

        if self.running:
            return self
        try:
            self._socket = _bind(self.port)
        except OSError as exc:
            raise ServerStartError(f"cannot listen on {HOST}:{self.port}: {exc.strerror or exc}") from exc
        self.port = self._socket.getsockname()[1]
        # log_config=None: uvicorn's loggers reach whatever the process logs to (the kiosk's
        # log file, pytest's capture) instead of printing on the terminal; no line per request.
        config = uvicorn.Config(self.app, log_config=None, log_level=self._log_level, access_log=False,
                                timeout_graceful_shutdown=self._graceful_seconds, server_header=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name=f"{self.name}-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServerStartError(f"the server did not start on {HOST}:{self.port}")
            time.sleep(0.02)
        return self

    def stop(self, timeout: float = 10) -> None:
        """Stop serving (open connections get ``graceful_seconds`` to finish); the port is free again."""
        server, thread, sock = self._server, self._thread, self._socket
        self._server = self._thread = self._socket = None
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout)
        if sock is not None:
            sock.close()


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if sys.platform != "win32":  # a restarted server gets its port back at once (on Windows it
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # would let two servers share it)
        sock.bind((HOST, port))
    except OSError:
        sock.close()
        raise
    return sock
