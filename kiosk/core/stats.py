"""The headline figures of the event, from the local replica (see sync.ledger for their meaning)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from sync import outbox
from sync.replica import Replica
from sync.replica.models import Attendee, Checkin, Event

BUCKET = timedelta(minutes=5)


def _bucket(moment: datetime) -> datetime:
    return moment - timedelta(minutes=moment.minute % 5, seconds=moment.second, microseconds=moment.microsecond)


def replica_stats(replica: Replica) -> dict:
    event_id = replica.get_state("event_id")
    with replica.session(write=False) as s:
        event = s.get(Event, event_id) if event_id else None
        canonical = and_(Attendee.event_id == event_id, Attendee.merged_into_id.is_(None))

        def count(*where) -> int:
            return s.scalar(select(func.count()).select_from(Attendee).where(canonical, *where)) or 0

        arrival = aliased(Checkin)
        arrivals = s.execute(
            select(arrival.door, arrival.device_time)
            .join(Attendee, Attendee.arrival_id == arrival.id)
            .where(canonical)
        ).all()
        per_door: dict[str, int] = {}
        per_bucket: dict[datetime, int] = {}
        for door, moment in arrivals:
            per_door[door or "—"] = per_door.get(door or "—", 0) + 1
            per_bucket[_bucket(moment)] = per_bucket.get(_bucket(moment), 0) + 1
        undone = select(Checkin.undoes_id).where(Checkin.undoes_id.is_not(None))
        duplicates = s.scalar(
            select(func.count()).select_from(Checkin).where(
                Checkin.event_id == event_id, Checkin.duplicate.is_(True), Checkin.id.not_in(undone)
            )
        )
        return {
            "event": {"id": event.id, "name": event.name, "capacity": event.venue_capacity} if event else None,
            "expected": count(Attendee.status == "confirmed", Attendee.is_walkin.is_(False)),
            "arrived": len(arrivals),
            "inside": count(Attendee.inside.is_(True)),
            "walkins": count(Attendee.is_walkin.is_(True)),
            "duplicates": duplicates or 0,
            "cancelled": count(Attendee.status == "cancelled"),
            "waiting_to_sync": outbox.pending_count(s),
            "per_door": dict(sorted(per_door.items())),
            "arrivals_per_5min": sorted(per_bucket.items()),
        }
