"""Background work that says what it changed (the Anki ``CollectionOp`` / ``QueryOp`` idea).

Three kinds of operation, each run off the GUI thread:

- :class:`WriteOp` runs on the DbWorker, changes the replica and returns an
  :class:`~sync.changes.Changed` (its result and the :class:`~sync.changes.Changes`);
- :class:`QueryOp` runs on the DbWorker and only reads; with a ``latest`` key,
  only the newest query of that key is run and answered (search as you type);
- :class:`NetworkOp` runs on the NetWorker (enrollment, a manual sync).

Every operation has a success and a failure path. After a write that changed
something, :class:`Operations` emits one ``changes(changes, initiator)``
signal; every face refreshes itself from the flags it cares about, and when
``changes.outbox`` the sync engine is asked to push. A failure with no
handler of its own is logged (with its traceback when it is a bug) and
announced by ``operation_failed(message, initiator)``, which the shell shows
on the face that asked. Nothing fails silently.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from PySide6.QtCore import QObject, Signal

from sync.changes import Changed, Changes

if TYPE_CHECKING:
    from kiosk.app.workers import SerialWorker
    from kiosk.session import KioskSession

log = logging.getLogger(__name__)

Handler = Callable[[Any], None]


def describe_failure(exc: BaseException) -> str:
    """One line for people; the environment's fault is logged as a warning, a bug with its traceback."""
    from kiosk.crash import report_unexpected
    from sync.replica.database import ReplicaError

    if isinstance(exc, ReplicaError):
        log.warning("replica: %s", exc)
    return report_unexpected(exc)


class _Op:
    """What to run and what to call after; built by the one-line factories in ``kiosk.app.ops``."""

    def __init__(self, fn: Callable[..., Any], *args):
        self.fn, self.args = fn, args
        self._on_success: Handler | None = None
        self._on_failure: Handler | None = None

    def success(self, handler: Handler) -> "_Op":
        self._on_success = handler
        return self

    def failure(self, handler: Handler) -> "_Op":
        self._on_failure = handler
        return self

    def run(self, operations: "Operations", initiator: object = None) -> None:
        operations.run(self, initiator)


class WriteOp(_Op):
    """Changes the replica on the DbWorker: ``fn(session, *args)`` returns a :class:`Changed`."""


class QueryOp(_Op):
    """Reads the replica on the DbWorker: ``fn(session, *args)`` returns the answer."""

    def __init__(self, fn: Callable[..., Any], *args, latest: str | None = None):
        super().__init__(fn, *args)
        self.latest = latest  # only the newest query of this key is run and answered


class NetworkOp(_Op):
    """Talks to the server on the NetWorker: ``fn(session, *args)`` returns a :class:`Changed` or a value."""


_STALE = object()  # a "latest only" query overtaken by a newer one before it ran: not run


class _Answer(NamedTuple):
    key: str
    generation: int
    value: Any


class Operations(QObject):
    """Runs operations for the screens and announces what they changed."""

    changes = Signal(object, object)  # Changes, initiator (the widget that asked, or None)
    operation_failed = Signal(str, object)  # one line for people, initiator

    def __init__(self, session: "KioskSession", db_worker: "SerialWorker", net_worker: "SerialWorker",
                 parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.db_worker, self.net_worker = db_worker, net_worker
        self._latest: dict[str, int] = {}
        # A job submitted to a worker directly (not through an operation) that failed with no handler.
        for worker in (db_worker, net_worker):
            worker.job_failed.connect(self.on_worker_job_failed)

    def run(self, op: _Op, initiator: object = None) -> None:
        worker = self.net_worker if isinstance(op, NetworkOp) else self.db_worker
        job = self._job_for(op)
        worker.submit(job, on_done=lambda value: self._succeeded(op, value, initiator),
                      on_error=lambda exc: self._failed(op, exc, initiator))

    def announce(self, changes: Changes, initiator: object = None) -> None:
        """Tell every face what changed (also for changes made outside an operation: a sync round)."""
        if not changes:
            return
        if changes.outbox and self.session.engine is not None:
            self.session.engine.trigger()
        self.changes.emit(changes, initiator)

    # ---- on the worker ------------------------------------------------------------

    def _job_for(self, op: _Op) -> Callable[[], Any]:
        session, fn, args = self.session, op.fn, op.args
        key = getattr(op, "latest", None)
        if key is None:
            return lambda: fn(session, *args)
        generation = self._latest[key] = self._latest.get(key, 0) + 1

        def latest_only():
            if self._latest.get(key) != generation:
                return _STALE
            return _Answer(key, generation, fn(session, *args))

        return latest_only

    # ---- back on the GUI thread -----------------------------------------------------

    def _succeeded(self, op: _Op, value: Any, initiator: object) -> None:
        if value is _STALE:
            return
        if isinstance(value, _Answer):
            if self._latest.get(value.key) != value.generation:
                return  # a newer query of the same key is on its way
            value = value.value
        changes = None
        if isinstance(value, Changed):
            changes, value = value.changes, value.value
        if op._on_success is not None:
            op._on_success(value)
        if changes is not None:
            self.announce(changes, initiator)

    def _failed(self, op: _Op, exc: BaseException, initiator: object) -> None:
        if op._on_failure is not None:
            if not _is_environment(exc):
                describe_failure(exc)  # a bug handled on screen still goes to the log with its traceback
            op._on_failure(exc)
            return
        self.operation_failed.emit(describe_failure(exc), initiator)

    def on_worker_job_failed(self, message: str) -> None:
        self.operation_failed.emit(message, None)


def _is_environment(exc: BaseException) -> bool:
    """The environment's fault (disk full, database locked, server down): no traceback to log."""
    from sync.replica.database import ReplicaError

    if isinstance(exc, (ReplicaError, OSError)):
        return True
    try:
        from sync.client import SyncError
    except ImportError:  # pragma: no cover - the engine is always installed
        return False
    return isinstance(exc, SyncError)
