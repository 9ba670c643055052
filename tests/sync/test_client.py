"""The API client: every way a reply can go wrong is one clear SyncError, never a crash."""

from __future__ import annotations

import json
import socket
from datetime import datetime, timedelta, timezone

import pytest

from sync.client import (
    ApiClient,
    AuthError,
    BadReplyError,
    NetworkError,
    OfflineError,
    RequestRefusedError,
    ServerError,
    SyncError,
    normalise_server_url,
)
from tests.sync.scripted_server import Reply, ScriptedServer, envelope

EVENT = {"id": "ev1", "name": "Conf", "signing_keys": []}
TOKEN = "dt_very-secret-token"
CHECKIN = {
    "id": "4b2b8d52-4c44-4a53-9d7b-3c2f1c7f0a11", "event_id": "ev1", "attendee_id": "a1", "ticket_code": "T-1",
    "kind": "entry", "result": "admitted", "undoes_id": None, "device_id": "dev-1", "door": "", "operator": "",
    "device_time": "2026-05-01T09:00:00Z",
}


@pytest.fixture
def server():
    with ScriptedServer() as srv:
        yield srv


def client_for(server, **kw) -> ApiClient:
    return ApiClient(server.url, TOKEN, timeout=kw.pop("timeout", 3.0), **kw)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_good_reply_is_validated_and_carries_the_server_clock(server):
    ahead = datetime.now(timezone.utc) + timedelta(seconds=120)
    body = json.dumps({"success": True, "data": EVENT, "error": None,
                       "meta": {"server_time": ahead.isoformat().replace("+00:00", "Z")}}).encode()
    server.replies["/api/v1/events/ev1"] = Reply(body)
    with client_for(server) as client:
        event = client.event("ev1")
        assert event.id == "ev1" and event.name == "Conf"
        assert client.clock_offset == pytest.approx(120, abs=2)
        assert client.requests == 1
    method, path, _, headers = server.requests[0]
    assert (method, path) == ("GET", "/api/v1/events/ev1")
    assert headers["Authorization"] == f"Bearer {TOKEN}"


def test_no_server_listening_is_offline():
    with ApiClient(f"http://127.0.0.1:{free_port()}", TOKEN, timeout=2) as client:
        with pytest.raises(OfflineError) as err:
            client.event("ev1")
    assert err.value.retryable and "Cannot reach the server" in str(err.value)
    assert TOKEN not in str(err.value)


def test_an_html_page_instead_of_json_is_a_bad_reply(server):
    server.replies["/api/v1/events/ev1"] = Reply(b"<html>captive portal</html>", content_type="text/html")
    with client_for(server) as client, pytest.raises(BadReplyError) as err:
        client.event("ev1")
    assert "could not be read" in str(err.value) and "text/html" in str(err.value)


def test_a_reply_cut_short_is_a_broken_connection(server):
    server.replies["/api/v1/events/ev1"] = Reply(envelope(EVENT), truncate_to=20)
    with client_for(server) as client, pytest.raises(NetworkError) as err:
        client.event("ev1")
    assert err.value.retryable and "broke off" in str(err.value)


def test_truncated_json_of_the_announced_length_is_a_bad_reply(server):
    server.replies["/api/v1/events/ev1"] = Reply(envelope(EVENT)[:-15])
    with client_for(server) as client, pytest.raises(BadReplyError):
        client.event("ev1")


def test_a_connection_closed_without_a_reply_is_a_broken_connection(server):
    server.replies["/api/v1/events/ev1"] = Reply(b"", close_without_reply=True)
    with client_for(server) as client, pytest.raises(NetworkError):
        client.event("ev1")


def test_a_slow_server_times_out(server):
    server.replies["/api/v1/events/ev1"] = Reply(envelope(EVENT), delay=1.5)
    with client_for(server, timeout=0.5) as client, pytest.raises(NetworkError) as err:
        client.event("ev1")
    assert "took too long" in str(err.value)


def test_a_proxy_error_page_is_a_server_error(server):
    server.replies["/api/v1/events/ev1"] = Reply(b"Bad Gateway", status=502, content_type="text/plain")
    with client_for(server) as client, pytest.raises(ServerError) as err:
        client.event("ev1")
    assert err.value.retryable and err.value.status == 502


def test_an_error_envelope_500_is_a_server_error(server):
    server.replies["/api/v1/events/ev1"] = Reply(
        envelope(None, False, {"code": "internal_error", "message": "Something broke."}), status=500)
    with client_for(server) as client, pytest.raises(ServerError, match="Something broke"):
        client.event("ev1")


def test_a_revoked_token_is_an_auth_error_that_is_not_retried(server):
    server.replies["/api/v1/events/ev1"] = Reply(
        envelope(None, False, {"code": "unauthorized", "message": "This device token has been revoked."}), status=401)
    with client_for(server) as client, pytest.raises(AuthError) as err:
        client.event("ev1")
    assert not err.value.retryable
    assert "enroll it again" in str(err.value) and TOKEN not in str(err.value)


