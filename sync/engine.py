"""The sync engine: push what this kiosk did, pull what the others did, by itself.

A round (:meth:`SyncEngine.sync_once`) uploads before it downloads, as
libpretixsync does: walk-ins, then check-ins, in batches, each batch marked
sent only once the server's verdicts are stored; then the event (signing-key
rotations), roster changes and other kiosks' check-ins by server-sequence
cursor; then a heartbeat. Every round is safe to interrupt at any point: the
API is idempotent on client UUIDs and a cursor moves only with the page it
covers, in one transaction.

In the background an APScheduler job runs a round every few seconds;
:meth:`SyncEngine.trigger` asks for one at once (after each local change).
After a failure the engine waits, exponentially longer with jitter, and says
whether it is offline (no server) or degraded (a server that fails).

Listeners are plain callables taking a :class:`SyncEvent`, called on the
engine's thread; the GUI turns them into Qt signals. Nothing here knows Qt.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from pydantic import ValidationError
from sqlalchemy import func, select

from sync import outbox, wire
from sync.client import (
    ApiClient,
    AuthError,
    OfflineError,
    RequestRefusedError,
    SyncError,
)
from sync.clock import parse_utc, utcnow
from sync.credentials import CredentialError, CredentialStore
from sync.reconcile import (
    PushCounts,
    apply_checkin_page,
    apply_checkin_verdicts,
    apply_event,
    apply_roster_page,
    apply_walkin_verdicts,
    mark_refused,
    note_failure,
)
from sync.replica import Replica
from sync.replica.database import ReplicaError
from sync.replica.models import OutboxItem, SyncState
from sync.status import (
    DEGRADED,
    K_CHECKIN_CURSOR,
    K_CLOCK_OFFSET,
    K_CONNECTIVITY,
    K_DOOR,
    K_EVENT,
    K_FAILURES,
    K_HIGH_WATER,
    K_LAST_ATTEMPT,
    K_LAST_ERROR,
    K_LAST_SYNC,
    K_ROSTER_CURSOR,
    K_SERVER,
    NOT_ENROLLED,
    OFFLINE,
    ONLINE,
    sync_status,
)

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 5.0
PAGE_SIZE = wire.MAX_PAGE_LIMIT
# Once a feed has been downloaded, smaller pages: each page is one write transaction,
# and door scans wait for it, so catching up after a reconnect holds the replica briefly.
LIVE_PAGE_SIZE = 1000
BATCH_SIZE = wire.MAX_BATCH_ITEMS
MAX_BACKOFF = 60.0
HEARTBEAT_EVERY = 15.0
MAX_PAGES_PER_ROUND = 1000  # a bound, so a server that never says "no more" cannot hold a round forever

__all__ = ["SyncEngine", "SyncEvent", "SyncReport", "NotEnrolledError", "sync_status",
           "ONLINE", "OFFLINE", "DEGRADED", "NOT_ENROLLED"]


class NotEnrolledError(SyncError):
    """No server or no device token: the kiosk must be enrolled first."""

    retryable = False


@dataclass
class SyncReport:
    """What one round did."""

    started_at: datetime
    finished_at: datetime | None = None
    ok: bool = False
    connectivity: str = OFFLINE
    error: str | None = None
    walkins_pushed: int = 0
    walkins_merged: int = 0
    checkins_pushed: int = 0
    duplicates: int = 0  # pushed check-ins the server counts as duplicates
    rejected: int = 0  # pushed items the server refused (kept locally, flagged)
    roster_changes: int = 0
    checkins_pulled: int = 0
    waiting_to_sync: int = 0
    requests: int = 0
    clock_offset_seconds: float | None = None
    rejections: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        data = asdict(self)
        for key in ("started_at", "finished_at"):
            data[key] = wire.format_utc(data[key]) if data[key] else None
        return data


@dataclass(frozen=True)
class SyncEvent:
    """What listeners receive. ``kind`` is one of:

    - ``state_changed``: ``state`` is the new connectivity, ``previous`` the old one;
    - ``sync_started``;
    - ``progress``: ``phase`` (roster | checkins | push), ``done`` of ``total`` (units of the phase);
    - ``sync_finished``: ``report`` is the round's :class:`SyncReport`.
    """

    kind: str
    state: str | None = None
    previous: str | None = None
    report: SyncReport | None = None
    phase: str = ""
    done: int = 0
    total: int = 0


Listener = Callable[[SyncEvent], None]


class SyncEngine:
    """Keeps one replica in sync with the central API.

    ``client_factory`` makes the :class:`ApiClient` (default: the server URL
    from the replica and the token from the credential store); it is called
    once and the client is kept for its keep-alive connections.
    """

    def __init__(
        self,
        replica: Replica,
        *,
        client_factory: Callable[[], ApiClient] | None = None,
        credentials: CredentialStore | None = None,
        interval: float = DEFAULT_INTERVAL,
        page_size: int = PAGE_SIZE,
        live_page_size: int = LIVE_PAGE_SIZE,
        batch_size: int = BATCH_SIZE,
        max_backoff: float = MAX_BACKOFF,
        heartbeat_every: float = HEARTBEAT_EVERY,
        app_version: str = "",
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ):
        self.replica = replica
        self.interval = interval
        self.page_size = max(1, min(page_size, wire.MAX_PAGE_LIMIT))
        self.live_page_size = max(1, min(live_page_size, self.page_size))
        self.batch_size = max(1, min(batch_size, wire.MAX_BATCH_ITEMS))
        self.max_backoff = max_backoff
        self.heartbeat_every = heartbeat_every
        self.app_version = app_version
        self.clock = clock
        self._credentials = credentials
        self._client_factory = client_factory or self._default_client
        self._client: ApiClient | None = None
        self._random = rng or random.Random()
        self._round_lock = threading.Lock()
        self._listeners_lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._state = replica.get_state(K_CONNECTIVITY) or OFFLINE
        self._failures = int(replica.get_state(K_FAILURES) or 0)
        self._next_attempt = 0.0  # time.monotonic() before which the scheduler waits (backoff)
        self._last_heartbeat = float("-inf")
        self._wanted = threading.Event()
        self._scheduler = None

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

    # ---- the client ------------------------------------------------------------

    def _default_client(self) -> ApiClient:
        server = self.replica.get_state(K_SERVER)
        if not server:
            raise NotEnrolledError("This kiosk is not enrolled with a server (run: kiosk enroll).", code="not_enrolled")
        store = self._credentials or CredentialStore(self.replica.path.parent, self.replica.device_id)
        try:
            token = store.load()
        except CredentialError as exc:
            raise NotEnrolledError(str(exc), code="not_enrolled") from exc
        if not token:
            raise NotEnrolledError("No device token is stored for this kiosk: enroll it again.", code="not_enrolled")
        return ApiClient(server, token, clock=self.clock)

    def _api(self) -> ApiClient:
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def reset_client(self) -> None:
        """Forget the client: the next round makes a new one (call it after enrolling again)."""
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def close(self) -> None:
        self.stop()
        self.reset_client()

    # ---- one round -------------------------------------------------------------

    def sync_once(self, *, push: bool = True, pull: bool = True) -> SyncReport:
        """Run one full round now (waiting for a round in progress); never raises for sync trouble."""
        with self._round_lock:
            report = SyncReport(started_at=self.clock())
            self._emit(SyncEvent("sync_started"))
            client, requests_before = None, 0
            try:
                client = self._api()
                requests_before = client.requests
                event_id = self.replica.get_state(K_EVENT)
                if not event_id:
                    raise NotEnrolledError("No event is set on this kiosk: enroll it first.", code="not_enrolled")
                if push:
                    self._push(client, event_id, report)
                if pull:
                    self._pull(client, event_id, report)
                self._heartbeat(client)
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
            if client is not None:
                report.requests = client.requests - requests_before
                report.clock_offset_seconds = client.clock_offset
            report.finished_at = self.clock()
            self._finish(report)
        self._emit(SyncEvent("sync_finished", report=report))
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

    def _state_for(self, exc: SyncError) -> str:
        if isinstance(exc, NotEnrolledError):
            return NOT_ENROLLED
        if isinstance(exc, OfflineError):
            return OFFLINE
        return DEGRADED

    def _finish(self, report: SyncReport) -> None:
        if report.ok:
            report.connectivity = ONLINE
            self._failures = 0
            self._next_attempt = 0.0
        else:
            self._failures += 1
            wait = self._backoff(report)
            self._next_attempt = time.monotonic() + wait
            if report.connectivity == OFFLINE:
                self._run_in(wait + 0.05)  # probe again before the next tick: the Wi-Fi back is seen sooner
        state = {
            K_CONNECTIVITY: report.connectivity,
            K_LAST_ATTEMPT: wire.format_utc(report.started_at),
            K_LAST_ERROR: report.error or "",
            K_FAILURES: str(self._failures),
        }
        if report.ok:
            state[K_LAST_SYNC] = wire.format_utc(report.finished_at)
        if report.clock_offset_seconds is not None:
            state[K_CLOCK_OFFSET] = f"{report.clock_offset_seconds:.3f}"
        try:
            with self.replica.session() as s:
                for key, value in state.items():
                    s.merge(SyncState(key=key, value=value))
                report.waiting_to_sync = outbox.pending_count(s)
        except ReplicaError as exc:
            log.warning("could not record the sync state: %s", exc)
        previous, self._state = self._state, report.connectivity
        if previous != self._state:
            log.info("sync: %s -> %s", previous, self._state)
            self._emit(SyncEvent("state_changed", state=self._state, previous=previous))

    def _backoff(self, report: SyncReport) -> float:
        if report.connectivity == NOT_ENROLLED:
            return self.max_backoff
        # Exponential from one interval, capped; "equal jitter" keeps kiosks that lost the
        # network together from coming back all at the same instant.
        ceiling = min(self.max_backoff, self.interval * 2 ** min(self._failures - 1, 16))
        if report.connectivity == OFFLINE:
            # Nothing reached the server (refused, no route): trying again costs it nothing, so it
            # is probed every quarter to half interval and the Wi-Fi coming back is noticed soon.
            # A server that answers badly (degraded) gets the full exponential backoff.
            ceiling = min(ceiling, self.interval / 2)
        return ceiling / 2 + self._random.uniform(0, ceiling / 2)

    # ---- push ------------------------------------------------------------------

    def _pending(self, kind: str, limit: int, after: int, before: int | None = None) -> list:
        """Queued rows (``id, kind, ref_id, payload_json, attempts``), oldest first."""
        with self.replica.session(write=False) as s:
            query = (
                select(OutboxItem.id, OutboxItem.kind, OutboxItem.ref_id, OutboxItem.payload_json,
                       OutboxItem.attempts)
                .where(OutboxItem.sent_at.is_(None), OutboxItem.kind == kind, OutboxItem.id > after)
                .order_by(OutboxItem.id)
                .limit(limit)
            )
            if before is not None:
                query = query.where(OutboxItem.id < before)
            return list(s.execute(query).all())

    def _first_pending_walkin(self) -> int | None:
        with self.replica.session(write=False) as s:
            return s.scalar(
                select(func.min(OutboxItem.id)).where(OutboxItem.sent_at.is_(None), OutboxItem.kind == "walkin")
            )

    def _push(self, client: ApiClient, event_id: str, report: SyncReport) -> None:
        self._push_kind(client, event_id, "walkin", report, None)
        # A check-in of a walk-in registered during this round waits for the next one,
        # so the server always learns about the walk-in first.
        self._push_kind(client, event_id, "checkin", report, self._first_pending_walkin())

    def _push_kind(self, client: ApiClient, event_id: str, kind: str, report: SyncReport,
                   before: int | None) -> None:
        """Push every queued item of one kind, a batch at a time, oldest first.

        Pipelined: while the server works on one batch, the previous batch's verdicts
        are written and the next batch is read and checked. A verdict is still applied
        only once it has arrived; a failure stops the round with the rest still queued.
        """
        with ThreadPoolExecutor(1, thread_name_prefix="sync-push") as network:
            batch = self._next_batch(kind, 0, before, report)
            in_flight = None  # (rows, future) of the batch the server is working on
            while batch is not None or in_flight is not None:
                sent = None
                if batch is not None:
                    last_id, rows, items = batch
                    if items:
                        self._emit(SyncEvent("progress", phase="push",
                                             done=report.checkins_pushed + report.walkins_pushed,
                                             total=report.checkins_pushed + report.walkins_pushed + len(items)))
                        sent = (rows, items, network.submit(self._send, client, event_id, kind, items))
                    batch = self._next_batch(kind, last_id, before, report)
                if in_flight is not None:
                    self._settle(client, event_id, kind, in_flight, report)
                in_flight = sent

    def _next_batch(self, kind: str, after: int, before: int | None, report: SyncReport):
        """``(last row id, sendable rows, their items)`` of the next batch, or None at the end.

        Items that can never be sent as they are (not JSON, refused by the wire schema)
        are flagged and taken out of the queue here, so they cannot hold the others back.
        """
        while True:
            rows = self._pending(kind, self.batch_size, after, before)
            if not rows:
                return None
            model = wire.WalkinItem if kind == "walkin" else wire.CheckinItem
            items, sendable = [], []
            for row in rows:
                try:
                    item = json.loads(row.payload_json)
                    model.model_validate(item)
                except (ValueError, ValidationError) as exc:
                    problem = _first_problem(exc)
                    log.error("outbox item %s (%s %s) is invalid and will not be sent: %s",
                              row.id, kind, row.ref_id, problem)
                    report.rejected += 1
                    report.rejections.append(f"{kind} {row.ref_id}: invalid ({problem})")
                    with self.replica.session() as s:
                        mark_refused(s, [row], f"invalid: {problem}", self.clock())
                    continue
                items.append(item)
                sendable.append(row)
            if items:
                return rows[-1].id, sendable, items
            after = rows[-1].id

    @staticmethod
    def _send(client: ApiClient, event_id: str, kind: str, items: list[dict]) -> list:
        if kind == "walkin":
            return client.push_walkins(event_id, items)
        return client.push_checkins(event_id, items)

    def _settle(self, client: ApiClient, event_id: str, kind: str, in_flight, report: SyncReport) -> None:
        rows, items, future = in_flight
        self._deliver(client, event_id, kind, rows, items, future.result, report)

    def _deliver(self, client: ApiClient, event_id: str, kind: str, rows: list, items: list,
                 verdicts_of: Callable[[], list], report: SyncReport) -> None:
        """Apply the verdicts of one sent batch; a batch refused as malformed is split."""
        try:
            verdicts = verdicts_of()
        except RequestRefusedError as exc:
            if exc.code not in (wire.E_VALIDATION, wire.E_PAYLOAD_TOO_LARGE):
                self._note_failure(rows, exc)
                raise
            self._push_split(client, event_id, kind, rows, items, report)
            return
        except SyncError as exc:
            self._note_failure(rows, exc)
            raise
        self._apply_verdicts(kind, rows, verdicts, report)

    def _push_split(self, client: ApiClient, event_id: str, kind: str, rows: list, items: list,
                    report: SyncReport) -> None:
        """A batch the server refused as a whole: halve it until the bad item is alone."""
        if len(items) == 1:
            report.rejected += 1
            report.rejections.append(f"{kind} {rows[0].ref_id}: refused by the server")
            with self.replica.session() as s:
                mark_refused(s, rows, "refused by the server as malformed", self.clock())
            return
        half = len(items) // 2
        for part_rows, part_items in ((rows[:half], items[:half]), (rows[half:], items[half:])):
            self._deliver(client, event_id, kind, part_rows, part_items,
                          lambda part=part_items: self._send(client, event_id, kind, part), report)

    def _apply_verdicts(self, kind: str, rows: list, verdicts: list, report: SyncReport) -> None:
        with self.replica.session() as s:
            if kind == "walkin":
                counts = apply_walkin_verdicts(s, rows, verdicts, self.clock())
                report.walkins_pushed += counts.accepted
                report.walkins_merged += counts.merged
            else:
                counts = apply_checkin_verdicts(s, rows, verdicts, self.clock())
                report.checkins_pushed += counts.accepted + counts.duplicates
                report.duplicates += counts.duplicates
        self._count_rejections(counts, report)

    def _note_failure(self, rows: list, exc: SyncError) -> None:
        try:
            with self.replica.session() as s:
                note_failure(s, rows, str(exc))
        except ReplicaError:
            pass  # the round fails anyway; the rows are still queued

    @staticmethod
    def _count_rejections(counts: PushCounts, report: SyncReport) -> None:
        if counts.rejected:
            report.rejected += counts.rejected
            report.rejections.extend(counts.rejections)
            for line in counts.rejections:
                log.warning("the server rejected %s", line)

    # ---- pull ------------------------------------------------------------------

    def _pull(self, client: ApiClient, event_id: str, report: SyncReport) -> None:
        event = client.event(event_id)
        with self.replica.session() as s:
            apply_event(s, event)
        report.roster_changes = self._pull_feed(
            client.roster_page, apply_roster_page, event_id, K_ROSTER_CURSOR, "roster"
        )
        report.checkins_pulled = self._pull_feed(
            client.checkin_page, apply_checkin_page, event_id, K_CHECKIN_CURSOR, "checkins"
        )

    def _pull_feed(self, fetch, apply, event_id: str, cursor_key: str, phase: str) -> int:
        cursor = int(self.replica.get_state(cursor_key) or 0)
        start, applied = cursor, 0
        # The next page is fetched (the server works, the reply is parsed) while this one is
        # written to the replica: an initial download costs about max(server, replica), not the sum.
        with ThreadPoolExecutor(1, thread_name_prefix="sync-prefetch") as prefetch:
            limit = self.page_size if cursor == 0 else self.live_page_size
            page = fetch(event_id, cursor, limit)
            for _ in range(MAX_PAGES_PER_ROUND):
                following = (prefetch.submit(fetch, event_id, page.next_cursor, limit)
                             if page.has_more else None)
                try:
                    with self.replica.session() as s:
                        applied += apply(s, page)
                        # The cursor moves in the same transaction as the page it covers.
                        s.merge(SyncState(key=cursor_key, value=str(page.next_cursor)))
                        s.merge(SyncState(key=K_HIGH_WATER, value=str(page.high_water_seq)))
                except BaseException:
                    if following is not None:
                        following.cancel()
                    raise
                cursor = page.next_cursor
                # Progress in server sequence numbers (shared by every feed): the last page is 100 %.
                total = max(0, page.high_water_seq - start, cursor - start)
                self._emit(SyncEvent("progress", phase=phase, total=total,
                                     done=max(0, cursor - start) if following is not None else total))
                if following is None:
                    break
                page = following.result()
        return applied

    # ---- heartbeat -------------------------------------------------------------

    def _heartbeat(self, client: ApiClient) -> None:
        now = time.monotonic()
        if now - self._last_heartbeat < self.heartbeat_every:
            return
        last_sync = self.replica.get_state(K_LAST_SYNC)
        with self.replica.session(write=False) as s:
            waiting = outbox.pending_count(s)
        client.heartbeat(
            door=self.replica.get_state(K_DOOR) or "",
            outbox_size=waiting,
            last_sync_at=parse_utc(last_sync),
            app_version=self.app_version,
        )
        self._last_heartbeat = now

    # ---- in the background -------------------------------------------------------

    def start(self) -> None:
        """Run rounds every ``interval`` seconds on a background thread, the first one now."""
        from apscheduler.schedulers.background import BackgroundScheduler

        if self._scheduler is not None:
            return
        scheduler = BackgroundScheduler(
            timezone=timezone.utc,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        scheduler.add_job(self._tick, "interval", seconds=self.interval, id="sync",
                          next_run_time=datetime.now(timezone.utc))
        scheduler.start()
        self._scheduler = scheduler

    def stop(self, wait: bool = True) -> None:
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=wait)

    @property
    def running(self) -> bool:
        return self._scheduler is not None

    def trigger(self, *, force: bool = False) -> None:
        """Ask for a round as soon as possible (after a local change, or "sync now").

        During a backoff the round waits for the backoff to end, unless ``force``.
        """
        self._wanted.set()
        if force:
            self._next_attempt = 0.0
        scheduler = self._scheduler
        if scheduler is None or self._round_lock.locked():
            return  # a running round sees ``_wanted`` and goes again
        if time.monotonic() < self._next_attempt:
            return
        self._run_in(0.0)

    def _run_in(self, seconds: float) -> None:
        """Bring the next scheduled round forward to ``seconds`` from now (never push it back)."""
        scheduler = self._scheduler
        if scheduler is None:
            return
        when = datetime.now(timezone.utc) + timedelta(seconds=seconds)
        try:
            job = scheduler.get_job("sync")
            if job is not None and (job.next_run_time is None or when < job.next_run_time):
                scheduler.modify_job("sync", next_run_time=when)
        except Exception:  # shutting down, or the job is gone: the next start runs a round anyway
            log.debug("could not schedule a sync round", exc_info=True)

    def _tick(self) -> None:
        for _ in range(10):  # a bound: changes arriving faster than rounds wait for the next tick
            self._wanted.clear()
            if time.monotonic() < self._next_attempt:
                return
            report = self.sync_once()
            if not report.ok or not self._wanted.is_set():
                return

    def seconds_until_retry(self) -> float:
        return max(0.0, self._next_attempt - time.monotonic())


def _first_problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
    return str(exc)[:200]
