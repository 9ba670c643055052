"""What the check-in log means: who arrived, who is inside, which scans are duplicates.

One pure function, :func:`replay`, shared by the kiosk replica and the central
server, so that every party that holds the same log derives the same figures.
Order is by the device's scan time, then by UUID, never by arrival at the server.

The headline figures, the same on every kiosk and on the server:
- expected: confirmed attendees, walk-ins and merged records excluded;
- arrived: attendees (not merged away) with an arrival, i.e. a first admitted
  entry that was not undone;
- inside: attendees whose last entry/exit in force is an entry;
- walk-ins: walk-in attendees not merged into an existing RSVP;
- duplicates: admitted entries, not undone, made while the attendee was
  already inside (two doors, offline);
- overrides: entries a supervisor forced past the door rules (``admitted_override``,
  with a reason), not undone; each also counts as an arrival like any admitted entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Protocol

from sync.replica.queries import Db, attendees, checkins, raw

# The results that change state: an entry that was let in (by the door rules, or by a
# supervisor overriding them: a forced check-in, with its reason), an exit that was let out.
ADMITTED = "admitted"
ADMITTED_OVERRIDE = "admitted_override"
EXITED = "exited"
COUNTING_RESULTS = {"entry": frozenset((ADMITTED, ADMITTED_OVERRIDE)), "exit": frozenset((EXITED,))}


class ScanLike(Protocol):
    id: str
    kind: str
    result: str
    device_time: datetime
    undoes_id: str | None


@dataclass
class AttendeeState:
    inside: bool = False
    arrival_id: str | None = None
    duplicate_ids: set[str] = field(default_factory=set)
    # The newest entry/exit still in force: what "undo" takes back.
    last_effective_id: str | None = None


def replay(scans: Iterable[ScanLike]) -> AttendeeState:
    """Derive one attendee's state from all of their scans, in any order."""
    scans = list(scans)
    undone = {s.undoes_id for s in scans if s.kind == "undo" and s.undoes_id}
    effective = sorted(
        (s for s in scans if s.result in COUNTING_RESULTS.get(s.kind, ()) and s.id not in undone),
        key=lambda s: (s.device_time, s.id),
    )
    state = AttendeeState()
    for scan in effective:
        if scan.kind == "entry":
            if state.inside:
                # Let in twice (two doors offline): keep both, count the first.
                state.duplicate_ids.add(scan.id)
                continue
            state.inside = True
            state.arrival_id = state.arrival_id or scan.id
        else:
            state.inside = False
        state.last_effective_id = scan.id
    return state


def refresh_attendee(db: Db, attendee_id: str) -> AttendeeState:
    """Recompute an attendee's cached state and duplicate flags from the replica's log.

    ``db`` is a session or the sqlite3 connection under it. This runs on every
    scan, so it speaks plain SQL (the replica's named queries) to the replica's
    SQLite connection; ORM objects already loaded in a session are not refreshed.
    """
    conn = raw(db)
    scans = checkins.scans_of(conn, attendee_id)
    state = replay(scans)
    flips = [
        (scan.id in state.duplicate_ids, scan.id)
        for scan in scans
        if bool(scan.duplicate) != (scan.id in state.duplicate_ids)
    ]
    if flips:
        checkins.set_duplicate_flags(conn, flips)
    attendees.set_cached_state(conn, attendee_id, state.inside, state.arrival_id)
    return state
