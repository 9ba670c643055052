"""Heartbeat: tell the organizer this kiosk is alive, how much it still holds, and its clock."""

from __future__ import annotations

import time

from sync.clock import parse_utc
from sync.engine.stage import Round
from sync.replica.queries import outbox as outbox_queries
from sync.status import K_DOOR, K_LAST_SYNC

HEARTBEAT_EVERY = 15.0


class HeartbeatStage:
    """At most one heartbeat every ``every`` seconds, at the end of a round that went through."""

    name = "heartbeat"
    part = "always"

    def __init__(self, every: float = HEARTBEAT_EVERY, app_version: str = ""):
        self.every = every
        self.app_version = app_version
        self._last = float("-inf")

    def run(self, rnd: Round) -> None:
        now = time.monotonic()
        if now - self._last < self.every:
            return
        replica = rnd.replica
        with replica.session(write=False) as s:
            waiting = outbox_queries.pending_count(s)
        rnd.backend.heartbeat(
            door=replica.get_state(K_DOOR) or "",
            waiting=waiting,
            last_sync_at=parse_utc(replica.get_state(K_LAST_SYNC)),
            app_version=self.app_version,
        )
        self._last = now
