"""The roster on the server: CSV import, revocations, and the change feed kiosks pull."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from sync import wire
from sync.clock import utcnow
from sync.roster_csv import RosterFileError, parse_roster
from sync.server.errors import ApiError, dumps
from sync.server.events import TicketSigner
from sync.server.models import AttendeeRow, RevocationRow
from sync.server.sequence import EventSequence
from sync.tickets import attendee_id_for

CHUNK = 500  # ids per IN (...) list


def attendee_to_wire(row: AttendeeRow, signed_ticket: str | None = None) -> wire.AttendeeChange:
    return wire.AttendeeChange(
        seq=row.seq,
        id=row.id,
        event_id=row.event_id,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        status=row.status,
        ticket_code=row.ticket_code,
        ticket_type=row.ticket_type,
        plus_ones=row.plus_ones,
        is_walkin=row.is_walkin,
        merged_into_id=row.merged_into_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        signed_ticket=signed_ticket,
    )


def revocation_to_wire(row: RevocationRow) -> wire.RevocationChange:
    return wire.RevocationChange(
        seq=row.seq, event_id=row.event_id, ticket_code=row.ticket_code, reason=row.reason, revoked=row.revoked
    )


# ---- import -------------------------------------------------------------------------


def import_roster(session: Session, event_id: str, data: bytes) -> wire.RosterImportResult:
    """Upsert the CSV's rows by ticket code; rows with problems are reported, the others imported."""
    try:
        parsed = parse_roster(data)
    except RosterFileError as exc:
        raise ApiError(400, wire.E_BAD_REQUEST, str(exc)) from exc
    sequence = EventSequence(session, event_id)
    now = utcnow()
    existing = {
        row.ticket_code: row
        for row in session.execute(
            select(
                AttendeeRow.id, AttendeeRow.ticket_code, AttendeeRow.first_name, AttendeeRow.last_name,
                AttendeeRow.email, AttendeeRow.status, AttendeeRow.ticket_type, AttendeeRow.plus_ones,
            ).where(AttendeeRow.event_id == event_id)
        )
    }
    inserts, updates, unchanged = [], [], 0
    optional = parsed.columns
    for row in parsed.rows:
        values = {"first_name": row.first_name, "last_name": row.last_name, "email": row.email}
        for column in ("status", "ticket_type", "plus_ones"):
            if column in optional:
                values[column] = getattr(row, column)
        old = existing.get(row.ticket_code)
        if old is None:
            inserts.append({
                "id": attendee_id_for(event_id, row.ticket_code), "event_id": event_id,
                "ticket_code": row.ticket_code, "status": row.status, "ticket_type": row.ticket_type,
                "plus_ones": row.plus_ones, "is_walkin": False, "seq": sequence.next(),
                "created_at": now, "updated_at": now, "inside": False,
                "status_changed_at": None,  # unknown: a cancellation in the first import predates any scan
                **values,
            })
            continue
        changed = {k: v for k, v in values.items() if getattr(old, k) != v}
        if not changed:
            unchanged += 1
            continue
        if "status" in changed:
            changed["status_changed_at"] = now
        updates.append({"id": old.id, "seq": sequence.next(), "updated_at": now, **changed})
    for start in range(0, len(inserts), 2000):
        # Core executemany: the ORM's per-row bookkeeping costs more than the insert itself.
        session.execute(insert(AttendeeRow.__table__), inserts[start:start + 2000])
    if updates:
        session.execute(update(AttendeeRow), updates)  # bulk UPDATE by primary key
    sequence.save()
    if inserts:
        from sync.server.checkins import link_orphans

        link_orphans(session, event_id, sequence)
        sequence.save()
    return wire.RosterImportResult(
        created=len(inserts),
        updated=len(updates),
        unchanged=unchanged,
        problems=[wire.RosterRowProblem(line=e.line, message=e.reason) for e in parsed.errors],
    )


# ---- revocations ----------------------------------------------------------------------


def revoke(session: Session, event_id: str, request: wire.RevocationRequest) -> wire.RevocationChange:
    sequence = EventSequence(session, event_id)
    row = session.get(RevocationRow, (event_id, request.ticket_code))
    now = utcnow()
    if row is None:
        row = RevocationRow(event_id=event_id, ticket_code=request.ticket_code)
        session.add(row)
    row.reason = request.reason
    row.revoked = request.revoked
    row.updated_at = now
    row.seq = sequence.next()
    sequence.save()
    session.flush()
    return revocation_to_wire(row)


# ---- the change feed --------------------------------------------------------------------


# The change models' fields, in their order: each is a column of the same name, but for
# ``type`` (the kind of change) and ``signed_ticket`` (made on request).
_ATTENDEE_FIELDS = tuple(name for name in wire.AttendeeChange.model_fields if name not in ("type", "signed_ticket"))
_ATTENDEE_COLUMNS = tuple(getattr(AttendeeRow, name) for name in _ATTENDEE_FIELDS)
_REVOCATION_FIELDS = tuple(name for name in wire.RevocationChange.model_fields if name != "type")
_REVOCATION_COLUMNS = tuple(getattr(RevocationRow, name) for name in _REVOCATION_FIELDS)


def roster_page_json(
    session: Session, event_id: str, cursor: int, limit: int, with_tickets: bool, high_water: int
) -> str:
    """The ``RosterPage`` JSON of changes after ``cursor``.

    Built from plain rows straight into JSON, with exactly the fields of ``wire.AttendeeChange``
    and ``wire.RevocationChange``: a 5,000-item page through ORM objects and pydantic models
    costs several times more, and this is the path of a 100,000-attendee download.
    """
    conn = session.connection()  # Core rows: no ORM bookkeeping per row
    attendees = conn.execute(
        select(*_ATTENDEE_COLUMNS)
        .where(AttendeeRow.event_id == event_id, AttendeeRow.seq > cursor)
        .order_by(AttendeeRow.seq)
        .limit(limit + 1)
    ).all()
    revocations = conn.execute(
        select(*_REVOCATION_COLUMNS)
        .where(RevocationRow.event_id == event_id, RevocationRow.seq > cursor)
        .order_by(RevocationRow.seq)
        .limit(limit + 1)
    ).all()
    signer = TicketSigner(session, event_id) if with_tickets else None
    items = []
    for row in attendees:
        item = {"type": "attendee"}
        item.update(zip(_ATTENDEE_FIELDS, row))
        item["is_walkin"] = bool(item["is_walkin"])
        item["created_at"] = item["created_at"].isoformat() + "Z"  # naive UTC
        item["updated_at"] = item["updated_at"].isoformat() + "Z"
        item["signed_ticket"] = (
            signer.sign_fields(item["id"], item["first_name"], item["last_name"], item["ticket_code"])
            if signer else None
        )
        items.append(item)
    if revocations:
        for row in revocations:
            item = {"type": "revocation"}
            item.update(zip(_REVOCATION_FIELDS, row))
            item["revoked"] = bool(item["revoked"])
            items.append(item)
        items.sort(key=lambda item: item["seq"])
    has_more = len(items) > limit
    del items[limit:]
    next_cursor = items[-1]["seq"] if items else cursor
    return dumps({"items": items, "next_cursor": next_cursor, "has_more": has_more,
                  "high_water_seq": max(high_water, next_cursor)})
