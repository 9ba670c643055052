"""Two server processes on one database (PostgreSQL, and SQLite too): the server keeps no state of its own.

Overlapping batches pushed concurrently through both processes must give unique,
monotonic sequence numbers, no double counts, and a cursor-following reader that
misses nothing.
"""

from __future__ import annotations

import json
import random
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from types import SimpleNamespace

import httpx
import pytest

from sync.ledger import replay
from sync.server import admin
from tests.sync.server.support import Api, ServerProcess, checkin, roster_csv

ATTENDEES = 150
ITEMS = 1140
BATCHES = 8
BATCH_SPAN = 300  # each batch overlaps the next: the same items pushed again, through the other process


@pytest.fixture
def two_servers(db_url):
    servers = [ServerProcess(db_url), ServerProcess(db_url)]  # both migrate at once at start-up
    try:
        for server in servers:
            server.wait_ready()
        db = admin.open_database(db_url)
        token = admin.new_admin_token(db, "tests")
        db.dispose()
        yield [Api(server.url, token) for server in servers], servers
    finally:
        for server in servers:
            server.stop()


def make_event(organizer: Api) -> str:
    event_id = organizer.data("post", "/events", {"name": "Concurrent"}, expect=201)["id"]
    rows = [(f"First{i}", f"Last{i}", f"p{i}@example.org", f"T-{i:05d}") for i in range(ATTENDEES)]
    organizer.data("post", f"/events/{event_id}/roster", content=roster_csv(rows), headers={"Content-Type": "text/csv"})
    return event_id


def enroll(organizer: Api, base_url: str, event_id: str, door: str) -> tuple[str, Api]:
    code = organizer.data("post", f"/events/{event_id}/enrollment-codes", {"door": door}, expect=201)["code"]
    enrolled = Api(base_url).data("post", "/devices/enroll", {"code": code})
    return enrolled["device_id"], Api(base_url, enrolled["device_token"])


def pull_everything(api: Api, event_id: str, cursor: int = 0) -> tuple[list[dict], int]:
    items = []
    while True:
        page = api.data("get", f"/events/{event_id}/checkins", cursor=cursor, limit=500)
        items += page["items"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return items, cursor


def test_overlapping_concurrent_pushes_through_two_processes(two_servers):
    (api_a, api_b), servers = two_servers
    event_id = make_event(api_a)
    # Four kiosks, two on each process; consecutive batches go to different processes.
    devices = [enroll(api_a, servers[i % 2].url, event_id, f"Door {i + 1}") for i in range(4)]
    rng = random.Random(7)
    start = datetime(2026, 5, 1, 8, 0, 0)
    pool = []
    for n in range(ITEMS):
        device_id, _ = devices[n % len(devices)]
        code = f"T-{rng.randrange(ATTENDEES):05d}"
        pool.append(checkin(event_id, code, at=start + timedelta(seconds=rng.randrange(7200), microseconds=n),
                            device=device_id, door=f"Door {n % len(devices) + 1}"))
    step = (ITEMS - BATCH_SPAN) // (BATCHES - 1)
    assert step * (BATCHES - 1) + BATCH_SPAN == ITEMS and step < BATCH_SPAN
    batches = [pool[i * step: i * step + BATCH_SPAN] for i in range(BATCHES)]
    assert {item["id"] for batch in batches for item in batch} == {item["id"] for item in pool}

    verdicts: dict[str, set[str]] = defaultdict(set)
    lock = threading.Lock()
    pushing = threading.Event()
    pushing.set()

    def push(index: int) -> None:
        _, api = devices[index % len(devices)]
        batch = batches[index]
        for part in range(0, len(batch), 100):
            results = api.data("post", f"/events/{event_id}/checkins", {"items": batch[part:part + 100]})["results"]
            with lock:
                for verdict in results:
                    verdicts[verdict["id"]].add(verdict["status"])

    seen: dict[str, dict] = {}

    def follow() -> None:
        """A kiosk pulling by cursor while the pushes land, alternating between the two processes."""
        cursor, turn = 0, 0
        while True:
            still_pushing = pushing.is_set()
            api = (api_a, api_b)[turn % 2]
            turn += 1
            items, cursor = pull_everything(api, event_id, cursor)
            for item in items:
                seen[item["id"]] = item
            if not still_pushing:
                return

    follower = threading.Thread(target=follow)
    follower.start()
    with ThreadPoolExecutor(BATCHES) as pool_executor:
        list(pool_executor.map(push, range(BATCHES)))
    pushing.clear()
    follower.join(120)

    assert set(verdicts) == {item["id"] for item in pool}
    assert all(statuses <= {"accepted", "duplicate"} for statuses in verdicts.values())

    full_a, high_a = pull_everything(api_a, event_id)
    full_b, high_b = pull_everything(api_b, event_id)
    assert full_a == full_b and high_a == high_b
    ids = [item["id"] for item in full_a]
    seqs = [item["seq"] for item in full_a]
    assert len(ids) == len(set(ids)) == ITEMS  # each scan stored once, however often it was pushed
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    # The reader that followed the cursor during the storm ended with exactly the final state.
    assert {k: (v["seq"], v["duplicate"], v["duplicate_of"]) for k, v in seen.items()} == \
           {i["id"]: (i["seq"], i["duplicate"], i["duplicate_of"]) for i in full_a}

    # The same ledger, replayed here over what was pushed, gives the same verdicts and figures.
    scans_by_code = defaultdict(list)
    for item in pool:
        scans_by_code[item["ticket_code"]].append(SimpleNamespace(
            id=item["id"], kind=item["kind"], result=item["result"], undoes_id=None,
            device_time=datetime.fromisoformat(item["device_time"].removesuffix("Z"))))
    expected_duplicates = set()
    for scans in scans_by_code.values():
        expected_duplicates |= replay(scans).duplicate_ids
    assert {i["id"] for i in full_a if i["duplicate"]} == expected_duplicates
    stats_a = api_a.data("get", f"/events/{event_id}/stats")
    stats_b = api_b.data("get", f"/events/{event_id}/stats")
    for figures in (stats_a, stats_b):
        assert figures["arrived"] == len(scans_by_code)
        assert figures["duplicates"] == len(expected_duplicates) == ITEMS - len(scans_by_code)
        assert sum(d["arrivals"] for d in figures["per_door"]) == len(scans_by_code)


def test_stream_on_one_process_sees_a_push_through_the_other(two_servers):
    (api_a, api_b), servers = two_servers
    event_id = make_event(api_a)
    device_id, device = enroll(api_a, servers[0].url, event_id, "Door 1")
    with httpx.Client(timeout=httpx.Timeout(10, read=30)) as http:
        with http.stream("GET", f"{servers[1].url}/api/v1/events/{event_id}/stream",
                         headers={"Authorization": api_b.http.headers["Authorization"]}) as response:
            lines = response.iter_lines()

            def next_stats() -> dict:
                event = None
                for line in lines:
                    if line.startswith("event: "):
                        event = line[7:]
                    elif line.startswith("data: ") and event == "stats":
                        return json.loads(line[6:])
                raise AssertionError("the stream ended")

            assert next_stats()["arrived"] == 0
            body = {"items": [checkin(event_id, "T-00001", device=device_id)]}
            device.data("post", f"/events/{event_id}/checkins", body)
            while (figures := next_stats())["arrived"] == 0:  # a heartbeat-only change may come first
                pass
            assert figures["arrived"] == 1
