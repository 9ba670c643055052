"""Named queries of the ``outbox`` table: local changes waiting to be pushed to the server.

A row is queued in the transaction that records the change it carries (plain
SQL: on every scan), sent oldest first, and kept once sent (``sent_at`` set).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.replica.models import OutboxItem
from sync.replica.queries import Db, placeholders, raw

INSERT = (
    "INSERT INTO outbox (kind, ref_id, payload_json, created_at, attempts, last_error)"
    " VALUES (?, ?, ?, ?, 0, '')"
)
COUNT_PENDING = "SELECT count(*) FROM outbox WHERE sent_at IS NULL"
MARK_SENT = "UPDATE outbox SET sent_at = ?, attempts = ?, last_error = ? WHERE id = ?"
ERROR_MAX = 2000  # characters of last_error kept


def insert(db: Db, kind: str, ref_id: str, payload_json: str, created_at: str) -> None:
    """Queue one item (``created_at`` in the replica's text form, see ``sync.clock.to_sqlite``)."""
    raw(db).execute(INSERT, (kind, ref_id, payload_json, created_at))


def pending_count(db: Db) -> int:
    """How many items are still waiting to be sent."""
    return raw(db).execute(COUNT_PENDING).fetchone()[0]


def pending_rows(session: Session, kind: str, limit: int, after: int, before: int | None = None) -> list:
    """Unsent rows of one kind (``id, kind, ref_id, payload_json, attempts``), oldest first.

    Only rows with ``after < id`` (and ``id < before`` when given), at most ``limit`` of them.
    """
    query = (
        select(OutboxItem.id, OutboxItem.kind, OutboxItem.ref_id, OutboxItem.payload_json,
               OutboxItem.attempts)
        .where(OutboxItem.sent_at.is_(None), OutboxItem.kind == kind, OutboxItem.id > after)
        .order_by(OutboxItem.id)
        .limit(limit)
    )
    if before is not None:
        query = query.where(OutboxItem.id < before)
    return list(session.execute(query).all())


def first_pending_id(session: Session, kind: str) -> int | None:
    """The id of the oldest unsent row of one kind, or None when none waits."""
    return session.scalar(
        select(func.min(OutboxItem.id)).where(OutboxItem.sent_at.is_(None), OutboxItem.kind == kind)
    )


def mark_sent(db: Db, rows: list[tuple]) -> None:
    """``(sent_at text, attempts, last_error, id)`` of rows the server gave a verdict on
    (``last_error`` is the rejection, or empty): they leave the queue."""
    raw(db).executemany(MARK_SENT, rows)


def mark_refused(db: Db, outbox_id: int, attempts: int, sent_at: str, reason: str) -> None:
    """A row that can never be accepted: out of the queue, with why."""
    raw(db).execute(MARK_SENT, (sent_at, attempts, f"refused: {reason}"[:ERROR_MAX], outbox_id))


def note_failure(db: Db, outbox_ids: list[int], error: str) -> None:
    """Rows sent without a verdict coming back: one more attempt, and why it failed; they stay queued."""
    if outbox_ids:
        raw(db).execute(
            f"UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id IN ({placeholders(len(outbox_ids))})",
            (error[:ERROR_MAX], *outbox_ids))


# ---- items the server gave a verdict of "rejected" (sent, with the reason kept) --------

NOT_STORED = "sent_at IS NOT NULL AND last_error != ''"


def not_stored_count(db: Db) -> int:
    """Items the server refused: recorded here, not in the organizer's figures."""
    return raw(db).execute(f"SELECT count(*) FROM outbox WHERE {NOT_STORED}").fetchone()[0]


def not_stored_rows(db: Db, limit: int = 100) -> list[tuple]:
    """``(id, kind, ref_id, last_error)`` of the refused items, oldest first."""
    return raw(db).execute(
        f"SELECT id, kind, ref_id, last_error FROM outbox WHERE {NOT_STORED} ORDER BY id LIMIT ?", (limit,)
    ).fetchall()


def requeue_not_stored(db: Db) -> int:
    """Put every refused item back in the queue (once the cause is fixed); how many."""
    return raw(db).execute(f"UPDATE outbox SET sent_at = NULL, last_error = '' WHERE {NOT_STORED}").rowcount
