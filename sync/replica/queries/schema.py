"""The replica file as a whole: its schema revision (Alembic's table) and its integrity."""

from __future__ import annotations

from sync.replica.queries import Db, raw

SELECT_REVISION = "SELECT version_num FROM alembic_version"


def revision(db: Db) -> str | None:
    """The migration the file is at (None when Alembic's table is empty)."""
    row = raw(db).execute(SELECT_REVISION).fetchone()
    return row[0] if row else None


def integrity_problems(db: Db) -> list[str]:
    """SQLite's integrity check: ``[]`` when the file is intact, else the problems it lists."""
    report = [row[0] for row in raw(db).execute("PRAGMA integrity_check")]
    return [] if report == ["ok"] else report
