"""Stats, heartbeats and the live stream (server-sent events over real HTTP)."""

from __future__ import annotations

import json
import queue
import threading
import time
from datetime import datetime, timedelta

import httpx

from sync import wire
from sync.clock import utcnow
from tests.sync.server.support import checkin, iso, minutes


def test_stats_figures(setup):
    ev = setup.event_id
    door2_id, door2 = setup.enroll("Door 2")
    base = datetime(2026, 5, 1, 9, 0, 0)
    setup.device.data("post", f"/events/{ev}/checkins", {"items": [
        checkin(ev, "ADA-0001", at=base + minutes(1)),
        checkin(ev, "GRACE-0002", at=base + minutes(3)),
        checkin(ev, "GRACE-0002", at=base + minutes(40), kind="exit"),
        checkin(ev, "NOPE-0000", at=base + minutes(4), result="unknown_code"),
    ]})
    door2.data("post", f"/events/{ev}/checkins", {"items": [
        checkin(ev, "EMILIE-0005", at=base + minutes(7), device=door2_id, door="Door 2"),
        checkin(ev, "ADA-0001", at=base + minutes(8), device=door2_id, door="Door 2"),
    ]})
    figures = setup.organizer.data("get", f"/events/{ev}/stats")
    wire.Stats.model_validate(figures)
    assert (figures["expected"], figures["arrived"], figures["inside"], figures["duplicates"]) == (4, 3, 2, 1)
    assert figures["venue_capacity"] == 500
    assert figures["per_door"] == [
        {"door": "Door 1", "arrivals": 2, "scans": 4},
        {"door": "Door 2", "arrivals": 1, "scans": 2},
    ]
    assert figures["arrivals_per_5min"] == [
        {"start": "2026-05-01T09:00:00Z", "arrivals": 2},
        {"start": "2026-05-01T09:05:00Z", "arrivals": 1},
    ]
    assert figures["high_water_seq"] >= 6
    assert sorted(d["device_id"] for d in figures["devices"]) == sorted(["dev-a", door2_id])


def test_heartbeat_records_the_device_and_its_clock_offset(setup):
    slow_clock = utcnow() - timedelta(minutes=7)
    reply = setup.device.data("post", "/devices/heartbeat", {
        "door": "Main entrance", "outbox_size": 212, "last_sync_at": iso(utcnow() - timedelta(seconds=30)),
        "device_time": iso(slow_clock), "app_version": "0.1.0",
    })
    assert reply["device_id"] == "dev-a" and reply["event_id"] == setup.event_id and not reply["revoked"]
    assert 7 * 60 - 5 < reply["clock_offset_seconds"] < 7 * 60 + 30
    setup.device.data("get", f"/events/{setup.event_id}/checkins", cursor=0)
    (device,) = setup.organizer.data("get", f"/events/{setup.event_id}/stats")["devices"]
    assert device["online"] and device["door"] == "Main entrance" and device["outbox_size"] == 212
    assert abs(device["clock_offset_seconds"] - reply["clock_offset_seconds"]) < 1e-6
    assert device["last_pull_seq"] is not None and device["behind"] == 0
    status, body = setup.device.post("/devices/heartbeat", {"outbox_size": -1, "device_time": iso(utcnow())})
    assert status == 422


def read_events(response: httpx.Response, sink: queue.Queue) -> None:
    event = None
    try:
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[len("event: "):]
            elif line.startswith("data: "):
                sink.put((event, json.loads(line[len("data: "):])))
    except httpx.HTTPError:
        pass


def next_event(sink: queue.Queue, kind: str, timeout: float = 10.0):
    """The data of the next ``kind`` event within ``timeout`` seconds (others skipped); queue.Empty if none."""
    deadline = time.monotonic() + timeout
    while True:
        event, data = sink.get(timeout=max(0.0, deadline - time.monotonic()))
        if event == kind:
            return data


def test_stream_sends_stats_on_connect_on_change_and_heartbeats(setup):
    ev = setup.event_id
    sink: queue.Queue = queue.Queue()
    with httpx.Client(timeout=httpx.Timeout(10, read=30)) as http:
        with http.stream("GET", f"{setup.server.url}/api/v1/events/{ev}/stream",
                         headers={"Authorization": setup.organizer.http.headers["Authorization"]}) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            reader = threading.Thread(target=read_events, args=(response, sink), daemon=True)
            reader.start()
            first = next_event(sink, "stats")
            assert first["arrived"] == 0 and first["event_id"] == ev
            setup.device.data("post", f"/events/{ev}/checkins", {"items": [checkin(ev, "ADA-0001")]})
            changed = next_event(sink, "stats")
            assert changed["arrived"] == 1 and changed["high_water_seq"] > first["high_water_seq"]
            beat = next_event(sink, "heartbeat")
            assert beat["server_time"].endswith("Z")
        reader.join(5)


def test_stream_needs_a_token(setup):
    response = httpx.get(f"{setup.server.url}/api/v1/events/{setup.event_id}/stream", timeout=10)
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


def test_health(server):
    reply = httpx.get(f"{server.url}/health", timeout=10).json()
    assert reply["success"] and reply["data"]["status"] == "ok" and reply["data"]["database"] is True
    assert reply["meta"]["server_time"].endswith("Z")
    wire.unwrap(reply, wire.Health)


def open_stream(setup, token_header: str, sink: queue.Queue) -> tuple[threading.Thread, threading.Event]:
    """Read the event's stream over real HTTP in a thread; the Event is set when the server ends it."""
    ended = threading.Event()

    def read():
        with httpx.Client(timeout=httpx.Timeout(10, read=30)) as http:
            with http.stream("GET", f"{setup.server.url}/api/v1/events/{setup.event_id}/stream",
                             headers={"Authorization": token_header}) as response:
                assert response.status_code == 200
                read_events(response, sink)
        ended.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader, ended


def test_a_revoked_devices_stream_ends_at_once(setup):
    sink: queue.Queue = queue.Queue()
    reader, ended = open_stream(setup, setup.device.http.headers["Authorization"], sink)
    assert next_event(sink, "stats")["event_id"] == setup.event_id
    next_event(sink, "heartbeat")  # the stream is alive and would go on
    setup.organizer.data("delete", f"/devices/{setup.device_id}")
    revoked = next_event(sink, "revoked", timeout=5)
    assert revoked["code"] == "unauthorized"
    assert ended.wait(5), "the stream of a revoked device is still open"
    reader.join(5)


def test_an_organizers_stream_ends_when_its_token_is_revoked(setup):
    from sync.server.auth import token_hash
    from sync.server.models import OrganizerTokenRow

    token = setup.server.admin_token
    sink: queue.Queue = queue.Queue()
    reader, ended = open_stream(setup, f"Bearer {token}", sink)
    next_event(sink, "stats")

    def revoke(session):
        session.get(OrganizerTokenRow, token_hash(token)).revoked_at = utcnow()

    setup.server.db.write(revoke)
    assert next_event(sink, "revoked", timeout=5)["code"] == "unauthorized"
    assert ended.wait(5), "the stream of a revoked organizer token is still open"
    reader.join(5)
