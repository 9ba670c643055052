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


def parse_utc(text: str | None) -> datetime | None:
    """A UTC time as the sync state stores it (ISO, with or without Z or offset), naive; None if unreadable."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment
