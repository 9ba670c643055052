"""Named queries of the ``attendees`` table: the roster, as the door, the importer and sync use it.

The door's queries are plain sqlite3 and return :class:`AttendeeRow` tuples (one
scan runs several of them). ``inside``/``arrival_id`` are a cache of the check-in
log, written only by :func:`set_cached_state` / :func:`set_cached_states`, which
:mod:`sync.ledger` and :mod:`sync.reconcile` call with what ``ledger.replay`` derived.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from sync.replica.models import Attendee, Checkin
from sync.replica.queries import Db, placeholders, raw

# ---- at the door ------------------------------------------------------------------


class AttendeeRow(NamedTuple):
    """An attendee as the scan path reads it."""

    id: str
    event_id: str
    first_name: str
    last_name: str
    email: str | None
    status: str
    ticket_code: str
    ticket_type: str
    plus_ones: int
    is_walkin: bool
    merged_into_id: str | None
    inside: bool
    arrival_id: str | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


SELECT_ROW = f"SELECT {', '.join(AttendeeRow._fields)} FROM attendees WHERE "
BY_ID = SELECT_ROW + "id = ?"
BY_CODE = SELECT_ROW + "event_id = ? AND ticket_code = ?"
ALL_BY_EMAIL = SELECT_ROW + "event_id = ? AND email = ? AND merged_into_id IS NULL ORDER BY is_walkin, rowid LIMIT ?"
CODE_IN_ANY_EVENT = "SELECT 1 FROM attendees WHERE ticket_code = ? LIMIT 1"
CODE_IN_EVENT = "SELECT 1 FROM attendees WHERE event_id = ? AND ticket_code = ? LIMIT 1"
SELECT_ARRIVAL = "SELECT arrival_id FROM attendees WHERE id = ?"
SET_CACHED_STATE = "UPDATE attendees SET inside = ?, arrival_id = ? WHERE id = ?"
WALKIN_COLUMNS = ("id", "event_id", "first_name", "last_name", "email", "status", "ticket_code", "ticket_type",
                  "plus_ones", "is_walkin", "inside", "created_at", "updated_at")
INSERT_WALKIN = f"INSERT INTO attendees ({', '.join(WALKIN_COLUMNS)}) VALUES ({placeholders(len(WALKIN_COLUMNS))})"


def _row(found: tuple | None) -> AttendeeRow | None:
    if found is None:
        return None
    row = AttendeeRow._make(found)
    return row._replace(is_walkin=bool(row.is_walkin), inside=bool(row.inside))


def by_id(db: Db, attendee_id: str) -> AttendeeRow | None:
    return _row(raw(db).execute(BY_ID, (attendee_id,)).fetchone())


def by_code(db: Db, event_id: str, ticket_code: str) -> AttendeeRow | None:
    """The attendee of ``event_id`` holding exactly this code."""
    return _row(raw(db).execute(BY_CODE, (event_id, ticket_code)).fetchone())


def all_by_email(db: Db, event_id: str, email: str, limit: int = 100) -> list[AttendeeRow]:
    """The attendees of ``event_id`` (not merged away) sharing this (lower-cased) email, RSVPs first."""
    return [_row(found) for found in raw(db).execute(ALL_BY_EMAIL, (event_id, email, limit))]


def code_in_any_event(db: Db, ticket_code: str) -> bool:
    """Whether some event (this one or another) has a ticket with this code."""
    return raw(db).execute(CODE_IN_ANY_EVENT, (ticket_code,)).fetchone() is not None


def code_in_event(db: Db, event_id: str, ticket_code: str) -> bool:
    return raw(db).execute(CODE_IN_EVENT, (event_id, ticket_code)).fetchone() is not None


def arrival_id(db: Db, attendee_id: str) -> str | None:
    """The id of the attendee's arrival (their first admitted entry in force), from the cache."""
    row = raw(db).execute(SELECT_ARRIVAL, (attendee_id,)).fetchone()
    return row[0] if row else None


def set_cached_state(db: Db, attendee_id: str, inside: bool, arrival: str | None) -> None:
    raw(db).execute(SET_CACHED_STATE, (inside, arrival, attendee_id))


def insert_walkin(db: Db, walkin, created_at: str) -> None:
    """A walk-in registered at this kiosk (``walkin`` has the fields of ``sync.wire.WalkinItem``),
    confirmed and not inside yet; ``created_at`` in the replica's text form."""
    raw(db).execute(INSERT_WALKIN, (
        walkin.id, walkin.event_id, walkin.first_name, walkin.last_name, walkin.email, "confirmed",
        walkin.ticket_code, walkin.ticket_type, walkin.plus_ones, True, False, created_at, created_at))


