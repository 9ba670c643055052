"""A client that trusts no reply: deadlines, a cap on what is read, JSON too deep to decode.

Each attack comes from a real hostile server on 127.0.0.1 that stops by itself
after a few seconds, so a client without the protection fails here instead of
hanging (or eating memory).
"""

from __future__ import annotations

import time

import pytest

from sync.backends.errors import BadReplyError, NetworkError
from sync.client import ApiClient
from tests.sync.hostile_server import HostileServer, endless, nested, trickle

UNUSED_UPSTREAM = "http://127.0.0.1:9"  # every route under test is attacked; nothing is forwarded


@pytest.fixture
def hostile():
    with HostileServer(UNUSED_UPSTREAM) as server:
        yield server


def test_a_trickling_reply_is_cut_off_at_the_request_deadline(hostile):
    hostile.attack("GET", "/events/ev1", trickle(every=0.1))  # each byte well inside the read timeout
    started = time.monotonic()
    with ApiClient(hostile.url, "token", timeout=5, request_seconds=1.5) as client, \
            pytest.raises(NetworkError) as err:
        client.event("ev1")
    assert time.monotonic() - started < 4
    assert "took too long" in str(err.value) and err.value.retryable


def test_the_rounds_deadline_ends_a_request_sooner(hostile):
    hostile.attack("GET", "/events/ev1", trickle(every=0.1))
    with ApiClient(hostile.url, "token", timeout=5, request_seconds=30) as client:
        client.deadline = time.monotonic() + 1.0
        started = time.monotonic()
        with pytest.raises(NetworkError):
            client.event("ev1")
        assert time.monotonic() - started < 3
        with pytest.raises(NetworkError, match="No time was left"):  # the round is over: no new request
            client.event("ev1")


def test_a_never_ending_reply_is_not_read_past_the_cap(hostile):
    hostile.attack("GET", "/events/ev1", endless())
    started = time.monotonic()
    with ApiClient(hostile.url, "token", timeout=5, max_reply_bytes=2 * 1024 * 1024) as client, \
            pytest.raises(BadReplyError) as err:
        client.event("ev1")
    assert time.monotonic() - started < 4
    assert "larger than 2 MiB" in str(err.value)


def test_a_reply_announcing_too_much_is_not_read_at_all(hostile):
    hostile.attack("GET", "/events/ev1", trickle())  # announces 1,000,000 bytes
    started = time.monotonic()
    with ApiClient(hostile.url, "token", timeout=5, max_reply_bytes=512 * 1024) as client, \
            pytest.raises(BadReplyError, match="larger than"):
        client.event("ev1")
    assert time.monotonic() - started < 1


def test_json_nested_too_deeply_is_one_plain_bad_reply(hostile):
    hostile.attack("GET", "/events/ev1", nested())
    with ApiClient(hostile.url, "token", timeout=5) as client, pytest.raises(BadReplyError) as err:
        client.event("ev1")
    assert str(err.value) == f"The reply from {hostile.url} is nested too deeply to be read."
