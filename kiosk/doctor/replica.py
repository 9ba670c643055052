"""The replica file, read-only (the doctor never migrates or writes, even beside a running kiosk),
through the replica's named queries (``sync.replica.queries``) on a plain sqlite3 connection."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kiosk.doctor.report import FAIL, OK, WARN, Check


def _open_read_only(path: Path) -> sqlite3.Connection:
    """The replica file, read-only, without SQLAlchemy (raises sqlite3.Error)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)


def _head_revision(migrations_dir: Path) -> str | None:
    names = sorted(p.name for p in (migrations_dir / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    return names[-1][:4] if names else None


def check_replica(data_dir: Path) -> Check:
    from sync.replica.database import MIGRATIONS_DIR, REPLICA_FILENAME
    from sync.replica.queries import attendees, outbox, schema, sync_state
    from sync.status import K_EVENT

    head = _head_revision(MIGRATIONS_DIR)
    if head is None:
        return Check(
            "replica", FAIL, f"the schema migrations are missing from the installation ({MIGRATIONS_DIR})",
            "reinstall the app",
        )
    path = Path(data_dir) / REPLICA_FILENAME
    if not path.exists():
        return Check(
            "replica", WARN, f"no replica yet at {path}",
            "it is made on first use: `kiosk enroll` (with a server) or `kiosk import-roster FILE.csv`",
        )
    try:
        # Read-only: the doctor never migrates or writes, even beside a running kiosk.
        conn = _open_read_only(path)
    except sqlite3.Error as exc:
        return Check("replica", FAIL, f"{path} cannot be opened ({exc})", "check the data folder's permissions")
    try:
        problems = schema.integrity_problems(conn)
        if problems:
            return Check(
                "replica", FAIL, f"{path} is damaged: {'; '.join(problems[:3])}",
                "stop the app and move the file aside (keep it: scans not yet synced can be read back with "
                "`sqlite3 FILE .recover`), then `kiosk enroll` again or re-import the roster",
            )
        revision = schema.revision(conn)
        event_id = sync_state.get(conn, K_EVENT)
        attendee_count = attendees.count_all(conn)
        waiting = outbox.pending_count(conn)
    except sqlite3.DatabaseError as exc:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return Check("replica", WARN, f"{path} is busy in another program; try again", "")
        return Check(
            "replica", FAIL, f"{path} is not a readable replica ({text})",
            "move the file away and re-enroll or re-import (keep it for the organizer)",
        )
    finally:
        conn.close()
    if revision is not None and revision > head:
        return Check(
            "replica", FAIL,
            f"{path} was made by a newer version of the app (schema {revision}, this app knows {head})",
            "install the newer version again",
        )
    upgrade = f"; schema {revision} will be upgraded to {head} on next start" if revision != head else ""
    event_text = f"event {event_id}" if event_id is not None else "no event yet"
    return Check(
        "replica", OK,
        f"{path}: intact, schema {revision}{upgrade}, {event_text}, {attendee_count} attendees, "
        f"{waiting} change(s) waiting to sync",
    )


def enrolled_state(data_dir: Path) -> dict[str, str]:
    """The server, event and device this replica is enrolled with, read-only ({} when none)."""
    from sync.replica.database import REPLICA_FILENAME
    from sync.replica.queries import sync_state
    from sync.status import K_DEVICE, K_EVENT, K_SERVER

    path = Path(data_dir) / REPLICA_FILENAME
    if not path.exists():
        return {}
    try:
        conn = _open_read_only(path)
        try:
            state = sync_state.values(conn, (K_SERVER, K_EVENT, K_DEVICE))
        finally:
            conn.close()
    except sqlite3.Error:
        return {}  # the replica check says what is wrong with the file
    if not state.get(K_SERVER):
        return {}
    return {"server": state[K_SERVER], "event_id": state.get(K_EVENT, ""), "device_id": state.get(K_DEVICE, "")}
