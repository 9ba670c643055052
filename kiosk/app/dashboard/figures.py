"""The dashboard's figures, whichever source they came from (the server, or this replica)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

SERVER = "server"
REPLICA = "replica"


@dataclass(frozen=True)
class KioskRow:
    """One kiosk of the fleet, as the dashboard lists it."""

    name: str
    door: str
    online: bool | None  # None: not known (the figures came from this kiosk alone)
    last_seen: datetime | None  # UTC
    waiting_to_sync: int | None
    behind: int | None = None  # server changes this kiosk has not pulled yet
    clock_offset_seconds: float | None = None
    revoked: bool = False


@dataclass(frozen=True)
class DashboardFigures:
    source: str  # SERVER | REPLICA
    event_name: str
    expected: int
    arrived: int
    inside: int
    walkins: int
    duplicates: int
    waiting_to_sync: int | None
    capacity: int | None = None
    overrides: int = 0  # entries a supervisor forced past the door rules ("Let in anyway"), not undone
    per_door: list[tuple[str, int]] = field(default_factory=list)  # door, arrivals
    arrivals_per_5min: list[tuple[datetime, int]] = field(default_factory=list)  # bucket start (UTC), arrivals
    fleet: list[KioskRow] = field(default_factory=list)
    generated_at: datetime | None = None  # UTC

    @property
    def arrived_share(self) -> float | None:
        return self.arrived / self.expected if self.expected else None


def from_replica_stats(stats: dict, *, device_name: str, door: str, generated_at: datetime) -> DashboardFigures:
    """The figures of ``kiosk.core.stats.replica_stats``: what this kiosk knows, offline."""
    event = stats.get("event") or {}
    waiting = stats.get("waiting_to_sync")
    return DashboardFigures(
        source=REPLICA,
        event_name=event.get("name") or "",
        expected=stats["expected"],
        arrived=stats["arrived"],
        inside=stats["inside"],
        walkins=stats["walkins"],
        duplicates=stats["duplicates"],
        overrides=stats.get("overrides", 0),
        waiting_to_sync=waiting,
        capacity=event.get("capacity"),
        per_door=list(stats.get("per_door", {}).items()),
        arrivals_per_5min=[(start, count) for start, count in stats.get("arrivals_per_5min", [])],
        fleet=[KioskRow(device_name, door, None, None, waiting)],
        generated_at=generated_at,
    )


def from_server_stats(stats, event_name: str = "") -> DashboardFigures:
    """The figures of the server's ``Stats`` (sync.wire.Stats): the whole fleet's."""
    fleet = [
        KioskRow(
            name=device.name or device.device_id,
            door=device.door,
            online=device.online and not device.revoked,
            last_seen=device.last_seen_at,
            waiting_to_sync=device.outbox_size,
            behind=device.behind,
            clock_offset_seconds=device.clock_offset_seconds,
            revoked=device.revoked,
        )
        for device in stats.devices
    ]
    waiting = [row.waiting_to_sync for row in fleet if row.waiting_to_sync is not None]
    return DashboardFigures(
        source=SERVER,
        event_name=event_name,
        expected=stats.expected,
        arrived=stats.arrived,
        inside=stats.inside,
        walkins=stats.walk_ins,
        duplicates=stats.duplicates,
        overrides=stats.overrides,
        waiting_to_sync=sum(waiting) if waiting else None,
        capacity=stats.venue_capacity,
        per_door=[(door.door or "—", door.arrivals) for door in stats.per_door],
        arrivals_per_5min=[(bucket.start, bucket.arrivals) for bucket in stats.arrivals_per_5min],
        fleet=fleet,
        generated_at=stats.generated_at,
    )
