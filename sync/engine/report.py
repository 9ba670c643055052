"""What a sync round did (:class:`SyncReport`) and what listeners hear (:class:`SyncEvent`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Callable

from sync import wire
from sync.changes import Changes
from sync.status import OFFLINE


@dataclass
class SyncReport:
    """What one round did: enough for a status line without reading the replica again."""

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
    held_back: int = 0  # items in a request the server refused as a whole: still queued, sent again later
    roster_changes: int = 0
    checkins_pulled: int = 0
    checkins_changed: int = 0  # pushed check-ins whose verdict changed the local log (flag, duplicate, attendee)
    event_changed: bool = False  # the event record or its signing keys changed
    waiting_to_sync: int = 0  # still queued after the round
    requests: int = 0
    clock_offset_seconds: float | None = None
    rejections: list[str] = field(default_factory=list)

    @property
    def last_error(self) -> str | None:
        """The error words of a failed round (None after a round that went through)."""
        return self.error

    @property
    def changes(self) -> Changes:
        """Which kinds of replica data this round changed; never ``outbox``: a round only drains it."""
        return Changes(
            checkins=bool(self.checkins_pulled or self.checkins_changed or self.walkins_merged or self.rejected),
            attendees=bool(self.roster_changes or self.walkins_pushed or self.walkins_merged),
            event=self.event_changed,
            sync_status=True,  # last attempt, connectivity and the waiting count always move
        )

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
    - ``sync_finished``: ``report`` is the round's :class:`SyncReport`; a ``state_changed`` the
      round caused comes right after it, so a listener of either finds the reason in the report.
    """

    kind: str
    state: str | None = None
    previous: str | None = None
    report: SyncReport | None = None
    phase: str = ""
    done: int = 0
    total: int = 0


Listener = Callable[[SyncEvent], None]
