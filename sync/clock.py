"""Time as the replica stores it: naive UTC datetimes."""

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


# How SQLAlchemy stores a DateTime in SQLite, for the few statements written in plain SQL.
SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def to_sqlite(moment: datetime) -> str:
    return moment.strftime(SQLITE_FORMAT)


def from_sqlite(text: str) -> datetime:
    return datetime.fromisoformat(text)
