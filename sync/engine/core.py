"""The sync engine: push what this kiosk did, pull what the others did, by itself.

A round (:meth:`SyncEngine.sync_once`) runs its stages in order, uploading
before downloading as libpretixsync does: walk-ins, then check-ins
(:mod:`sync.engine.push`); then the event, the roster and the other kiosks'
check-ins (:mod:`sync.engine.pull`); then a heartbeat. Every round is safe to
interrupt at any point. :mod:`sync.engine.schedule` runs rounds in the
background and waits after failures. The engine talks only to a
:class:`sync.backends.base.CentralBackend`.

Listeners are plain callables taking a :class:`SyncEvent`, called on the
engine's thread; the GUI turns them into Qt signals. Nothing here knows Qt.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from datetime import datetime
from typing import Callable

from sync import wire
from sync.backends import open_backend
from sync.backends.base import CentralBackend
from sync.backends.errors import AuthError, NotEnrolledError, OfflineError, SyncError
from sync.backends.reference import ApiClient, ReferenceBackend
from sync.clock import utcnow
from sync.credentials import CredentialStore
from sync.engine.heartbeat import HEARTBEAT_EVERY, HeartbeatStage
from sync.engine.pull import CHECKINS as CHECKIN_FEED
from sync.engine.pull import ROSTER as ROSTER_FEED
from sync.engine.pull import EventStage, FeedStage
from sync.engine.push import CHECKINS, WALKINS, PushStage, held_back_error
from sync.engine.report import Listener, SyncEvent, SyncReport
from sync.engine.schedule import RoundScheduler
from sync.engine.stage import Round, Stage
from sync.replica import Replica
from sync.replica.database import ReplicaError
from sync.replica.queries import outbox as outbox_queries
from sync.replica.queries import sync_state
from sync.status import (
    DEGRADED,
    K_CLOCK_OFFSET,
    K_CONNECTIVITY,
    K_EVENT,
    K_FAILURES,
    K_LAST_ATTEMPT,
    K_LAST_ERROR,
    K_LAST_SYNC,
    NOT_ENROLLED,
    OFFLINE,
    ONLINE,
    sync_status,
)

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 5.0
PAGE_SIZE = wire.MAX_PAGE_LIMIT
LIVE_PAGE_SIZE = 1000
BATCH_SIZE = wire.MAX_BATCH_ITEMS
MAX_BACKOFF = 60.0
ROUND_SECONDS = 300.0  # a round that takes longer stops (its pages so far are kept) and goes on next time


class SyncEngine:
    """Keeps one replica in sync with a central server.

    ``backend_factory`` makes the :class:`CentralBackend` (default: the kind,
    server and token the kiosk enrolled with); it is called once and the backend
    is kept for its keep-alive connections. ``client_factory`` is the older name:
    it may return an :class:`ApiClient`, used as the reference backend.
    """

    def __init__(
        self,
        replica: Replica,
        *,
        backend_factory: Callable[[], CentralBackend] | None = None,
        client_factory: Callable[[], CentralBackend | ApiClient] | None = None,
        credentials: CredentialStore | None = None,
        interval: float = DEFAULT_INTERVAL,
        page_size: int = PAGE_SIZE,
        live_page_size: int = LIVE_PAGE_SIZE,
        batch_size: int = BATCH_SIZE,
        max_backoff: float = MAX_BACKOFF,
        round_seconds: float = ROUND_SECONDS,
        heartbeat_every: float = HEARTBEAT_EVERY,
        app_version: str = "",
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ):
        self.replica = replica
        self.interval = interval
        self.page_size = max(1, page_size)
        self.live_page_size = max(1, min(live_page_size, self.page_size))
        self.batch_size = max(1, batch_size)
        self.max_backoff = max_backoff
        self.round_seconds = round_seconds
        self.app_version = app_version
        self.clock = clock
        self._credentials = credentials
        self._backend_factory = backend_factory or client_factory or self._default_backend
        self._backend: CentralBackend | None = None
        self._round_lock = threading.Lock()
        self._listeners_lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._state = replica.get_state(K_CONNECTIVITY) or OFFLINE
        self.heartbeat = HeartbeatStage(heartbeat_every, app_version)
        # The round, in order: upload before download.
        self.stages: list[Stage] = [
            PushStage(WALKINS), PushStage(CHECKINS),
            EventStage(), FeedStage(ROSTER_FEED), FeedStage(CHECKIN_FEED),
            self.heartbeat,
        ]
        self.schedule = RoundScheduler(self, failures=int(replica.get_state(K_FAILURES) or 0), rng=rng)

    # ---- listeners -----------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        with self._listeners_lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        with self._listeners_lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _emit(self, event: SyncEvent) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # a listener's bug must not stop sync
                log.exception("sync listener %r failed on %s", listener, event.kind)

    @property
    def state(self) -> str:
        return self._state

    def status(self) -> dict:
        return sync_status(self.replica)

    # ---- the backend -------------------------------------------------------------

    def _default_backend(self) -> CentralBackend:
        return open_backend(self.replica, self._credentials, clock=self.clock)

    def backend(self) -> CentralBackend:
        """The backend of this kiosk's server, made on first use and kept."""
        if self._backend is None:
            made = self._backend_factory()
            self._backend = ReferenceBackend(made) if isinstance(made, ApiClient) else made
        return self._backend

    def reset_client(self) -> None:
        """Forget the backend: the next round makes a new one (call it after enrolling again)."""
        backend, self._backend = self._backend, None
        if backend is not None:
            backend.close()

    reset_backend = reset_client

    def close(self) -> None:
        self.stop()
        self.reset_client()

    # ---- one round -------------------------------------------------------------

    def sync_once(self, *, push: bool = True, pull: bool = True) -> SyncReport:
        """Run one full round now (waiting for a round in progress); never raises for sync trouble."""
        with self._round_lock:
            report = SyncReport(started_at=self.clock())
            self._emit(SyncEvent("sync_started"))
            backend, requests_before = None, 0
            try:
                backend = self.backend()
                backend.round_deadline = time.monotonic() + self.round_seconds
                requests_before = backend.requests
                event_id = self.replica.get_state(K_EVENT)
                if not event_id:
                    raise NotEnrolledError("No event is set on this kiosk: enroll it first.", code="not_enrolled")
                rnd = Round(backend, event_id, self.replica, report, self.clock, self._emit,
                            batch_size=min(self.batch_size, backend.max_batch),
                            page_size=min(self.page_size, backend.max_page),
                            live_page_size=min(self.live_page_size, backend.max_page))
                skipped = {"push"} if not push else set()
                skipped |= {"pull"} if not pull else set()
                for stage in self.stages:
                    if stage.part not in skipped:
                        stage.run(rnd)
                refused = held_back_error(report)
                if refused is not None:
                    raise refused
                report.ok = True
            except SyncError as exc:
                report.error = str(exc)
                report.connectivity = self._state_for(exc)
                log.info("sync round failed: %s", exc)
                if isinstance(exc, (AuthError, NotEnrolledError)):
                    # After enrolling again the next round must use the new server and token.
                    self.reset_client()
            except ReplicaError as exc:
                report.error = str(exc)
                report.connectivity = DEGRADED
                log.warning("sync round could not write the replica: %s", exc)
            except Exception as exc:  # a bug: log it, keep the kiosk running, try again later
                log.exception("sync round failed unexpectedly")
                report.error = f"unexpected error ({type(exc).__name__}); details are in the log file"
                report.connectivity = DEGRADED
            if backend is not None:
                backend.round_deadline = None
                report.requests = backend.requests - requests_before
                report.clock_offset_seconds = backend.clock_offset
            report.finished_at = self.clock()
            previous = self._finish(report)
        # The report first: a listener told of a new state can already show why.
        self._emit(SyncEvent("sync_finished", report=report))
        if previous != report.connectivity:
            self._emit(SyncEvent("state_changed", state=report.connectivity, previous=previous))
        return report

    def download(self, progress: Callable[[str, int, int], None] | None = None) -> SyncReport:
        """Pull the event, roster and log without pushing (the first download after enrolling)."""
        if progress is None:
            return self.sync_once(push=False)

        def listener(event: SyncEvent) -> None:
            if event.kind == "progress":
                progress(event.phase, event.done, event.total)

        self.add_listener(listener)
        try:
            return self.sync_once(push=False)
        finally:
            self.remove_listener(listener)

    @staticmethod
    def _state_for(exc: SyncError) -> str:
        if isinstance(exc, NotEnrolledError):
            return NOT_ENROLLED
        if isinstance(exc, OfflineError):
            return OFFLINE
        return DEGRADED

    def _finish(self, report: SyncReport) -> str:
        """Record the round's outcome in the replica and fill in what is still waiting; returns the old state."""
        if report.ok:
            report.connectivity = ONLINE
        self.schedule.after_round(report)
        state = {
            K_CONNECTIVITY: report.connectivity,
            K_LAST_ATTEMPT: wire.format_utc(report.started_at),
            K_LAST_ERROR: report.error or "",
            K_FAILURES: str(self.schedule.failures),
        }
        if report.ok:
            state[K_LAST_SYNC] = wire.format_utc(report.finished_at)
        if report.clock_offset_seconds is not None:
            state[K_CLOCK_OFFSET] = f"{report.clock_offset_seconds:.3f}"
        try:
            with self.replica.session() as s:
                sync_state.put_many(s, state)
                report.waiting_to_sync = outbox_queries.pending_count(s)
        except ReplicaError as exc:
            log.warning("could not record the sync state: %s", exc)
            self._count_waiting(report)
        previous, self._state = self._state, report.connectivity
        if previous != self._state:
            log.info("sync: %s -> %s", previous, self._state)
        return previous

    def _count_waiting(self, report: SyncReport) -> None:
        try:
            with self.replica.session(write=False) as s:
                report.waiting_to_sync = outbox_queries.pending_count(s)
        except ReplicaError:
            pass  # the replica cannot be read either: the report says why the round failed

    # ---- in the background -------------------------------------------------------

    def start(self) -> None:
        """Run rounds every ``interval`` seconds on a background thread, the first one now."""
        self.schedule.start()

    def stop(self, wait: bool = True) -> None:
        self.schedule.stop(wait)

    @property
    def running(self) -> bool:
        return self.schedule.running

    def trigger(self, *, force: bool = False) -> None:
        """Ask for a round as soon as possible (after a local change, or "sync now").

        During a backoff the round waits for the backoff to end, unless ``force``.
        """
        self.schedule.trigger(force=force, round_running=self._round_lock.locked())

    def seconds_until_retry(self) -> float:
        return self.schedule.seconds_until_retry()
