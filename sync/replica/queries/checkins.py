"""Named queries of the ``checkins`` table: the append-only log of every scan.

Rows are appended at the door (:func:`insert_scan`) or pulled from the server
(:func:`insert_pulled`); afterwards only the fields sync owns change (server
sequence, receive time, flag, the duplicate flag, the attendee a merge points to).
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from sync.clock import from_sqlite, to_sqlite
from sync.replica.models import Attendee, Checkin
from sync.replica.queries import Db, placeholders, raw

# ---- at the door ------------------------------------------------------------------

# The log row of a scan: the fields of the wire item (sync.wire.CheckinItem) it was
# queued as, with the code as scanned instead of the attendee's, and sync's fields unset.
# A forced check-in (result admitted_override) is flagged for the organizer at once; the
# server flags it the same way (sync.wire.FLAG_ADMITTED_OVERRIDE), so a sync changes nothing.
SCAN_COLUMNS = ("id", "event_id", "attendee_id", "scanned_code", "kind", "result", "undoes_id", "device_id",
                "door", "operator", "device_time", "reason", "flag", "duplicate")
INSERT_SCAN = (f"INSERT INTO checkins ({', '.join(SCAN_COLUMNS)}) "
               f"VALUES ({placeholders(len(SCAN_COLUMNS) - 1)}, 0)")
SELECT_TIME_AND_DOOR = "SELECT device_time, door FROM checkins WHERE id = ?"
SELECT_SCANS = "SELECT id, kind, result, device_time, undoes_id, duplicate FROM checkins WHERE attendee_id = ?"
SELECT_HISTORY = ("SELECT id, kind, result, device_time, door, duplicate, undoes_id, reason FROM checkins "
                  "WHERE attendee_id = ? ORDER BY device_time, id")
SET_DUPLICATE = "UPDATE checkins SET duplicate = ? WHERE id = ?"


class Scan(NamedTuple):
    """One scan of an attendee, as ``sync.ledger.replay`` reads it."""

    id: str
    kind: str
    result: str
    device_time: str  # as stored: sortable text
    undoes_id: str | None
    duplicate: int


class HistoryRow(NamedTuple):
    id: str
    kind: str
    result: str
    device_time: datetime
    door: str
    duplicate: bool
    undoes_id: str | None
    reason: str | None = None  # a forced check-in's


def insert_scan(db: Db, item, scanned_code: str, flag: str = "") -> None:
    """Append one scan made here; ``item`` has the fields of ``sync.wire.CheckinItem``."""
    raw(db).execute(INSERT_SCAN, (
        item.id, item.event_id, item.attendee_id, scanned_code, item.kind, item.result, item.undoes_id,
        item.device_id, item.door, item.operator, to_sqlite(item.device_time), item.reason, flag))


def time_and_door(db: Db, checkin_id: str) -> tuple[datetime, str] | None:
    """When and at which door a scan was made (None when there is no such scan)."""
    row = raw(db).execute(SELECT_TIME_AND_DOOR, (checkin_id,)).fetchone()
    return (from_sqlite(row[0]), row[1]) if row else None


def scans_of(db: Db, attendee_id: str) -> list[Scan]:
    """Every scan of one attendee, in no particular order."""
    return [Scan._make(row) for row in raw(db).execute(SELECT_SCANS, (attendee_id,))]


def history(db: Db, attendee_id: str) -> list[HistoryRow]:
    """Every scan of one attendee, oldest first."""
    return [
        HistoryRow(id, kind, result, from_sqlite(time), door, bool(duplicate), undoes_id, reason)
        for id, kind, result, time, door, duplicate, undoes_id, reason
        in raw(db).execute(SELECT_HISTORY, (attendee_id,))
    ]


def set_duplicate_flags(db: Db, flags: list[tuple[bool, str]]) -> None:
    """``(duplicate, id)`` pairs."""
    raw(db).executemany(SET_DUPLICATE, flags)


# ---- the event's figures ------------------------------------------------------------

SELECT_ARRIVALS = """
    SELECT c.door, c.device_time FROM attendees a JOIN checkins c ON c.id = a.arrival_id
    WHERE a.event_id = ? AND a.merged_into_id IS NULL"""
COUNT_DUPLICATES = """
    SELECT count(*) FROM checkins WHERE event_id = ? AND duplicate = 1
    AND id NOT IN (SELECT undoes_id FROM checkins WHERE undoes_id IS NOT NULL)"""
COUNT_OVERRIDES = """
    SELECT count(*) FROM checkins WHERE event_id = ? AND kind = 'entry' AND result = 'admitted_override'
    AND id NOT IN (SELECT undoes_id FROM checkins WHERE undoes_id IS NOT NULL)"""


def arrivals(db: Db, event_id: str | None) -> list[tuple[str, datetime]]:
    """``(door, device time)`` of the arrival of each attendee of the event (merged walk-ins excluded)."""
    return [(door, from_sqlite(time)) for door, time in raw(db).execute(SELECT_ARRIVALS, (event_id,))]


def duplicate_count(db: Db, event_id: str | None) -> int:
    """Admitted entries, not undone, made while the attendee was already inside."""
    return raw(db).execute(COUNT_DUPLICATES, (event_id,)).fetchone()[0]


def override_count(db: Db, event_id: str | None) -> int:
    """Entries a supervisor forced past the door rules (``admitted_override``), not undone."""
    return raw(db).execute(COUNT_OVERRIDES, (event_id,)).fetchone()[0]


# ---- sync ---------------------------------------------------------------------------

STORE_VERDICT = "UPDATE checkins SET server_seq = ?, server_received_at = ?, flag = ? WHERE id = ?"
SET_FLAG = "UPDATE checkins SET flag = ? WHERE id = ?"
SET_ATTENDEE = "UPDATE checkins SET attendee_id = ? WHERE id = ?"


def attendee_ids(session: Session, checkin_ids: list[str]) -> dict[str, str | None]:
    """``checkin id -> attendee id`` of the scans among ``checkin_ids`` that the log has."""
    return dict(session.execute(
        select(Checkin.id, Checkin.attendee_id).where(Checkin.id.in_(checkin_ids))).all())


def scans_of_attendees(session: Session, attendee_ids: list[str]) -> list:
    """Rows (``id, attendee_id, kind, result, device_time, undoes_id, duplicate``) of these attendees' scans."""
    return session.execute(
        select(Checkin.id, Checkin.attendee_id, Checkin.kind, Checkin.result, Checkin.device_time,
               Checkin.undoes_id, Checkin.duplicate)
        .where(Checkin.attendee_id.in_(attendee_ids))
    ).all()


