"""The event's check-in log and attendees as CSV, in the same format a kiosk exports.

A kiosk that has synced writes byte for byte the same files (sync.export_csv), so the
organizer can reconcile the door figures with the server's.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from sync import wire
from sync.export_csv import (
    ATTENDEE_COLUMNS,
    CHECKIN_COLUMNS,
    attendee_order,
    attendee_row,
    checkin_order,
    checkin_row,
    write_csv,
)
from sync.server.errors import ApiError
from sync.server.models import AttendeeRow, CheckinRow, EventRow


def checkin_rows(session: Session, event_id: str) -> list[tuple]:
    C, A = CheckinRow, AttendeeRow
    undone = set(session.scalars(select(C.undoes_id).where(C.event_id == event_id, C.undoes_id.is_not(None))))
    query = (
        select(C, A.first_name, A.last_name, A.ticket_code)
        .outerjoin(A, A.id == C.attendee_id)
        .where(C.event_id == event_id)
    )
    rows = [
        checkin_row(c, f"{first or ''} {last or ''}".strip(), code or c.ticket_code, c.id in undone)
        for c, first, last, code in session.execute(query)
    ]
    return sorted(rows, key=checkin_order)


def attendee_rows(session: Session, event_id: str) -> list[tuple]:
    arrival, canonical = aliased(CheckinRow), aliased(AttendeeRow)
    query = (
        select(AttendeeRow, arrival.device_time, arrival.door, canonical.ticket_code)
        .outerjoin(arrival, arrival.id == AttendeeRow.arrival_id)
        .outerjoin(canonical, canonical.id == AttendeeRow.merged_into_id)
        .where(AttendeeRow.event_id == event_id)
    )
    rows = [attendee_row(*row) for row in session.execute(query)]
    return sorted(rows, key=attendee_order)


def export(session: Session, event_id: str, what: str, path: Path | str, *, bom: bool = True) -> int:
    """Write the event's ``checkins`` or ``attendees`` to ``path``; return the number of rows."""
    if session.get(EventRow, event_id) is None:
        raise ApiError(404, wire.E_NOT_FOUND, f"There is no event {event_id}.")
    if what == "checkins":
        return write_csv(path, CHECKIN_COLUMNS, checkin_rows(session, event_id), bom=bom)
    return write_csv(path, ATTENDEE_COLUMNS, attendee_rows(session, event_id), bom=bom)
