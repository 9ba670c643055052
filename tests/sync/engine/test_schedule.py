"""When rounds run: backoff with jitter, probing an unreachable server, trigger, connectivity by itself."""

from __future__ import annotations

import random
import threading
import time

from sync.client import ApiClient
from sync.engine import SyncEngine, SyncEvent
from sync.server.thread import free_port
from sync.status import DEGRADED, OFFLINE, ONLINE, sync_status
from tests.e2e.harness import enroll_kiosk
from tests.sync.engine.support import wait_until
from tests.sync.scripted_server import Reply, ScriptedServer


def test_backoff_grows_with_jitter_and_resets_after_success(server, event_id, kiosk):
    with ScriptedServer() as overloaded:  # every request answered 503: the server is in trouble
        engine = SyncEngine(kiosk.replica, client_factory=lambda: ApiClient(overloaded.url, "t", timeout=3),
                            interval=1.0, max_backoff=8.0, rng=random.Random(3))
        overloaded.replies[f"/api/v1/events/{event_id}"] = Reply(b"Service Unavailable", status=503,
                                                                 content_type="text/plain")
        waits = []
        for _ in range(6):
            report = engine.sync_once()
            assert report.connectivity == DEGRADED
            waits.append(engine.seconds_until_retry())
        engine.close()
    ceilings = [1, 2, 4, 8, 8, 8]
    for wait, ceiling in zip(waits, ceilings):
        assert ceiling / 2 - 0.1 <= wait <= ceiling
    assert len({round(w, 3) for w in waits[3:]}) > 1  # jitter: not the same wait every time
    assert kiosk.engine.sync_once().ok and kiosk.engine.seconds_until_retry() == 0


def test_an_unreachable_server_is_probed_every_interval(kiosk):
    port = free_port()  # nothing listens here: a refused connection costs no server anything
    engine = SyncEngine(kiosk.replica, client_factory=lambda: ApiClient(f"http://127.0.0.1:{port}", "t"),
                        interval=1.0, max_backoff=8.0, rng=random.Random(3))
    for _ in range(6):
        report = engine.sync_once()
        assert report.connectivity == OFFLINE and "Cannot reach" in report.error
        # under half an interval: the next scheduled round (1 s later) is never skipped
        assert 0.25 - 0.1 <= engine.seconds_until_retry() <= 0.5
    engine.close()


def test_while_unreachable_the_running_engine_probes_more_often_than_its_interval(kiosk):
    port = free_port()
    engine = SyncEngine(kiosk.replica, client_factory=lambda: ApiClient(f"http://127.0.0.1:{port}", "t"),
                        interval=4.0)
    rounds: list[float] = []
    engine.add_listener(lambda e: rounds.append(time.monotonic()) if e.kind == "sync_finished" else None)
    engine.start()
    try:
        wait_until(lambda: len(rounds) >= 4, what="four probes", timeout=15)
    finally:
        engine.stop()
        engine.close()
    gaps = [b - a for a, b in zip(rounds, rounds[1:4])]
    assert all(0.9 <= gap <= 3.5 for gap in gaps), gaps  # every 1-2 s, not every 4 s


def test_connectivity_switches_by_itself(server, event_id, kiosk):
    events: list[SyncEvent] = []
    kiosk.engine.add_listener(events.append)
    kiosk.engine.start()
    try:
        wait_until(lambda: kiosk.engine.state == ONLINE, what="online")
        server.stop()
        wait_until(lambda: kiosk.engine.state == OFFLINE, what="offline")
        kiosk.desk.scan("EN-0009")
        kiosk.engine.trigger()  # while offline: waits for the backoff, loses nothing
        server.start()
        wait_until(lambda: kiosk.engine.state == ONLINE and sync_status(kiosk.replica)["waiting_to_sync"] == 0,
                   what="back online with the queue pushed")
    finally:
        kiosk.engine.stop()
    changes = [(e.previous, e.state) for e in events if e.kind == "state_changed"]
    assert (ONLINE, OFFLINE) in changes and (OFFLINE, ONLINE) in changes
    assert any(e.kind == "sync_finished" and e.report.checkins_pushed == 1 for e in events)
    assert len(server.checkin_log(event_id)) == 1


def test_trigger_pushes_at_once_without_waiting_for_the_interval(server, event_id, tmp_path):
    k = enroll_kiosk(server, event_id, tmp_path / "k", "T", interval=3600)
    finished = threading.Event()
    k.engine.add_listener(lambda e: finished.set() if e.kind == "sync_finished" and e.report.checkins_pushed else None)
    k.engine.start()
    try:
        wait_until(lambda: k.engine.state == ONLINE, what="first round")
        k.desk.scan("EN-0010")
        k.engine.trigger()
        assert finished.wait(20), "the triggered round did not run"
    finally:
        k.close()
    assert len(server.checkin_log(event_id)) == 1
