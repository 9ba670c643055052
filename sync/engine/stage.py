"""A round as an ordered list of stages (the morango transfer-stage idea).

Each stage is a small object with ``run(round)``; the engine runs the push
stages, then the pull stages, then the heartbeat, and stops at the first
:class:`SyncError`. A new kind of queued item or a new feed is one more stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Protocol

from sync.backends.base import CentralBackend
from sync.engine.report import SyncEvent, SyncReport
from sync.replica import Replica


@dataclass
class Round:
    """What every stage of one round works with."""

    backend: CentralBackend
    event_id: str
    replica: Replica
    report: SyncReport
    clock: Callable[[], datetime]
    emit: Callable[[SyncEvent], None]
    batch_size: int  # items per push request, within the backend's max_batch
    page_size: int  # changes per page of a first download, within the backend's max_page
    live_page_size: int  # changes per page once a feed has been downloaded


class Stage(Protocol):
    name: str
    part: str  # "push" or "pull" (a round may skip either), or "always"

    def run(self, rnd: Round) -> None: ...
