"""Named queries of the ``revoked_tickets`` table."""

from __future__ import annotations

from sync.replica.queries import Db, raw

SELECT_REASON = "SELECT reason FROM revoked_tickets WHERE event_id = ? AND ticket_code = ?"
UPSERT = (
    "INSERT INTO revoked_tickets (event_id, ticket_code, reason) VALUES (?, ?, ?) "
    "ON CONFLICT(event_id, ticket_code) DO UPDATE SET reason = excluded.reason"
)
DELETE = "DELETE FROM revoked_tickets WHERE event_id = ? AND ticket_code = ?"


def reason(db: Db, event_id: str, ticket_code: str) -> str | None:
    """Why the ticket was revoked, or None when it is not."""
    row = raw(db).execute(SELECT_REASON, (event_id, ticket_code)).fetchone()
    return None if row is None else row[0]


def is_revoked(db: Db, event_id: str, ticket_code: str) -> bool:
    return raw(db).execute(SELECT_REASON, (event_id, ticket_code)).fetchone() is not None


def revoke(db: Db, event_id: str, ticket_code: str, why: str) -> None:
    raw(db).execute(UPSERT, (event_id, ticket_code, why))


def reinstate(db: Db, event_id: str, ticket_code: str) -> None:
    raw(db).execute(DELETE, (event_id, ticket_code))