INSERT_TICKET_HOLDER = (
    "INSERT INTO attendees (id, event_id, first_name, last_name, email, status, ticket_code, ticket_type, "
    "plus_ones, is_walkin, inside, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, NULL, 'confirmed', ?, 'General', 0, 0, 0, ?, ?)"
)


def insert_ticket_holder(db: Db, attendee_id: str, event_id: str, first_name: str, last_name: str,
                         ticket_code: str, created_at: str) -> AttendeeRow:
    """The holder of a verified signed ticket the roster does not have yet (the roster sync brings
    the full row later, under the same id); ``created_at`` in the replica's text form."""
    raw(db).execute(INSERT_TICKET_HOLDER,
                    (attendee_id, event_id, first_name, last_name, ticket_code, created_at, created_at))
    return by_id(db, attendee_id)


def count_all(db: Db) -> int:
    """Attendees of every event (the doctor's summary)."""
    return raw(db).execute("SELECT count(*) FROM attendees").fetchone()[0]


# ---- the event's figures ------------------------------------------------------------

HEADLINE_COUNTS = """
    SELECT coalesce(sum(status = 'confirmed' AND is_walkin = 0), 0),
           coalesce(sum(inside = 1), 0),
           coalesce(sum(is_walkin = 1), 0),
           coalesce(sum(status = 'cancelled'), 0)
    FROM attendees WHERE event_id = ? AND merged_into_id IS NULL"""


def headline_counts(db: Db, event_id: str | None) -> dict[str, int]:
    """``expected``, ``inside``, ``walkins``, ``cancelled`` among the event's attendees not merged away
    (see :mod:`sync.ledger` for what each means)."""
    expected, inside, walkins, cancelled = raw(db).execute(HEADLINE_COUNTS, (event_id,)).fetchone()
    return {"expected": expected, "inside": inside, "walkins": walkins, "cancelled": cancelled}


# ---- roster import --------------------------------------------------------------------


class ExistingAttendee(NamedTuple):
    """An attendee already in the replica, as a roster import compares it."""

    id: str
    first_name: str
    last_name: str
    email: str | None
    ticket_code: str
    status: str
    ticket_type: str
    plus_ones: int
    merged_into_id: str | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


SELECT_EXISTING = f"SELECT {', '.join(ExistingAttendee._fields)} FROM attendees WHERE event_id = ?"
IMPORT_COLUMNS = ("id", "event_id", "first_name", "last_name", "email", "ticket_code", "status", "ticket_type",
                  "plus_ones", "is_walkin", "inside", "created_at", "updated_at")
# Two kinds of update: setting a name or email re-indexes the row for search
# (the trigger fires when those columns are set, even to the same value), so a
# row whose name and email did not change sets only its other fields.
FULL_UPDATE_COLUMNS = ("id", "first_name", "last_name", "email", "status", "ticket_type", "plus_ones", "updated_at")
DETAIL_UPDATE_COLUMNS = ("id", "status", "ticket_type", "plus_ones", "updated_at")


def existing_by_code(db: Db, event_id: str) -> dict[str, ExistingAttendee]:
    """The event's attendees by ticket code."""
    # Plain tuples: at 100,000 attendees, ORM objects (or even SQLAlchemy rows) cost seconds here.
    rows = raw(db).execute(SELECT_EXISTING, (event_id,)).fetchall()
    make = ExistingAttendee._make
    return {row[4]: make(row) for row in rows}


def _values_list(width: int, count: int) -> str:
    return ", ".join(["(" + placeholders(width) + ")"] * count)


def insert_sql(count: int) -> str:
    """INSERT of ``count`` rows in IMPORT_COLUMNS order, in one statement."""
    return f"INSERT INTO attendees ({', '.join(IMPORT_COLUMNS)}) VALUES {_values_list(len(IMPORT_COLUMNS), count)}"


def update_sql(columns: tuple[str, ...], count: int) -> str:
    """UPDATE of ``count`` rows, each ``columns`` with the id first, in one statement."""
    assignments = ", ".join(f"{name} = v.column{i}" for i, name in enumerate(columns, start=1) if i > 1)
    return (
        f"UPDATE attendees SET {assignments} FROM (VALUES {_values_list(len(columns), count)}) AS v "
        "WHERE attendees.id = v.column1"
    )


def insert_rows(db: Db, rows: list[tuple]) -> None:
    """New attendees, each a tuple in IMPORT_COLUMNS order, in one statement.

    SQLite's FTS5 flushes its pending index data at the end of every statement that
    fires the search-index trigger: one row per statement is several times slower.
    """
    raw(db).execute(insert_sql(len(rows)), tuple(v for row in rows for v in row))


def update_rows(db: Db, rows: list[tuple], columns: tuple[str, ...]) -> None:
    """Updates of existing attendees, each a tuple in ``columns`` order (id first), in one statement."""
    raw(db).execute(update_sql(columns, len(rows)), tuple(v for row in rows for v in row))


