"""What an operation changed, as one small value (the Anki ``OpChanges`` idea).

Every write to the replica, and every sync round, says which kinds of data it
touched. The GUI shell announces it once (``changes(changes, initiator)``) and
each screen refreshes itself from the flags it cares about: nobody calls
another screen's ``refresh()``, nobody re-reads what was just reported.
Qt-free, so the CLI, the sync engine and the tests use the same value.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Changes:
    checkins: bool = False  # the check-in log (scans, undos, pulled scans of other kiosks)
    attendees: bool = False  # the roster (imported, downloaded, walk-ins, merges)
    event: bool = False  # which event is current, or its name, capacity, keys
    settings: bool = False  # the kiosk's settings (door, camera, sounds, PIN)
    outbox: bool = False  # something was queued for the server: the engine should push soon
    sync_status: bool = False  # connectivity, last sync, waiting count, last error

    def __or__(self, other: "Changes") -> "Changes":
        return Changes(**{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)})

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def names(self) -> list[str]:
        """The flags that are set, e.g. ``['checkins', 'outbox']`` (logs and tests)."""
        return [f.name for f in fields(self) if getattr(self, f.name)]


NOTHING = Changes()
LOCAL_CHECKIN = Changes(checkins=True, attendees=True, outbox=True, sync_status=True)  # a scan, an undo
LOCAL_WALKIN = Changes(checkins=True, attendees=True, outbox=True, sync_status=True)


@dataclass(frozen=True)
class Changed:
    """An operation's result and what it changed."""

    value: object
    changes: Changes
