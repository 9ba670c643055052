"""The scheduler's log: a round falling due while one runs is not a warning (issue 15, item 16)."""

from __future__ import annotations

import time
from types import SimpleNamespace

from sync.engine.schedule import RoundScheduler
from tests.sync.engine.support import wait_until


def test_rounds_falling_due_while_one_runs_do_not_flood_the_log_with_warnings(caplog):
    # APScheduler said "skipped: maximum number of running instances" for every tick that fell due
    # during a slow round.
    rounds = []

    def slow_round():
        rounds.append(time.monotonic())
        time.sleep(0.4)
        return SimpleNamespace(ok=True)

    scheduler = RoundScheduler(SimpleNamespace(interval=0.05, max_backoff=1.0, sync_once=slow_round))
    caplog.set_level("DEBUG")
    scheduler.start()
    try:
        wait_until(lambda: len(rounds) >= 2, what="two slow rounds", timeout=10)
    finally:
        scheduler.stop()
    assert not [r for r in caplog.records if r.levelno >= 30 and r.name.startswith("apscheduler")]
    assert any("fell due while one was running" in r.getMessage() for r in caplog.records)
