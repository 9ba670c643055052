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
  already inside (two doors, offline).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, NamedTuple, Protocol

from sqlalchemy.orm import Session

# The results that change state: an entry that was let in, an exit that was let out.
ADMITTED = "admitted"
EXITED = "exited"
COUNTING_RESULTS = {"entry": ADMITTED, "exit": EXITED}


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
        (s for s in scans if COUNTING_RESULTS.get(s.kind) == s.result and s.id not in undone),
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


def refresh_attendee(session: Session, attendee_id: str) -> AttendeeState:
    """Recompute an attendee's cached state and duplicate flags from the replica's log.

    This runs on every scan, so it speaks plain SQL to the replica's SQLite
    connection (SQLAlchemy's statement building cost more than the statements);
    ORM objects already loaded in the session are not refreshed.
    """
    db = session.connection().connection.dbapi_connection
    scans = [
        _Scan(*row)
        for row in db.execute(
            "SELECT id, kind, result, device_time, undoes_id, duplicate FROM checkins WHERE attendee_id = ?",
            (attendee_id,),
        )
    ]
    state = replay(scans)
    flips = [
        (scan.id in state.duplicate_ids, scan.id)
        for scan in scans
        if bool(scan.duplicate) != (scan.id in state.duplicate_ids)
    ]
    if flips:
        db.executemany("UPDATE checkins SET duplicate = ? WHERE id = ?", flips)
    db.execute(
        "UPDATE attendees SET inside = ?, arrival_id = ? WHERE id = ?",
        (state.inside, state.arrival_id, attendee_id),
    )
    return state


class _Scan(NamedTuple):
    id: str
    kind: str
    result: str
    device_time: str  # as stored: sortable text
    undoes_id: str | None
    duplicate: int
