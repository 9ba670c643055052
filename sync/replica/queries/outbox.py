"""Named queries of the ``outbox`` table: local changes waiting to be pushed to the server."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.replica.models import OutboxItem
from sync.replica.queries import raw

INSERT = (
    "INSERT INTO outbox (kind, ref_id, payload_json, created_at, attempts, last_error)"
    " VALUES (?, ?, ?, ?, 0, '')"
)
COUNT_PENDING = "SELECT count(*) FROM outbox WHERE sent_at IS NULL"


def insert(session: Session, kind: str, ref_id: str, payload_json: str, created_at: str) -> None:
    """Queue one item (``created_at`` already in the sqlite text form). Plain SQL: on every scan."""
    raw(session).execute(INSERT, (kind, ref_id, payload_json, created_at))


def pending_count(session: Session) -> int:
    """How many items are still waiting to be sent."""
    return session.scalar(select(func.count()).select_from(OutboxItem).where(OutboxItem.sent_at.is_(None)))


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
