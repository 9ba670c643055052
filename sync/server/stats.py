"""The organizer's figures, computed from the database alone (so any server process gives the same)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import BigInteger, Integer, cast, func, select
from sqlalchemy.orm import Session

from sync import wire
from sync.ledger import ADMITTED_OVERRIDE
from sync.server.devices import event_devices
from sync.server.events import get_event
from sync.server.models import AttendeeRow, CheckinRow, DeviceRow, EventRow

BUCKET_SECONDS = 300
ONLINE_WITHIN = timedelta(seconds=60)


def _bucket(session: Session, column):
    """The 5-minute window number of a naive-UTC timestamp column, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", column) / BUCKET_SECONDS), BigInteger)
    return cast(func.strftime("%s", column), Integer) // BUCKET_SECONDS  # "/" would be true division


def compute_stats(session: Session, event_id: str, now: datetime) -> wire.Stats:
    event = get_event(session, event_id)
    A, C = AttendeeRow, CheckinRow
    canonical = A.merged_into_id.is_(None)
    expected, arrived, inside, walk_ins, merged = session.execute(
        select(
            func.count().filter(A.status == "confirmed", A.is_walkin.is_(False)),
            func.count().filter(A.arrival_id.is_not(None), canonical),
            func.count().filter(A.inside.is_(True), canonical),
            func.count().filter(A.is_walkin.is_(True), canonical),
            func.count().filter(A.is_walkin.is_(True), A.merged_into_id.is_not(None)),
        ).where(A.event_id == event_id)
    ).one()
    duplicates, flagged = session.execute(
        select(func.count().filter(C.duplicate.is_(True)),
            func.count().filter(C.flag != "")).where(C.event_id == event_id)
    ).one()
    undone = select(C.undoes_id).where(C.event_id == event_id, C.undoes_id.is_not(None))
    overrides = session.scalar(select(func.count()).where(
        C.event_id == event_id, C.kind == "entry", C.result == ADMITTED_OVERRIDE, C.id.not_in(undone)))

    # From the arrived attendees (an index range) to their arrival scans; a merged walk-in never has one.
    arrivals = (
        select(C.door, C.device_time).select_from(A).join(C, C.id == A.arrival_id)
        .where(A.event_id == event_id, A.arrival_id.is_not(None)).subquery()
    )
    arrivals_by_door = dict(session.execute(select(arrivals.c.door, func.count()).group_by(arrivals.c.door)).all())
    scans_by_door = dict(session.execute(
        select(C.door, func.count()).where(C.event_id == event_id, C.kind.in_(("entry", "exit"))).group_by(C.door)
    ).all())
    doors = sorted(set(arrivals_by_door) | set(scans_by_door))
    bucket = _bucket(session, arrivals.c.device_time).label("bucket")
    buckets = session.execute(select(bucket, func.count()).group_by(bucket).order_by(bucket)).all()

    devices = []
    for device in event_devices(session, event_id):
        devices.append(wire.DeviceStatus(
            device_id=device.id, name=device.name, door=device.door, revoked=device.revoked_at is not None,
            online=(device.revoked_at is None and device.last_seen_at is not None
                    and now - device.last_seen_at <= ONLINE_WITHIN),
            last_seen_at=device.last_seen_at, last_sync_at=device.last_sync_at, outbox_size=device.outbox_size,
            clock_offset_seconds=device.clock_offset_seconds, last_pull_seq=device.last_pull_seq,
            behind=max(0, event.last_seq - device.last_pull_seq) if device.last_pull_seq is not None else None,
        ))
    return wire.Stats(
        event_id=event_id, expected=expected, arrived=arrived, inside=inside, walk_ins=walk_ins,
        walk_ins_merged=merged, duplicates=duplicates, flagged=flagged, overrides=overrides,
        venue_capacity=event.venue_capacity,
        per_door=[wire.DoorStats(door=d, arrivals=arrivals_by_door.get(d, 0), scans=scans_by_door.get(d,
            0)) for d in doors],
        arrivals_per_5min=[
            wire.ArrivalBucket(
                start=datetime.fromtimestamp(int(b) * BUCKET_SECONDS, timezone.utc).replace(tzinfo=None), arrivals=n
            )
            for b, n in buckets if b is not None
        ],
        devices=devices, high_water_seq=event.last_seq, generated_at=now,
    )


def change_marker(session: Session, event_id: str, now: datetime) -> tuple:
    """Changes whenever the stats may have: the event's seq, its devices' status, who is online."""
    seq = session.scalar(select(EventRow.last_seq).where(EventRow.id == event_id))
    devices = tuple(
        # "Last seen" moves on every pull: a 10-second grain keeps dashboards fresh without
        # recomputing the stats at every poll while kiosks are busy.
        (row.id, row.revoked_at, row.outbox_size, row.last_pull_seq, row.clock_offset_seconds,
         row.last_seen_at.replace(second=row.last_seen_at.second // 10, microsecond=0) if row.last_seen_at else None,
         row.last_seen_at is not None and now - row.last_seen_at <= ONLINE_WITHIN)
        for row in session.execute(
            select(DeviceRow.id, DeviceRow.last_seen_at, DeviceRow.revoked_at, DeviceRow.outbox_size,
                   DeviceRow.last_pull_seq, DeviceRow.clock_offset_seconds)
            .where(DeviceRow.event_id == event_id).order_by(DeviceRow.id)
        )
    )
    return seq, devices
