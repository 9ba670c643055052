"""One kiosk, Qt-free: the replica, the settings, the current event, the desk and sync.

The command line and the app both work through a :class:`KioskSession`, so
"the current event", the door a scan is recorded at and the words that
describe the sync state are decided in one place. Methods that read or write
the replica run wherever the caller runs them: the CLI calls them directly,
the app only on its DbWorker (see ``kiosk.app.operations``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.core.desk import CheckinDesk
from kiosk.core.status_words import SyncStatus, describe_status, event_zone
from sync.changes import Changes
from sync.replica import Replica, open_replica
from sync.status import K_SERVER, sync_status

if TYPE_CHECKING:
    from kiosk.config import ConfigSources, Settings
    from sync.engine import SyncEngine

log = logging.getLogger(__name__)


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


def read_event_info(replica: Replica) -> EventInfo:
    """The current event as the replica holds it."""
    from sync.replica.queries import events

    with replica.session(write=False) as s:
        event_id, event = events.current(s)
        if event is None:
            return EventInfo(event_id)
        return EventInfo(event.id, event.name, event.timezone, event.starts_at, event.venue_capacity)


class KioskSession:
    """Everything one kiosk works with, assembled the same way for the CLI and the app."""

    def __init__(self, settings: "Settings", replica: Replica | None = None, *,
                 door: str | None = None, operator: str | None = None,
                 config_sources: "ConfigSources | None" = None):
        self.settings = settings
        # Where changed settings are saved: the user's file (None), or the demo's own.
        self.config_sources = config_sources
        self.replica = replica if replica is not None else open_replica(settings.data_dir)
        # The CLI's --door/--operator win over the settings for this session only.
        self._door, self._operator = door, operator
        self.event = read_event_info(self.replica)
        self.desk = self._make_desk()
        self.engine: "SyncEngine | None" = None

    @classmethod
    def open(cls, data_dir: Path | str, settings: "Settings | None" = None, **kwargs) -> "KioskSession":
        """A session on the replica in ``data_dir`` (settings: the configured ones, else defaults)."""
        import dataclasses

        from kiosk.config import Settings

        settings = dataclasses.replace(settings or Settings(), data_dir=Path(data_dir))
        return cls(settings, **kwargs)

    @property
    def door(self) -> str:
        return self._door or self.settings.door_name

    @property
    def operator(self) -> str:
        return self._operator or self.settings.operator

    def _make_desk(self) -> CheckinDesk:
        return CheckinDesk(self.replica, door=self.door, operator=self.operator)

    # ---- what may change under a running kiosk ------------------------------------

    def reload(self) -> Changes:
        """Re-read the current event and make a fresh desk for it; says whether the event changed."""
        event = read_event_info(self.replica)
        changed = event != self.event
        # One assignment each: a job already holding the old desk finishes with it.
        self.event, self.desk = event, self._make_desk()
        return Changes(event=changed)

    def apply_settings(self, settings: "Settings") -> Changes:
        """New settings (saved at the staff desk): the desk's door and operator follow."""
        self.settings = settings
        if self.engine is not None:
            self.engine.interval = settings.sync_interval_seconds
        return self.reload() | Changes(settings=True)

    # ---- sync ----------------------------------------------------------------------

    @property
    def enrolled(self) -> bool:
        return bool(self.replica.get_state(K_SERVER))

    def make_engine(self, *, app_version: str = "", **kwargs) -> "SyncEngine | None":
        """The sync engine, made once the replica knows a server (None before enrolling)."""
        if self.engine is None and self.enrolled:
            from sync.engine import SyncEngine

            kwargs.setdefault("interval", self.settings.sync_interval_seconds)
            self.engine = SyncEngine(self.replica, app_version=app_version, **kwargs)
        return self.engine

    def resend_not_stored(self) -> tuple[int, Changes]:
        """Queue again what the server refused (once the cause is fixed): how many, and what changed."""
        from sync.replica.queries import outbox

        with self.replica.session() as s:
            count = outbox.requeue_not_stored(s)
        if self.engine is not None and count:
            self.engine.trigger(force=True)
        return count, Changes(outbox=bool(count), sync_status=bool(count))

    def not_stored(self, limit: int = 20) -> list[tuple]:
        """``(id, kind, ref_id, why)`` of the items the server refused, oldest first."""
        from sync.replica.queries import outbox

        with self.replica.session(write=False) as s:
            return outbox.not_stored_rows(s, limit)

    def sync_status(self) -> SyncStatus:
        return SyncStatus.of(sync_status(self.replica), event_zone(self.event.timezone))

    def sync_status_dict(self) -> dict:
        """The full sync state, as ``kiosk status --json`` prints it."""
        return sync_status(self.replica)

    def describe_sync(self, status: SyncStatus | None = None) -> str:
        return describe_status(status or self.sync_status())

    def close(self) -> None:
        engine, self.engine = self.engine, None
        if engine is not None:
            engine.stop(wait=True)
            engine.close()
        self.replica.close()
