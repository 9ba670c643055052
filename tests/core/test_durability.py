"""A check-in reported as admitted survives the process being killed at any instant."""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading

import pytest

from sync.replica import open_replica
from tests.core.conftest import add_attendees, add_event

ATTENDEES = 3000


@pytest.fixture
def data_dir(tmp_path):
    data_dir = tmp_path / "data"
    replica = open_replica(data_dir)
    add_event(replica)
    add_attendees(replica, [(f"First{i}", f"Last{i}", f"p{i}@example.org", f"T-{i:05d}", "confirmed")
                            for i in range(ATTENDEES)])
    replica.close()
    return data_dir


def burst_then_kill(data_dir, kill_after: int) -> list[dict]:
    """Feed a burst of scans to `kiosk checkin -`, SIGKILL it after `kill_after` results."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "--data-dir", str(data_dir), "checkin", "-", "--json"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )

    def feed():
        rng = random.Random(kill_after)
        try:
            for _ in range(ATTENDEES):
                # Mostly fresh tickets, some repeats and some garbage.
                code = f"T-{rng.randrange(ATTENDEES):05d}" if rng.random() > 0.05 else "garbage code"
                process.stdin.write(code + "\n")
        except (BrokenPipeError, OSError):
            pass  # killed under our feet: expected
        finally:
            try:
                process.stdin.close()
            except OSError:
                pass  # the rest of the burst had nowhere to go

    threading.Thread(target=feed, daemon=True).start()
    reported = []
    for line in process.stdout:
        reported.append(json.loads(line))
        if len(reported) >= kill_after:
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=30)
    process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    return reported


@pytest.mark.parametrize("kill_after", [1, 37, 250])
def test_every_admitted_checkin_survives_sigkill(data_dir, kill_after):
    reported = burst_then_kill(data_dir, kill_after)
    admitted = [d["checkin_id"] for d in reported if d["result"] == "admitted"]
    assert admitted, "the burst admitted no one before the kill"

    conn = sqlite3.connect(data_dir / "replica.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = dict(conn.execute("SELECT id, result FROM checkins").fetchall())
        queued = {row[0] for row in conn.execute("SELECT ref_id FROM outbox")}
    finally:
        conn.close()
    for checkin_id in admitted:
        assert stored.get(checkin_id) == "admitted"
        assert checkin_id in queued

    # The replica opens cleanly afterwards and the same tickets are now refused as duplicates.
    replica = open_replica(data_dir)
    try:
        from kiosk.core.desk import CheckinDesk

        first = next(d for d in reported if d["result"] == "admitted")
        again = CheckinDesk(replica).scan(first["attendee"]["ticket_code"])
        assert again.result.value == "already_checked_in"
    finally:
        replica.close()
