"""The headline figures of the event, from the local replica (see sync.ledger for their meaning)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sync.replica import Replica
from sync.replica.queries import attendees, checkins, events, outbox, raw

BUCKET = timedelta(minutes=5)


def _bucket(moment: datetime) -> datetime:
    return moment - timedelta(minutes=moment.minute % 5, seconds=moment.second, microseconds=moment.microsecond)


def replica_stats(replica: Replica) -> dict:
    with replica.session(write=False) as s:  # one read transaction: every figure from the same moment
        event_id, event = events.current(s)
        db = raw(s)
        counts = attendees.headline_counts(db, event_id)
        arrivals = checkins.arrivals(db, event_id)
        per_door: dict[str, int] = {}
        per_bucket: dict[datetime, int] = {}
        for door, moment in arrivals:
            per_door[door or "—"] = per_door.get(door or "—", 0) + 1
            per_bucket[_bucket(moment)] = per_bucket.get(_bucket(moment), 0) + 1
        return {
            "event": {"id": event.id, "name": event.name, "capacity": event.venue_capacity} if event else None,
            "expected": counts["expected"],
            "arrived": len(arrivals),
            "inside": counts["inside"],
            "walkins": counts["walkins"],
            "duplicates": checkins.duplicate_count(db, event_id),
            "overrides": checkins.override_count(db, event_id),
            "cancelled": counts["cancelled"],
            "waiting_to_sync": outbox.pending_count(db),
            "not_stored": outbox.not_stored_count(db),
            "per_door": dict(sorted(per_door.items())),
            "arrivals_per_5min": sorted(per_bucket.items()),
        }
