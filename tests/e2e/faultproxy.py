"""A TCP proxy on loopback that makes the network as bad as a venue's Wi-Fi.

It sits between a kiosk and the reference server and, at random (seeded, so a
failing run can be replayed), drops connections, delays traffic, answers
HTTP 500 instead of the server or after the server has done the work, and cuts
responses short. The faults that strike after the server has processed a
request are the ones that test idempotence: the kiosk cannot know whether its
push was stored.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections import Counter
from dataclasses import dataclass

CANNED_500 = (
    b"HTTP/1.1 500 Internal Server Error\r\n"
    b"Content-Type: text/plain\r\nContent-Length: 21\r\nConnection: close\r\n\r\n"
    b"Internal Server Error"
)


@dataclass
class Faults:
    """Probabilities per chunk of traffic (a request or a response is one chunk or a few)."""

    drop: float = 0.0  # close the connection instead of forwarding a request
    error_before: float = 0.0  # answer 500 without asking the server
    error_after: float = 0.0  # forward the request, then answer 500 instead of the server's reply
    cut: float = 0.0  # forward the request, then send half the reply and close
    delay: float = 0.0  # hold a request back for up to max_delay seconds
    max_delay: float = 0.3

    @classmethod
    def none(cls) -> "Faults":
        return cls()


class FaultProxy:
    """``FaultProxy(upstream_port).start()``; point clients at ``proxy.url``."""

    def __init__(self, upstream_port: int, faults: Faults | None = None, *, seed: int = 0,
                 upstream_host: str = "127.0.0.1"):
        self.upstream = (upstream_host, upstream_port)
        self.faults = faults or Faults()
        self.random = random.Random(seed)
        self.counts: Counter[str] = Counter()
        self.port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "FaultProxy":
        self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("the fault proxy did not start")
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop = None

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._server = loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            loop.run_until_complete(asyncio.sleep(0))
            loop.close()

    def _roll(self, name: str) -> bool:
        hit = self.random.random() < getattr(self.faults, name)
        if hit:
            self.counts[name] += 1
        return hit

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self._writers.add(client_w)
        self.counts["connections"] += 1
        try:
            upstream_r, upstream_w = await asyncio.open_connection(*self.upstream)
        except OSError:
            # The server is down: the kiosk sees a refused/closed connection, as it would for real.
            self.counts["upstream_down"] += 1
            client_w.transport.abort()
            self._writers.discard(client_w)
            return
        self._writers.add(upstream_w)
        # What to do with the server's next reply, decided when its request went through.
        pending = {"reply": "forward"}

        async def requests() -> None:
            while data := await client_r.read(65536):
                if self._roll("drop"):
                    raise ConnectionAbortedError
                if self._roll("error_before"):
                    client_w.write(CANNED_500)
                    await client_w.drain()
                    raise ConnectionAbortedError
                if self.faults.delay and self._roll("delay"):
                    await asyncio.sleep(self.random.uniform(0, self.faults.max_delay))
                if self._roll("error_after"):
                    pending["reply"] = "error"
                elif self._roll("cut"):
                    pending["reply"] = "cut"
                upstream_w.write(data)
                await upstream_w.drain()

        async def replies() -> None:
            while data := await upstream_r.read(65536):
                action, pending["reply"] = pending["reply"], "forward"
                if action == "error":
                    client_w.write(CANNED_500)
                    await client_w.drain()
                    raise ConnectionAbortedError
                if action == "cut":
                    client_w.write(data[: max(1, len(data) // 2)])
                    await client_w.drain()
                    raise ConnectionAbortedError
                client_w.write(data)
                await client_w.drain()

        tasks = [asyncio.create_task(requests()), asyncio.create_task(replies())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for writer in (client_w, upstream_w):
                writer.transport.abort()
                self._writers.discard(writer)
