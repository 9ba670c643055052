"""What a round's report says changed, and what it carries for a status line."""

from __future__ import annotations

from datetime import datetime

import pytest

from sync.engine import SyncReport
from sync.status import ONLINE

STARTED = datetime(2026, 5, 1, 9, 0, 0)


@pytest.mark.parametrize("counts, flags", [
    ({}, ["sync_status"]),
    ({"checkins_pushed": 3}, ["sync_status"]),  # stored as they were: nothing on screen changes
    ({"checkins_pulled": 2}, ["checkins", "sync_status"]),
    ({"checkins_changed": 1}, ["checkins", "sync_status"]),  # a verdict flagged a duplicate
    ({"rejected": 1}, ["checkins", "sync_status"]),
    ({"roster_changes": 5}, ["attendees", "sync_status"]),
    ({"walkins_pushed": 1}, ["attendees", "sync_status"]),
    ({"walkins_pushed": 1, "walkins_merged": 1}, ["checkins", "attendees", "sync_status"]),
    ({"event_changed": True}, ["event", "sync_status"]),
    ({"held_back": 2}, ["sync_status"]),  # still queued: nothing changed but the status
])
def test_changes_follow_what_the_round_did(counts, flags):
    assert SyncReport(started_at=STARTED, **counts).changes.names() == flags


def test_a_round_never_says_it_queued_something():
    report = SyncReport(started_at=STARTED, checkins_pulled=9, roster_changes=9, walkins_merged=9,
                        event_changed=True, rejected=9)
    assert not report.changes.outbox and not report.changes.settings


def test_the_report_carries_the_status_line():
    report = SyncReport(started_at=STARTED, finished_at=STARTED, ok=True, connectivity=ONLINE, waiting_to_sync=4)
    assert (report.connectivity, report.waiting_to_sync, report.last_error) == (ONLINE, 4, None)
    failed = SyncReport(started_at=STARTED, error="Cannot reach the server")
    assert failed.last_error == "Cannot reach the server"
    data = report.to_json()
    assert data["finished_at"] == "2026-05-01T09:00:00Z" and data["waiting_to_sync"] == 4
