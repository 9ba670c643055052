"""Background workers: one serialized thread for the replica, one for the network.

Every piece of replica work (a scan decision, a search, a walk-in, a count for
the status line) goes through the single :class:`DbWorker`, one job at a time,
in submission order — the same design as Anki's collection thread. Slow network
calls go through a :class:`NetWorker` so they never queue behind a scan.

A job is a plain callable run on the worker thread; it must never touch a
widget. Its result (or exception) is handed back to the GUI thread through a
queued signal, where the ``on_done`` / ``on_error`` callback runs::

    services.db_worker.submit(desk.scan, code, "entry",
                              on_done=self.on_scan_decided, on_error=self.on_scan_failed)

Without ``on_error``, a failure is logged and announced by ``job_failed`` with
a one-line message (the shell shows it on screen).
"""

from __future__ import annotations

import logging
import queue
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)

Callback = Callable[[Any], None] | None


@dataclass
class _Job:
    fn: Callable[..., Any]
    args: tuple
    on_done: Callback
    on_error: Callback


_STOP = object()  # the sentinel that ends the worker loop


class _JobThread(QThread):
    """Runs queued jobs one after the other; reports each outcome to its owner."""

    def __init__(self, owner: "SerialWorker"):
        super().__init__()
        self._owner = owner
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()

    def run(self) -> None:
        while True:
            job = self.jobs.get()
            if job is _STOP:
                return
            try:
                result = job.fn(*job.args)
            except Exception as exc:  # handed to the GUI thread; the loop keeps going
                self._owner._job_outcome.emit(job, exc, False)
            else:
                self._owner._job_outcome.emit(job, result, True)


class SerialWorker(QObject):
    """One background thread that runs submitted jobs strictly in order.

    The worker object lives in the GUI thread, so its ``_job_outcome`` signal,
    emitted from the job thread, is delivered to the GUI thread (queued).
    """

    job_failed = Signal(str)  # a job without on_error failed: a one-line message

    _job_outcome = Signal(object, object, bool)  # job, result or exception, succeeded

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self._thread = _JobThread(self)
        self._thread.setObjectName(f"{name}-worker")
        self._job_outcome.connect(self._on_job_outcome)
        self._stopped = False
        self.jobs_submitted = 0  # counted for the tests that hold the DbWorker to its budget
        self._thread.start()

    def submit(self, fn: Callable[..., Any], *args, on_done: Callback = None, on_error: Callback = None) -> None:
        """Queue ``fn(*args)``; callbacks run later on the GUI thread."""
        if self._stopped:
            log.warning("%s: job %s submitted after stop, ignored", self.objectName(), getattr(fn, "__name__", fn))
            return
        self.jobs_submitted += 1
        self._thread.jobs.put(_Job(fn, args, on_done, on_error))

    def stop(self, timeout_ms: int = 10_000) -> bool:
        """Finish the jobs already queued, then end the thread. True when it ended in time."""
        if not self._stopped:
            self._stopped = True
            self._thread.jobs.put(_STOP)
        return self._thread.wait(timeout_ms)

    @property
    def running(self) -> bool:
        return not self._stopped and self._thread.isRunning()

    @Slot(object, object, bool)
    def _on_job_outcome(self, job: _Job, outcome: Any, succeeded: bool) -> None:
        if succeeded:
            if job.on_done is not None:
                job.on_done(outcome)
            return
        if job.on_error is not None:
            job.on_error(outcome)
            return
        from kiosk.crash import report_unexpected  # logs the traceback of a bug

        self.job_failed.emit(report_unexpected(outcome))


class DbWorker(SerialWorker):
    """The one thread that reads and writes the replica."""

    def __init__(self, parent: QObject | None = None):
        super().__init__("db", parent)


class NetWorker(SerialWorker):
    """The thread for network calls made on behalf of the GUI (enrollment, manual sync)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__("net", parent)
