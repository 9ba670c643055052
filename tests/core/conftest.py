"""A small roster in a real replica, built without the CSV importer."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from kiosk.core.desk import CheckinDesk
from sync.clock import utcnow
from sync.replica import open_replica
from sync.replica.models import Attendee, Event

ROSTER = [
    # first, last, email, code, status
    ("Ada", "Lovelace", "ada@example.org", "ADA-0001", "confirmed"),
    ("Grace", "Hopper", "grace@example.org", "GRACE-0002", "confirmed"),
    ("Alan", "Turing", "alan@example.org", "ALAN-0003", "cancelled"),
    ("Edsger", "Dijkstra", "edsger@example.org", "EDSGER-0004", "waitlisted"),
    ("Émilie", "du Châtelet", "emilie@example.org", "EMILIE-0005", "confirmed"),
]


class Clock:
    """A controllable clock for the desk: advances one second per reading."""

    def __init__(self, start: datetime | None = None):
        self.now = start or datetime(2026, 11, 23, 9, 0, 0)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def add_event(replica, event_id="evt-1", name="Demo Conference", timezone="UTC", make_current=True):
    with replica.session() as s:
        s.add(Event(id=event_id, name=name, timezone=timezone))
    if make_current:
        replica.set_state("event_id", event_id)


def add_attendees(replica, rows, event_id="evt-1"):
    now = utcnow()
    with replica.session() as s:
        for first, last, email, code, status in rows:
            s.add(Attendee(id=str(uuid.uuid4()), event_id=event_id, first_name=first, last_name=last,
                           email=email, ticket_code=code, status=status, created_at=now, updated_at=now))


@pytest.fixture
def replica(tmp_path):
    replica = open_replica(tmp_path / "data")
    yield replica
    replica.close()


@pytest.fixture
def roster_replica(replica):
    add_event(replica)
    add_attendees(replica, ROSTER)
    return replica


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def desk(roster_replica, clock):
    return CheckinDesk(roster_replica, door="Door 1", operator="sam", clock=clock)
