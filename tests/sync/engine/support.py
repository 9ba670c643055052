"""Shared helpers of the engine tests: snapshots of a replica, waiting for a condition."""

from __future__ import annotations

import time

from sqlalchemy import select

from sync.replica.models import Attendee, Checkin, OutboxItem
from sync.status import K_CHECKIN_CURSOR, K_ROSTER_CURSOR

ROSTER = [
    {"first_name": f"Ada{i}", "last_name": "Lovelace", "email": f"ada{i}@example.org", "ticket_code": f"EN-{i:04d}"}
    for i in range(25)
]


def wait_until(condition, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def outbox_snapshot(replica) -> list[tuple]:
    with replica.session(write=False) as s:
        return [(r.id, r.kind, r.ref_id, r.payload_json, r.sent_at)
                for r in s.scalars(select(OutboxItem).order_by(OutboxItem.id)).all()]


def replica_snapshot(replica) -> dict:
    with replica.session(write=False) as s:
        return {
            "attendees": s.execute(select(Attendee.id, Attendee.status, Attendee.ticket_code, Attendee.inside)
                                   .order_by(Attendee.id)).all(),
            "checkins": s.execute(select(Checkin.id, Checkin.attendee_id, Checkin.server_seq, Checkin.duplicate)
                                  .order_by(Checkin.id)).all(),
            "cursors": (replica.get_state(K_ROSTER_CURSOR), replica.get_state(K_CHECKIN_CURSOR)),
        }
