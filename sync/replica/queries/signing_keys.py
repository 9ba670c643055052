"""Named queries of the ``signing_keys`` table: the public keys that may sign an event's tickets."""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import select, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from sync.replica.models import SigningKey
from sync.replica.queries import Db, raw


def active_keys(session: Session, event_id: str) -> dict[str, str]:
    """``key_id -> public_key`` of the keys that may sign the event's tickets now."""
    return dict(session.execute(
        select(SigningKey.key_id, SigningKey.public_key)
        .where(SigningKey.event_id == event_id, SigningKey.active.is_(True))
    ).all())


def upsert(session: Session, event_id: str, key_id: str, public_key: str, active: bool) -> None:
    stmt = insert(SigningKey).values(key_id=key_id, event_id=event_id, public_key=public_key, active=active)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["key_id"],
        set_={"event_id": stmt.excluded.event_id, "public_key": stmt.excluded.public_key,
              "active": stmt.excluded.active},
    ))


def deactivate_unlisted(session: Session, event_id: str, listed: Iterable[str]) -> None:
    """Retire the event's active keys not in ``listed``: they sign nothing valid any more."""
    session.execute(
        update(SigningKey)
        .where(SigningKey.event_id == event_id, SigningKey.key_id.not_in(list(listed)),
               SigningKey.active.is_(True))
        .values(active=False)
    )


def of_event(db: Db, event_id: str) -> list[tuple[str, str, bool]]:
    """``(key_id, public_key, active)`` of every key of the event, by key id, as stored."""
    return raw(db).execute(
        "SELECT key_id, public_key, active FROM signing_keys WHERE event_id = ? ORDER BY key_id", (event_id,)
    ).fetchall()
