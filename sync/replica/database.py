"""Opening the replica: SQLite in WAL mode, migrated to the current schema."""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from sync.replica.models import SyncState

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
REPLICA_FILENAME = "replica.sqlite3"


class ReplicaError(Exception):
    """The replica cannot be opened or written (the environment's fault, not a bug)."""


def _head_revision() -> str:
    """The newest migration, read from the file names (``NNNN_*.py``) without loading Alembic."""
    names = sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    return names[-1][:4]


def _on_connect(dbapi_conn: sqlite3.Connection, _record) -> None:
    # Take transaction control from the sqlite3 module so that BEGIN is ours (see _on_begin).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    # WAL: readers never block the writer. synchronous=FULL: every COMMIT fsyncs the
    # write-ahead log before it returns, so a check-in shown green survives the app
    # being killed and a power cut alike (as far as the disk honours fsync). In WAL
    # mode that is one sequential fsync per scan: bench/checkin_core.py keeps it
    # within the scan budget (README, "synchronous").
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    # A 32 MB page cache keeps a 100,000-attendee roster and its search index in memory.
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _on_begin(conn) -> None:
    # A writing transaction takes the write lock up front: a decision reads the
    # attendee's log and appends to it, and no other process may slip in between.
    immediate = conn.get_execution_options().get("replica_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Replica:
    """One replica file: its engine, sessions and the small key/value sync state."""

    def __init__(self, path: Path, engine: Engine):
        self.path = path
        self.engine = engine
        self._readers = sessionmaker(engine, expire_on_commit=False)
        self._writers = sessionmaker(
            engine.execution_options(replica_write=True), expire_on_commit=False
        )

    @contextmanager
    def session(self, write: bool = True) -> Iterator[Session]:
        """A session whose work commits as one transaction, or rolls back on error.

        ``write=True`` holds the write lock from the first statement on.
        """
        session = (self._writers if write else self._readers)()
        try:
            yield session
            session.commit()
        except (OperationalError, sqlite3.OperationalError) as exc:
            # The scan path runs plain SQL on the driver's connection: its errors arrive unwrapped.
            session.rollback()
            raise ReplicaError(_explain(exc)) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def get_state(self, key: str, default: str | None = None) -> str | None:
        with self.session(write=False) as s:
            row = s.get(SyncState, key)
            return row.value if row else default

    def set_state(self, key: str, value: str) -> None:
        with self.session() as s:
            s.merge(SyncState(key=key, value=value))

    @property
    def device_id(self) -> str:
        """A stable id for this replica's device, made on first use."""
        with self.session() as s:
            row = s.get(SyncState, "device_id")
            if row is None:
                row = SyncState(key="device_id", value=f"dev-{uuid.uuid4().hex[:12]}")
                s.add(row)
            return row.value

    def schema_revision(self) -> str | None:
        with self.engine.connect() as conn:
            try:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except OperationalError:
                return None

    def close(self) -> None:
        self.engine.dispose()


def _explain(exc: Exception) -> str:
    message = str(getattr(exc, "orig", exc))
    if "disk" in message and "full" in message:
        return "The disk is full: free some space, nothing has been lost."
    if "locked" in message:
        return "The replica is busy in another program; try again in a moment."
    if "readonly" in message or "read-only" in message:
        return "The replica is read-only: check the data folder's permissions."
    return f"The replica could not be written: {message}"


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (no-op when it is already there)."""
    from alembic.command import upgrade
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        upgrade(config, "head")


def open_replica(data_dir: Path | str) -> Replica:
    """Open (creating if needed) the replica in ``data_dir`` and migrate it."""
    data_dir = Path(data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReplicaError(f"Cannot create the data folder {data_dir}: {exc.strerror}") from exc
    path = data_dir / REPLICA_FILENAME
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": 10, "check_same_thread": False},
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    replica = Replica(path, engine)
    try:
        if replica.schema_revision() != _head_revision():
            migrate(engine)
        with replica.session() as s:  # touch it: a corrupt file fails here, not mid-scan
            s.execute(select(SyncState.key).limit(1)).all()
    except DatabaseError as exc:
        engine.dispose()
        raise ReplicaError(f"The replica {path} is damaged or not a replica: {exc.orig}") from exc
    return replica
