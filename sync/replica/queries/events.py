"""Named queries of the ``events`` table."""

from __future__ import annotations

from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from sync.replica.models import Event
from sync.replica.queries import Db, raw

SELECT_TIMEZONE = "SELECT timezone FROM events WHERE id = ?"
# The kiosk's current event is the one sync_state names (key "event_id", sync.status.K_EVENT).
CURRENT_EVENT_KEY = "event_id"


def get(session: Session, event_id: str | None) -> Event | None:
    """The event as an ORM row (None when there is no such event, or no id)."""
    return session.get(Event, event_id) if event_id else None


def current(session: Session) -> tuple[str | None, Event | None]:
    """The current event's id (None when the kiosk has none) and its row (None until it is stored)."""
    event_id = raw(session).execute("SELECT value FROM sync_state WHERE key = ?", (CURRENT_EVENT_KEY,)).fetchone()
    event_id = event_id[0] if event_id else None
    return event_id, get(session, event_id)


def timezone_of(db: Db, event_id: str) -> str | None:
    """The event's IANA time zone name, or None when there is no such event."""
    row = raw(db).execute(SELECT_TIMEZONE, (event_id,)).fetchone()
    return row[0] if row else None


def create(session: Session, event_id: str, name: str) -> Event:
    """A new event, flushed."""
    event = Event(id=event_id, name=name)
    session.add(event)
    session.flush()
    return event


def upsert(session: Session, row: dict) -> None:
    """Insert the event, or overwrite every column of it but the id (``row`` holds every column)."""
    stmt = insert(Event).values(row)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["id"], set_={k: stmt.excluded[k] for k in row if k != "id"}))


SELECT_SNAPSHOT = "SELECT name, venue_capacity, timezone, starts_at, status, settings_json FROM events WHERE id = ?"


def snapshot(db: Db, event_id: str) -> tuple | None:
    """Every column of the event but its id, as stored (to tell whether a download changed it)."""
    return raw(db).execute(SELECT_SNAPSHOT, (event_id,)).fetchone()
