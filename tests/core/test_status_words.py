"""The door's status line in the event's time zone (kiosk/core/status_words.py)."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from kiosk.core.status_words import OFFLINE, SyncStatus, clock_words, describe_status, event_zone

LAST_SYNC = datetime(2026, 12, 2, 3, 24, tzinfo=timezone.utc)


@pytest.fixture
def machine_zone(monkeypatch):
    """Set this machine's time zone (TZ) for the test."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


def test_the_last_sync_is_in_the_events_zone_and_named_when_the_machine_reads_another(machine_zone):
    """The door says "Came in at 12:20" in event time: "last sync" beside it is in event time too."""
    tokyo = event_zone("Asia/Tokyo")
    status = SyncStatus(connectivity=OFFLINE, waiting_to_sync=2, last_sync=LAST_SYNC, zone=tokyo)
    machine_zone("Europe/Berlin")
    assert describe_status(status) == "Offline — 2 check-ins waiting to sync · last sync 12:24 JST"
    machine_zone("Asia/Tokyo")
    assert describe_status(status) == "Offline — 2 check-ins waiting to sync · last sync 12:24"


def test_an_event_without_a_known_zone_shows_utc(machine_zone):
    machine_zone("UTC")
    assert event_zone(None) is timezone.utc and event_zone("Mars/Olympus") is timezone.utc
    assert clock_words(LAST_SYNC, None) == "03:24"
    machine_zone("America/New_York")
    assert clock_words(LAST_SYNC, event_zone("UTC")) == "03:24 UTC"


def test_the_session_reads_the_status_in_the_events_zone(tmp_path):
    from kiosk.session import KioskSession
    from sync.replica import open_replica
    from sync.replica.models import Event

    replica = open_replica(tmp_path)
    with replica.session() as s:
        s.add(Event(id="evt-1", name="Gala", timezone="Asia/Tokyo"))
    replica.set_state("event_id", "evt-1")
    from kiosk.config import Settings

    session = KioskSession(Settings(data_dir=tmp_path), replica)
    try:
        assert session.sync_status().zone == event_zone("Asia/Tokyo")
    finally:
        session.close()