def test_a_validation_error_is_a_refused_request(server):
    server.replies["/api/v1/events/ev1/checkins"] = Reply(
        envelope(None, False, {"code": "validation_error", "message": "bad item"}), status=422)
    with client_for(server) as client, pytest.raises(RequestRefusedError) as err:
        client.push_checkins("ev1", [CHECKIN])
    assert err.value.code == "validation_error" and not err.value.retryable


def test_an_envelope_of_the_wrong_shape_is_a_bad_reply(server):
    server.replies["/api/v1/events/ev1"] = Reply(envelope({"id": "ev1"}))  # no name
    with client_for(server) as client, pytest.raises(BadReplyError, match="malformed"):
        client.event("ev1")
    server.replies["/api/v1/events/ev1"] = Reply(b'{"success": true, "data": {}}')  # no meta
    with client_for(server) as client, pytest.raises(BadReplyError):
        client.event("ev1")
    server.replies["/api/v1/events/ev1"] = Reply(b"[1, 2, 3]")
    with client_for(server) as client, pytest.raises(BadReplyError):
        client.event("ev1")


def test_verdicts_that_do_not_match_the_batch_are_refused(server):
    other = dict(CHECKIN, id="0e7a3c55-0000-4000-8000-000000000000")
    server.replies["/api/v1/events/ev1/checkins"] = Reply(envelope({"results": [
        {"id": other["id"], "status": "accepted", "seq": 5}]}))
    with client_for(server) as client, pytest.raises(BadReplyError, match="verdicts"):
        client.push_checkins("ev1", [CHECKIN])
    server.replies["/api/v1/events/ev1/checkins"] = Reply(envelope({"results": []}))
    with client_for(server) as client, pytest.raises(BadReplyError):
        client.push_checkins("ev1", [CHECKIN])


def test_a_page_that_goes_backwards_is_refused(server):
    entry = {"type": "revocation", "seq": 3, "event_id": "ev1", "ticket_code": "X"}
    server.replies["/api/v1/events/ev1/attendees"] = Reply(envelope(
        {"items": [entry], "next_cursor": 3, "has_more": False, "high_water_seq": 9}))
    with client_for(server) as client:
        assert client.roster_page("ev1", 0).next_cursor == 3
        with pytest.raises(BadReplyError, match="out of order"):
            client.roster_page("ev1", 5)  # an item at or before the cursor
    server.replies["/api/v1/events/ev1/attendees"] = Reply(envelope(
        {"items": [], "next_cursor": 1, "has_more": True, "high_water_seq": 9}))
    with client_for(server) as client, pytest.raises(BadReplyError):
        client.roster_page("ev1", 2)


def test_every_failure_is_a_sync_error(server):
    # Whatever the reply, callers need to catch only SyncError.
    for reply in (Reply(b"\xff\xfe garbage", content_type="application/octet-stream"),
                  Reply(b'{"success": "yes"}'), Reply(b"null"), Reply(envelope(EVENT), truncate_to=0),
                  Reply(b"", status=204)):
        server.replies["/api/v1/events/ev1"] = reply
        with client_for(server) as client, pytest.raises(SyncError):
            client.event("ev1")


@pytest.mark.parametrize("given, expected", [
    ("127.0.0.1:8000", "http://127.0.0.1:8000"),
    ("http://host:8000/", "http://host:8000"),
    ("https://checkin.example.org/api/v1", "https://checkin.example.org"),
    ("https://example.org/kiosk/", "https://example.org/kiosk"),
])
def test_server_addresses_are_normalised(given, expected):
    assert normalise_server_url(given) == expected


@pytest.mark.parametrize("bad", ["", "ftp://host", "http://", "http://host/?code=1"])
def test_bad_server_addresses_are_refused(bad):
    with pytest.raises(SyncError):
        normalise_server_url(bad)


def test_a_cursor_beyond_the_servers_newest_change_is_refused(server):
    far = {"items": [], "next_cursor": 10**12, "has_more": False, "high_water_seq": 40}
    server.replies["/api/v1/events/ev1/checkins"] = Reply(envelope(far))
    with client_for(server) as client, pytest.raises(BadReplyError, match="beyond its own newest change"):
        client.checkin_page("ev1", 3)
    entry = {"type": "revocation", "seq": 50, "event_id": "ev1", "ticket_code": "X"}
    server.replies["/api/v1/events/ev1/attendees"] = Reply(envelope(
        {"items": [entry], "next_cursor": 50, "has_more": False, "high_water_seq": 40}))
    with client_for(server) as client, pytest.raises(BadReplyError):
        client.roster_page("ev1", 3)


def test_sequence_numbers_beyond_64_bits_are_refused_before_they_reach_the_replica(server):
    huge = 2**64
    server.replies["/api/v1/events/ev1/checkins"] = Reply(envelope(
        {"items": [], "next_cursor": huge, "has_more": False, "high_water_seq": huge}))
    with client_for(server) as client, pytest.raises(BadReplyError, match="out of range"):
        client.checkin_page("ev1", 3)
    server.replies["/api/v1/events/ev1/checkins"] = Reply(envelope({"results": [
        {"id": CHECKIN["id"], "status": "accepted", "seq": huge}]}))
    with client_for(server) as client, pytest.raises(BadReplyError, match="out of range"):
        client.push_checkins("ev1", [CHECKIN])
