"""The objects every screen works with, wired once by the app and passed in explicitly.

There is no global registry: ``kiosk.app.main`` builds one :class:`Services`
and hands it to each screen's constructor; tests build their own with a real
replica in a temporary folder.

Threading rule: ``replica`` and ``desk`` are used only inside jobs submitted to
``db_worker``; network calls only inside jobs submitted to ``net_worker`` (or by
the sync engine's own threads). Widgets never call them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.app.sync_bridge import SyncBridge
    from kiosk.app.workers import DbWorker, NetWorker
    from kiosk.config import Settings
    from kiosk.core.desk import CheckinDesk
    from sync.replica import Replica


@dataclass(frozen=True)
class EventInfo:
    """The event loaded on this kiosk, as the screens show it (None fields: not known)."""

    id: str | None
    name: str = ""
    timezone: str = "UTC"
    starts_at: datetime | None = None
    venue_capacity: int | None = None

    @property
    def loaded(self) -> bool:
        return self.id is not None


def read_event_info(replica: "Replica") -> EventInfo:
    """The current event from the replica (call it on the DbWorker, or before the GUI starts)."""
    from sync.replica.models import Event

    event_id = replica.get_state("event_id")
    if event_id is None:
        return EventInfo(None)
    with replica.session(write=False) as s:
        event = s.get(Event, event_id)
        if event is None:
            return EventInfo(event_id)
        return EventInfo(event.id, event.name, event.timezone, event.starts_at, event.venue_capacity)


@dataclass
class Services:
    """Everything a screen may use. Built by the app wiring; passed to each screen."""

    replica: "Replica"
    desk: "CheckinDesk"
    db_worker: "DbWorker"
    net_worker: "NetWorker"
    settings: "Settings"
    event: EventInfo
    sync_engine: Any = None  # sync.engine.SyncEngine, or None when no server is configured
    sync_bridge: "SyncBridge | None" = None  # the engine's callbacks as Qt signals
    extras: dict[str, Any] = field(default_factory=dict)  # e.g. the demo server's URL

    def after_local_change(self) -> None:
        """Ask the sync engine to push soon (after a check-in, an undo, a walk-in)."""
        if self.sync_engine is not None:
            self.sync_engine.trigger()