# ---- the server's roster -----------------------------------------------------------------

STAGING = "sync_staging_attendees"
# Column order of the staging table: the plain fields, then the two times.
STAGED_COLUMNS = ("id", "event_id", "first_name", "last_name", "email", "status", "ticket_code", "ticket_type",
                  "plus_ones", "is_walkin", "merged_into_id", "server_seq", "created_at", "updated_at")
# Columns the server owns; ``inside``/``arrival_id`` are the replica's own cache.
SERVER_COLUMNS = ("event_id", "first_name", "last_name", "email", "status", "ticket_code", "ticket_type",
                  "plus_ones", "is_walkin", "merged_into_id", "created_at", "updated_at")
_STAGED = ", ".join(STAGED_COLUMNS)
UPSERT_STAGED = (
    f"INSERT INTO attendees ({_STAGED}, inside) SELECT {_STAGED}, 0 FROM temp.{STAGING} WHERE true "
    f"ON CONFLICT(id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in (*SERVER_COLUMNS, 'server_seq'))} "
    # Unchanged rows are not rewritten (nor re-indexed for search).
    f"WHERE {' OR '.join(f'attendees.{c} IS NOT excluded.{c}' for c in SERVER_COLUMNS)}"
)
STAGED_CODE_CLASHES = (
    f"SELECT a.id, a.ticket_code, st.id FROM temp.{STAGING} st JOIN attendees a "
    "ON a.event_id = st.event_id AND a.ticket_code = st.ticket_code WHERE a.id != st.id"
)
STAGED_WITH_CHECKINS = f"SELECT DISTINCT c.attendee_id FROM temp.{STAGING} st JOIN checkins c ON c.attendee_id = st.id"


def stage(db: Db, rows: list[tuple]) -> None:
    """Put the server's rows (STAGED_COLUMNS order) in a temporary table, replacing what it held.

    :func:`upsert_staged` then writes them with one INSERT ... SELECT: the search
    index's triggers run inside a single statement, and FTS5 writes its index once
    per page instead of once per row.
    """
    conn = raw(db)
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} ({_STAGED})")
    conn.execute(f"DELETE FROM temp.{STAGING}")
    conn.executemany(f"INSERT INTO temp.{STAGING} VALUES ({placeholders(len(STAGED_COLUMNS))})", rows)


def staged_code_clashes(db: Db) -> list[tuple[str, str, str]]:
    """``(local attendee id, its code, staged attendee id)`` where a staged row takes a code held by another."""
    return raw(db).execute(STAGED_CODE_CLASHES).fetchall()


def set_ticket_code(db: Db, attendee_id: str, ticket_code: str) -> None:
    raw(db).execute("UPDATE attendees SET ticket_code = ? WHERE id = ?", (ticket_code, attendee_id))


def upsert_staged(db: Db) -> None:
    """Insert the staged rows, or update the attendees whose server columns differ."""
    raw(db).execute(UPSERT_STAGED)


def staged_with_checkins(db: Db) -> set[str]:
    """Staged attendees that already have check-ins in the log (pulled before them)."""
    return {row[0] for row in raw(db).execute(STAGED_WITH_CHECKINS)}


def clear_staged(db: Db) -> None:
    raw(db).execute(f"DELETE FROM temp.{STAGING}")


def set_merged_into(db: Db, walkin_id: str, canonical_id: str) -> None:
    """The server merged this walk-in into an existing RSVP."""
    raw(db).execute("UPDATE attendees SET merged_into_id = ? WHERE id = ?", (canonical_id, walkin_id))


def exists(db: Db, attendee_id: str) -> bool:
    return raw(db).execute("SELECT 1 FROM attendees WHERE id = ?", (attendee_id,)).fetchone() is not None


def existing_ids(session: Session, attendee_ids: Iterable[str]) -> set[str]:
    """The ids among ``attendee_ids`` that the replica has."""
    return set(session.scalars(select(Attendee.id).where(Attendee.id.in_(list(attendee_ids)))).all())


def set_cached_states(session: Session, states: list[dict]) -> None:
    """Many attendees' cached state at once: dicts of ``id``, ``inside``, ``arrival_id``."""
    session.execute(update(Attendee), states)


# ---- export -------------------------------------------------------------------------------


def export_rows(session: Session, event_id: str | None) -> list[tuple]:
    """``(Attendee, arrival device_time, arrival door, ticket code merged into)`` of every attendee of the event."""
    arrival = aliased(Checkin)
    canonical = aliased(Attendee)
    return list(session.execute(
        select(Attendee, arrival.device_time, arrival.door, canonical.ticket_code)
        .outerjoin(arrival, arrival.id == Attendee.arrival_id)
        .outerjoin(canonical, canonical.id == Attendee.merged_into_id)
        .where(Attendee.event_id == event_id)
    ).all())
