"""sync/server/thread.py: the one class that serves the API on 127.0.0.1 for the demo and the tests."""

from __future__ import annotations

import socket

import httpx
import pytest

from sync.server.thread import ServerStartError, ServerThread


async def hello(scope, receive, send):
    """The smallest ASGI app: 200 "hello" to any request."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"hello"})


def _get(url: str) -> str:
    with httpx.Client(timeout=5) as client:
        return client.get(url).text


def _refused(url: str) -> bool:
    try:
        _get(url)
    except httpx.ConnectError:
        return True
    return False


def test_any_free_port_then_stop_and_start_again_on_the_same_port():
    serving = ServerThread(hello).start()
    try:
        port = serving.port
        assert port > 0 and serving.url == f"http://127.0.0.1:{port}" and serving.running
        assert _get(serving.url) == "hello"
        serving.stop()
        assert not serving.running and _refused(serving.url)
        serving.start()  # the Wi-Fi returns: the same address again
        assert serving.port == port and _get(serving.url) == "hello"
    finally:
        serving.stop()


def test_a_taken_port_is_one_clear_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServerStartError, match=f"cannot listen on 127.0.0.1:{port}"):
            ServerThread(hello, port).start()


def test_the_shared_live_server_fixture_serves_the_reference_api(live_server):
    with httpx.Client(timeout=5) as client:
        assert client.get(f"{live_server.url}/health").json()["success"] is True
    live_server.stop()
    assert _refused(f"{live_server.url}/health")
    live_server.start()
    with httpx.Client(timeout=5) as client:
        assert client.get(f"{live_server.url}/health").status_code == 200
