"""The server's database: SQLite (WAL, one writer at a time) or PostgreSQL (psycopg 3).

``Database.write()`` is one transaction that may take an event's sequence
lock; it is retried a few times when the database reports a conflict (a
serialization failure, a deadlock, a unique key raced by another process).
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
MIGRATION_LOCK_ID = 0x6B696F736B  # pg_advisory_lock key: one migrating process at a time
WRITE_ATTEMPTS = 4

log = logging.getLogger(__name__)
T = TypeVar("T")


class DatabaseUnavailable(Exception):
    """The database cannot be reached or used (the environment's fault)."""


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` as psycopg 3 URLs; a bare path as SQLite."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser()}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _sqlite_on_connect(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # BEGIN is ours (see _sqlite_on_begin)
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_on_begin(conn) -> None:
    # Writers take the write lock up front: with a deferred BEGIN two writers that
    # both read first deadlock on the upgrade, and SQLite gives up at once.
    immediate = conn.get_execution_options().get("server_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    def __init__(self, url: str):
        self.url = normalise_url(url)
        try:
            parsed = make_url(self.url)
        except ArgumentError as exc:
            raise DatabaseUnavailable(f"{url!r} is not a database URL (sqlite:///path.db or postgresql://...)") from exc
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(self.url, connect_args={"timeout": 30, "check_same_thread": False})
            event.listen(self.engine, "connect", _sqlite_on_connect)
            event.listen(self.engine, "begin", _sqlite_on_begin)
        elif self.dialect == "postgresql":
            try:
                self.engine = create_engine(self.url, pool_size=10, max_overflow=20, pool_pre_ping=True)
            except NoSuchModuleError as exc:
                raise DatabaseUnavailable("PostgreSQL needs psycopg 3: pip install 'psycopg[binary]'") from exc
        else:
            raise DatabaseUnavailable(f"Unsupported database {parsed.drivername!r}: use sqlite:/// or postgresql://")
        self._readers = sessionmaker(self.engine, expire_on_commit=False)
        self._writers = sessionmaker(self.engine.execution_options(server_write=True), expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = self._readers()
        try:
            yield session
        finally:
            session.close()  # a reader changes nothing: closing ends its transaction

    def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work(session)`` in one transaction and commit; retried on a transient conflict."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            session = self._writers()
            try:
                result = work(session)
                session.commit()
                return result
            except (IntegrityError, OperationalError) as exc:
                session.rollback()
                if attempt == WRITE_ATTEMPTS or not _transient(exc):
                    raise
                log.info("retrying a write after a transient conflict: %s", exc.orig)
                time.sleep(0.02 * attempt)
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()
        raise AssertionError("unreachable")

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except DBAPIError:
            return False

    def migrate(self) -> None:
        """Bring the schema to the newest migration; safe with several processes starting at once."""
        from alembic.command import upgrade
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        try:
            # One migrating process at a time: SQLite takes the write lock up front (BEGIN
            # IMMEDIATE), PostgreSQL an advisory lock; the next one then finds nothing to do.
            with self.engine.execution_options(server_write=True).begin() as conn:
                if self.dialect == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_ID})
                config.attributes["connection"] = conn
                upgrade(config, "head")
        except OperationalError as exc:
            first_line = (str(exc.orig).strip().splitlines() or ["unknown error"])[0]
            raise DatabaseUnavailable(f"Cannot use the database: {first_line}") from exc

    def dispose(self) -> None:
        self.engine.dispose()


def _transient(exc: DBAPIError) -> bool:
    if isinstance(exc, IntegrityError):
        return True  # a unique key raced by another process: the retry sees its row
    code = getattr(exc.orig, "sqlstate", None)
    if code in ("40001", "40P01"):  # serialization failure, deadlock
        return True
    return "locked" in str(exc.orig) or "busy" in str(exc.orig)
