"""The sync state as the screens show it, kept in memory so no screen re-reads it.

It is read from the replica once at start, and again once per burst of local
changes that queued something for the server (the waiting count moved); a
sync round's report and the engine's connectivity changes update it with no
read at all. Each change is announced as ``Changes(sync_status=True)``
through the operations runner, like every other change.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QObject, QTimer

from kiosk.app.operations import Operations, QueryOp
from kiosk.core.status_words import SyncStatus, parse_utc
from sync.changes import Changes

READ_AFTER_CHANGES_MS = 700  # one read for a burst of scans: the DbWorker stays free for the next scan

SYNC_STATUS = Changes(sync_status=True)


def _read(session) -> SyncStatus:
    return session.sync_status()


class SyncStatusKeeper(QObject):
    def __init__(self, ops: Operations, bridge=None, parent: QObject | None = None):
        super().__init__(parent)
        self.ops = ops
        self.status = SyncStatus()
        self.reads = 0  # how many times the replica was read for it (tests count them)
        self._read_soon = QTimer(self)
        self._read_soon.setSingleShot(True)
        self._read_soon.setInterval(READ_AFTER_CHANGES_MS)
        self._read_soon.timeout.connect(self.read)
        ops.changes.connect(self.on_ops_changes)
        if bridge is not None:
            bridge.state_changed.connect(self.on_sync_bridge_state_changed)
            bridge.sync_finished.connect(self.on_sync_bridge_sync_finished)
        self.read()

    def read(self) -> None:
        self.reads += 1
        QueryOp(_read).success(self._set).failure(self._read_failed).run(self.ops, self)

    def _read_failed(self, exc: Exception) -> None:
        from kiosk.app.operations import describe_failure

        self.ops.operation_failed.emit(f"Could not read the sync status: {describe_failure(exc)}", self)

    def on_ops_changes(self, changes: Changes, initiator: object) -> None:
        if changes.outbox and initiator is not self and not self._read_soon.isActive():
            self._read_soon.start()

    def on_sync_bridge_state_changed(self, state: str, _previous: str) -> None:
        self._set(dataclasses.replace(self.status, connectivity=state))

    def on_sync_bridge_sync_finished(self, report) -> None:
        """A round's report carries everything the status line shows: no read."""
        self.status = dataclasses.replace(
            self.status,
            connectivity=report.connectivity,
            waiting_to_sync=report.waiting_to_sync,
            last_sync=parse_utc(report.finished_at) if report.ok and report.finished_at else self.status.last_sync,
            last_error=None if report.ok else report.error,
            clock_offset_seconds=report.clock_offset_seconds,
        )
        self.ops.announce(report.changes | SYNC_STATUS, self)
        if report.rejected:
            self.read()  # the server refused some: the count of what is not stored moved

    def _set(self, status: SyncStatus) -> None:
        if status != self.status:
            self.status = status
            self.ops.announce(SYNC_STATUS, self)

    def stop(self) -> None:
        self._read_soon.stop()
