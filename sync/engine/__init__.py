"""The sync engine, as stages: :mod:`.push`, :mod:`.pull`, :mod:`.heartbeat`, run in order by
:class:`SyncEngine` (:mod:`.core`) on the schedule of :mod:`.schedule`, against a
:class:`sync.backends.base.CentralBackend`. The names other code imports live here."""

from sync.backends.errors import NotEnrolledError
from sync.engine.core import SyncEngine
from sync.engine.report import Listener, SyncEvent, SyncReport
from sync.status import DEGRADED, NOT_ENROLLED, OFFLINE, ONLINE, sync_status

__all__ = ["SyncEngine", "SyncEvent", "SyncReport", "Listener", "NotEnrolledError", "sync_status",
           "ONLINE", "OFFLINE", "DEGRADED", "NOT_ENROLLED"]
