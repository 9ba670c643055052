"""The roster in and out of the replica: CSV import (all or nothing) and CSV exports.

An import is one transaction: either every good row lands, or nothing does.
Re-importing updates attendees by (event, ticket code) and never duplicates
them, so an attendee keeps its id, and with it its check-in history.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import Session

from sync.clock import utcnow
from sync.export_csv import (
    ATTENDEE_COLUMNS,
    CHECKIN_COLUMNS,
    attendee_order,
    attendee_row,
    checkin_order,
    checkin_row,
    write_csv,
)
from sync.replica import Replica
from sync.replica.models import Event
from sync.replica.queries import attendees, checkins, events, raw, sync_state
from sync.replica.queries.attendees import DETAIL_UPDATE_COLUMNS, FULL_UPDATE_COLUMNS
from sync.replica.queries.attendees import ExistingAttendee as _Existing
from sync.roster_csv import RosterFileError, RosterRow, RowError, parse_roster
from sync.roster_mapping import RosterMapping

__all__ = ["ImportReport", "RosterFileError", "export_attendees", "export_checkins", "import_roster"]

DEFAULT_EVENT_NAME = "Imported roster"
PROGRESS_EVERY = 5_000  # rows between two progress reports

Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: bool = False  # False: nothing at all was written
    event_id: str | None = None
    event_name: str | None = None


def import_roster(
    replica: Replica,
    source: Path | str | bytes,
    *,
    event_name: str | None = None,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    mapping: RosterMapping | None = None,
) -> ImportReport:
    """Import or update the current event's roster from a CSV file (a path) or its bytes.

    Bad rows are reported, never half-imported: with any bad row and not
    ``skip_invalid``, nothing is written. Creates the event when the replica
    has none; renames it when ``event_name`` is given. Raises RosterFileError
    when the file as a whole cannot be read.
    """
    parsed = parse_roster(source, mapping)
    event_name = " ".join((event_name or "").split()) or None
    with replica.session() as s:  # the write lock from here on: the roster cannot change under us
        event_id = sync_state.get(s, "event_id")
        existing = attendees.existing_by_code(s, event_id) if event_id else {}
        rows, errors = parsed.rows, parsed.errors  # several attendees may share an e-mail
        report = ImportReport(errors=errors, event_id=event_id)
        if errors and not skip_invalid:
            return report

        event = _ensure_event(s, event_id, event_name, _name_of(source))
        plan = _plan(rows, existing, parsed.columns, event.id, _sqlite_datetime(utcnow()))
        _write(s, plan, progress)
    report.event_id, report.event_name = event.id, event.name
    report.created = len(plan.inserts)
    report.updated = len(plan.full_updates) + len(plan.detail_updates)
    report.unchanged = plan.unchanged
    report.imported = True
    return report


def _name_of(source: Path | str | bytes) -> str:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return DEFAULT_EVENT_NAME
    return Path(source).stem or DEFAULT_EVENT_NAME


def _sqlite_datetime(moment: datetime) -> str:
    """A naive UTC datetime as SQLAlchemy's SQLite DateTime type stores it (rows are written raw)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _ensure_event(s: Session, event_id: str | None, new_name: str | None, default_name: str) -> Event:
    """The current event; created (and made current) when there is none, renamed when asked."""
    event = events.get(s, event_id)
    if event is None:
        event = events.create(s, event_id or str(uuid.uuid4()), (new_name or default_name)[:200])
        sync_state.put(s, "event_id", event.id)
    elif new_name and event.name != new_name[:200]:
        event.name = new_name[:200]
        s.flush()
    return event


# ---- writing ----------------------------------------------------------------

# The rows are tuples in the column order of sync.replica.queries.attendees: IMPORT_COLUMNS
# for new attendees; FULL_UPDATE_COLUMNS when the name or email changed (the row is
# re-indexed for search), DETAIL_UPDATE_COLUMNS when only the other fields did.
# Rows per statement. SQLite's FTS5 flushes its pending index data at the end
# of every statement that fires the search-index trigger, so one row per
# statement is several times slower than a few hundred.
ROWS_PER_STATEMENT = 500