def insert_pulled(session: Session, rows: list[dict]) -> None:
    """Scans from the server that the log lacks (one dict of columns each); known ids are left alone."""
    session.execute(insert(Checkin).on_conflict_do_nothing(index_elements=["id"]), rows)


def update_by_id(session: Session, rows: list[dict]) -> None:
    """Bulk update of scans by id: dicts of ``id`` and the columns to set."""
    session.execute(update(Checkin), rows)


def repoint(db: Db, from_attendee: str, to_attendee: str) -> int:
    """Move every scan of one attendee to another (a merged walk-in); returns how many moved."""
    return raw(db).execute("UPDATE checkins SET attendee_id = ? WHERE attendee_id = ?",
                           (to_attendee, from_attendee)).rowcount


def store_verdicts(db: Db, rows: list[tuple]) -> None:
    """``(server_seq, server_received_at text, flag, id)`` of scans the server stored."""
    raw(db).executemany(STORE_VERDICT, rows)


def set_flags(db: Db, rows: Iterable[tuple[str, str]]) -> None:
    """``(flag, id)`` pairs."""
    raw(db).executemany(SET_FLAG, list(rows))


def set_attendees(db: Db, rows: list[tuple[str, str]]) -> None:
    """``(attendee_id, id)`` pairs: scans the server counts for another attendee."""
    raw(db).executemany(SET_ATTENDEE, rows)


# ---- export -------------------------------------------------------------------------------


def undone_ids(session: Session, event_id: str | None) -> set[str]:
    """Ids of the event's scans that an undo took back."""
    return set(session.scalars(
        select(Checkin.undoes_id).where(Checkin.event_id == event_id, Checkin.undoes_id.is_not(None))))


def export_rows(session: Session, event_id: str | None) -> list[tuple]:
    """``(Checkin, first name, last name, attendee's ticket code)`` of every scan of the event."""
    return list(session.execute(
        select(Checkin, Attendee.first_name, Attendee.last_name, Attendee.ticket_code)
        .outerjoin(Attendee, Attendee.id == Checkin.attendee_id)
        .where(Checkin.event_id == event_id)
    ).all())
