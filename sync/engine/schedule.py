"""When rounds run: every interval in the background, at once when asked, later after a failure.

An APScheduler job runs a round every ``interval`` seconds; :meth:`RoundScheduler.trigger`
brings it forward (after a local change). After a failure the wait grows
exponentially with jitter; a server that cannot be reached at all is probed
again within half an interval, so the Wi-Fi coming back is noticed soon.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from sync.status import NOT_ENROLLED, OFFLINE

if TYPE_CHECKING:
    from sync.engine.core import SyncEngine
    from sync.engine.report import SyncReport

log = logging.getLogger(__name__)

MAX_ROUNDS_PER_TICK = 10  # changes arriving faster than rounds wait for the next tick


class _RoundStillRunning(logging.Filter):
    """APScheduler warns whenever a round falls due while one is still running (a slow network, a trigger).

    That is expected and harmless: the running round goes again when it was asked to (``_wanted``),
    so it is logged at debug level here instead of flooding the log with warnings.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if "maximum number of running instances" in record.getMessage():
            log.debug("a sync round fell due while one was running: skipped (the running one goes again)")
            return False
        return True


_ROUND_STILL_RUNNING = _RoundStillRunning()


class RoundScheduler:
    """The engine's clock: reads ``engine.interval`` and ``engine.max_backoff`` each time, so
    new settings apply at the next round."""

    def __init__(self, engine: "SyncEngine", *, failures: int = 0, rng: random.Random | None = None):
        self._engine = engine
        self._random = rng or random.Random()
        self.failures = failures  # rounds failed in a row
        self._next_attempt = 0.0  # time.monotonic() before which the scheduler waits (backoff)
        self._wanted = threading.Event()
        self._scheduler = None

    # ---- after each round -----------------------------------------------------------

    def after_round(self, report: "SyncReport") -> None:
        if report.ok:
            self.failures = 0
            self._next_attempt = 0.0
            return
        self.failures += 1
        wait = self.backoff(report)
        self._next_attempt = time.monotonic() + wait
        if report.connectivity == OFFLINE:
            self._run_in(wait + 0.05)  # probe again before the next tick: the Wi-Fi back is seen sooner

    def backoff(self, report: "SyncReport") -> float:
        engine = self._engine
        if report.connectivity == NOT_ENROLLED:
            return engine.max_backoff
        # Exponential from one interval, capped; "equal jitter" keeps kiosks that lost the
        # network together from coming back all at the same instant.
        ceiling = min(engine.max_backoff, engine.interval * 2 ** min(self.failures - 1, 16))
        if report.connectivity == OFFLINE:
            # Nothing reached the server (refused, no route): trying again costs it nothing, so it
            # is probed every quarter to half interval and the Wi-Fi coming back is noticed soon.
            # A server that answers badly (degraded) gets the full exponential backoff.
            ceiling = min(ceiling, engine.interval / 2)
        return ceiling / 2 + self._random.uniform(0, ceiling / 2)

    def seconds_until_retry(self) -> float:
        return max(0.0, self._next_attempt - time.monotonic())

    # ---- in the background ------------------------------------------------------------

    def start(self) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        if self._scheduler is not None:
            return
        logging.getLogger("apscheduler.scheduler").addFilter(_ROUND_STILL_RUNNING)  # once: a filter is kept once
        scheduler = BackgroundScheduler(
            timezone=timezone.utc,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        scheduler.add_job(self._tick, "interval", seconds=self._engine.interval, id="sync",
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

    def trigger(self, *, force: bool = False, round_running: bool = False) -> None:
        self._wanted.set()
        if force:
            self._next_attempt = 0.0
        if self._scheduler is None or round_running:
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
        for _ in range(MAX_ROUNDS_PER_TICK):
            self._wanted.clear()
            if time.monotonic() < self._next_attempt:
                return
            report = self._engine.sync_once()
            if not report.ok or not self._wanted.is_set():
                return