@dataclass
class _Plan:
    """The rows to write, each a tuple in the column order of the statement that writes it."""

    inserts: list[tuple] = field(default_factory=list)
    full_updates: list[tuple] = field(default_factory=list)
    detail_updates: list[tuple] = field(default_factory=list)
    unchanged: int = 0


def _plan(rows: list[RosterRow], existing: dict[str, _Existing], columns: frozenset[str], event_id: str,
          now: str) -> _Plan:
    plan = _Plan()
    for row in rows:
        old = existing.get(row.ticket_code)
        if old is None:
            plan.inserts.append((str(uuid.uuid4()), event_id, row.first_name, row.last_name, row.email,
                                 row.ticket_code, row.status, row.ticket_type, row.plus_ones, False, False, now, now))
            continue
        # An optional column the file does not have leaves that field as it was.
        status = row.status if "status" in columns else old.status
        ticket_type = row.ticket_type if "ticket_type" in columns else old.ticket_type
        plus_ones = row.plus_ones if "plus_ones" in columns else old.plus_ones
        same_details = (status, ticket_type, plus_ones) == (old.status, old.ticket_type, old.plus_ones)
        if (row.first_name, row.last_name, row.email) != (old.first_name, old.last_name, old.email):
            plan.full_updates.append(
                (old.id, row.first_name, row.last_name, row.email, status, ticket_type, plus_ones, now))
        elif not same_details:
            plan.detail_updates.append((old.id, status, ticket_type, plus_ones, now))
        else:
            plan.unchanged += 1
    return plan


def _write(s: Session, plan: _Plan, progress: Progress | None) -> None:
    db = raw(s)
    total = len(plan.inserts) + len(plan.full_updates) + len(plan.detail_updates) + plan.unchanged
    done = plan.unchanged
    reported = done
    if progress:
        progress(done, total)
    for write, batch in (
        (attendees.insert_rows, plan.inserts),
        (partial(attendees.update_rows, columns=FULL_UPDATE_COLUMNS), plan.full_updates),
        (partial(attendees.update_rows, columns=DETAIL_UPDATE_COLUMNS), plan.detail_updates),
    ):
        for start in range(0, len(batch), ROWS_PER_STATEMENT):
            chunk = batch[start:start + ROWS_PER_STATEMENT]
            write(db, chunk)
            done += len(chunk)
            if progress and (done - reported >= PROGRESS_EVERY or done == total):
                progress(done, total)
                reported = done


# ---- exports ----------------------------------------------------------------

def export_checkins(replica: Replica, path: Path | str, *, bom: bool = True) -> int:
    """Write the current event's whole check-in log, oldest first; return the number of rows."""
    with replica.session(write=False) as s:
        event_id = sync_state.get(s, "event_id")
        undone = checkins.undone_ids(s, event_id)
        rows = [
            checkin_row(c, f"{first or ''} {last or ''}".strip(), code or c.scanned_code, c.id in undone)
            for c, first, last, code in checkins.export_rows(s, event_id)
        ]
    return write_csv(path, CHECKIN_COLUMNS, sorted(rows, key=checkin_order), bom=bom)


def export_attendees(replica: Replica, path: Path | str, *, bom: bool = True) -> int:
    """Write the current event's attendees with their arrival; return the number of rows.

    The first columns are the roster's, so the file can be imported again.
    A walk-in merged into an RSVP is kept, naming the ticket it was merged into.
    """
    with replica.session(write=False) as s:
        rows = [attendee_row(*row) for row in attendees.export_rows(s, sync_state.get(s, "event_id"))]
    return write_csv(path, ATTENDEE_COLUMNS, sorted(rows, key=attendee_order), bom=bom)
