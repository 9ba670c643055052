"""Where the dashboard's figures come from, live, without ever blocking the window.

* :class:`ReplicaStatsPoller` counts from this kiosk's replica on the DbWorker,
  on a timer and soon after each local change.
* :class:`ServerStatsStream` reads the server's ``/stream`` (server-sent
  events) on its own thread, and reconnects after a failure with a growing
  pause. It has a thread of its own because the stream stays open for hours
  and would otherwise hold up the NetWorker's other jobs.

Both hand their figures to the GUI thread through queued signals.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Iterable, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.app.dashboard.figures import DashboardFigures, from_replica_stats, from_server_stats
from sync.clock import utcnow

log = logging.getLogger(__name__)

POLL_INTERVAL_MS = 5_000
MAX_POLL_INTERVAL_MS = 60_000
# Counting shares the DbWorker with the door's scans: it may take at most this share of its time.
MAX_WORKER_SHARE = 0.1
CHANGE_SETTLE_MS = 300  # a burst of scans makes one count, not one per scan
RECONNECT_FIRST_S = 1.0
RECONNECT_MAX_S = 30.0


class ReplicaStatsPoller(QObject):
    """Counts this replica's figures on the DbWorker; at most one count in flight.

    A big replica takes a while to count, and every count holds up the scans
    queued behind it: the interval stretches so that counting stays a small
    share of the worker's time.
    """

    figures_counted = Signal(object)  # DashboardFigures (source "replica")
    count_failed = Signal(str)

    def __init__(self, services, interval_ms: int = POLL_INTERVAL_MS, parent: QObject | None = None):
        super().__init__(parent)
        self.services = services
        self._in_flight = False
        self._again = False  # a change arrived while counting: count once more after
        self._base_interval_ms = interval_ms
        self.last_count_seconds: float | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.on_timer_timeout)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(CHANGE_SETTLE_MS)
        self._settle.timeout.connect(self.count_now)

    def start(self) -> None:
        self._timer.start()
        self.count_now()

    def stop(self) -> None:
        self._timer.stop()
        self._settle.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def count_soon(self) -> None:
        """Something changed locally: count shortly (many changes in a row make one count)."""
        if not self._settle.isActive():
            self._settle.start()

    def count_now(self) -> None:
        if self._in_flight:
            self._again = True
            return
        from kiosk.app import ops

        self._in_flight = True
        (ops.count_figures(self.services.settings.door_name)
         .success(self._on_counted)
         .failure(self._on_failed)
         .run(self.services.ops, self))

    def on_timer_timeout(self) -> None:
        self.count_now()

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    def _on_counted(self, counted: tuple[DashboardFigures, float]) -> None:
        self._in_flight = False
        figures, seconds = counted
        self.last_count_seconds = seconds
        stretched = int(seconds / MAX_WORKER_SHARE * 1000)
        self._timer.setInterval(min(MAX_POLL_INTERVAL_MS, max(self._base_interval_ms, stretched)))
        self.figures_counted.emit(figures)
        self._count_again_if_asked()

    def _on_failed(self, exc: Exception) -> None:
        self._in_flight = False
        from kiosk.crash import report_unexpected

        self.count_failed.emit(report_unexpected(exc))
        self._count_again_if_asked()

    def _count_again_if_asked(self) -> None:
        if self._again:
            self._again = False
            self.count_now()


def count_figures(replica, door: str) -> tuple[DashboardFigures, float]:
    """On the DbWorker: the figures, and how long counting took (seconds)."""
    from kiosk.core.stats import replica_stats

    started = time.perf_counter()
    stats = replica_stats(replica)
    figures = from_replica_stats(stats, device_name="This kiosk", door=door, generated_at=utcnow())
    return figures, time.perf_counter() - started


class StatsStream(Protocol):
    """One open stream of the server's stats: iterate for each ``Stats``; close from any thread."""

    def __iter__(self): ...

    def close(self) -> None: ...


StreamOpener = Callable[[], "StatsStream | Iterable"]


class ServerStatsStream(QObject):
    """Reads the server's live stats on a thread of its own; reconnects until stopped."""

    figures_received = Signal(object)  # DashboardFigures (source "server")
    stream_connected = Signal()
    stream_lost = Signal(str)  # why, in plain words; a reconnection follows

    def __init__(self, open_stream: StreamOpener, event_name: str = "", parent: QObject | None = None):
        super().__init__(parent)
        self._open_stream = open_stream
        self._event_name = event_name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._current = None
        self._lock = threading.Lock()

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="dashboard-stream", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with self._lock:
            current = self._current
        if current is not None and hasattr(current, "close"):
            try:
                current.close()  # unblocks the read on the stream's thread
            except Exception:  # closing a half-broken connection may complain; it is closed
                log.debug("closing the stats stream", exc_info=True)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _emit(self, signal, *args) -> None:
        # After stop() nothing is announced: the widget may be on its way out.
        if self._stop.is_set():
            return
        try:
            signal.emit(*args)
        except RuntimeError:  # the Qt side was deleted without stop(): end quietly
            self._stop.set()

    def _run(self) -> None:
        pause = RECONNECT_FIRST_S
        while not self._stop.is_set():
            try:
                stream = self._open_stream()
                with self._lock:
                    self._current = stream
                if self._stop.is_set():
                    break
                first = True
                for stats in stream:
                    if self._stop.is_set():
                        break
                    if first:
                        self._emit(self.stream_connected)
                        first = False
                        pause = RECONNECT_FIRST_S
                    self._emit(self.figures_received, from_server_stats(stats, self._event_name))
                self._emit(self.stream_lost, "The server closed the live stream.")
            except Exception as exc:  # the network's fault (StreamError) or a bad reply: say it, retry
                log.info("dashboard stream: %s", exc)
                self._emit(self.stream_lost, str(exc) or type(exc).__name__)
            finally:
                with self._lock:
                    current, self._current = self._current, None
                if current is not None and hasattr(current, "close"):
                    try:
                        current.close()
                    except Exception:
                        log.debug("closing the stats stream", exc_info=True)
            self._stop.wait(pause)
            pause = min(pause * 2, RECONNECT_MAX_S)
