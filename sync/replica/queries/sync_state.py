"""Named queries of the ``sync_state`` table: the replica's own key/value settings.

Which keys exist, and what they mean, is :mod:`sync.status`'s business.
"""

from __future__ import annotations

from typing import Iterable

from sync.replica.queries import Db, placeholders, raw

SELECT_ONE = "SELECT value FROM sync_state WHERE key = ?"
UPSERT = "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"


def get(db: Db, key: str) -> str | None:
    """The value of one key, or None when it is not set."""
    row = raw(db).execute(SELECT_ONE, (key,)).fetchone()
    return row[0] if row else None


def values(db: Db, keys: Iterable[str]) -> dict[str, str]:
    """The keys among ``keys`` that are set, with their values."""
    keys = tuple(keys)
    if not keys:
        return {}
    rows = raw(db).execute(f"SELECT key, value FROM sync_state WHERE key IN ({placeholders(len(keys))})", keys)
    return dict(rows.fetchall())


def put(db: Db, key: str, value: str) -> None:
    """Set one key (created or replaced)."""
    raw(db).execute(UPSERT, (key, value))


def put_many(db: Db, items: dict[str, str]) -> None:
    """Set several keys (created or replaced)."""
    raw(db).executemany(UPSERT, list(items.items()))


def delete(db: Db, keys: Iterable[str]) -> None:
    """Forget the keys among ``keys`` (cursors after a new enrollment, ...)."""
    keys = tuple(keys)
    if keys:
        raw(db).execute(f"DELETE FROM sync_state WHERE key IN ({placeholders(len(keys))})", keys)
