"""The objects every screen works with, wired once by the app and passed in explicitly.

There is no global registry: ``kiosk.app.shell`` builds one :class:`Services`
around the kiosk's :class:`~kiosk.session.KioskSession` and hands it to each
screen's constructor; tests build their own with a real replica.

Threading rule: the session's replica and desk are used only inside operations
(``services.ops``, see ``kiosk.app.operations``), which run them on the
DbWorker; network work runs on the NetWorker. Widgets never call them directly:
they run an operation, and hear what changed through ``ops.changes``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiosk.app.operations import Operations
from kiosk.app.sync_status import SyncStatusKeeper
from kiosk.app.workers import DbWorker, NetWorker
from kiosk.session import EventInfo, KioskSession, read_event_info

if TYPE_CHECKING:
    from kiosk.app.sync_bridge import SyncBridge
    from kiosk.config import Settings
    from kiosk.core.desk import CheckinDesk
    from sync.replica import Replica

__all__ = ["EventInfo", "Services", "read_event_info"]


class Services:
    """Everything a screen may use: the session, the operations runner, the sync status."""

    def __init__(self, session: KioskSession, *, sync_bridge: "SyncBridge | None" = None,
                 db_worker: DbWorker | None = None, net_worker: NetWorker | None = None,
                 extras: dict[str, Any] | None = None):
        self.session = session
        self.db_worker = db_worker or DbWorker()
        self.net_worker = net_worker or NetWorker()
        self.ops = Operations(session, self.db_worker, self.net_worker)
        self.sync_bridge = sync_bridge
        self.sync_status = SyncStatusKeeper(self.ops, sync_bridge)
        self.extras = dict(extras or {})  # e.g. the demo server's URL

    # What the session holds, under the names the screens have always used.
    @property
    def settings(self) -> "Settings":
        return self.session.settings

    @property
    def event(self) -> EventInfo:
        return self.session.event

    @property
    def replica(self) -> "Replica":
        return self.session.replica

    @property
    def desk(self) -> "CheckinDesk":
        return self.session.desk

    @desk.setter
    def desk(self, desk: "CheckinDesk") -> None:
        self.session.desk = desk

    @property
    def sync_engine(self):
        return self.session.engine

    def stop_workers(self) -> bool:
        """Finish the queued jobs and end both workers; True when both ended in time."""
        return all([self.db_worker.stop(), self.net_worker.stop()])
