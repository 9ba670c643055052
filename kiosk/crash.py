"""Turning an unexpected exception into one clear line, with the details in a log file."""

from __future__ import annotations

import logging
import sqlite3

from sync.replica.database import ReplicaError

log = logging.getLogger("kiosk")

# SQLite's primary result codes for a file that is not (or no longer) a sound database.
_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26


def report_unexpected(exc: BaseException) -> str:
    """Log the traceback; return what to tell the user (naming the log file that holds it)."""
    if isinstance(exc, ReplicaError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}"
    from kiosk.logs import log_file

    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    path = log_file()
    details = f"the details are in {path}" if path else "no log file could be written (--verbose shows the details)"
    return f"unexpected error ({type(exc).__name__}: {_first_line(exc)}); {details}"


def damage_of(exc: BaseException) -> str | None:
    """SQLite's words when ``exc`` (or what caused it) says a database file is damaged, else None."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        error = todo.pop()
        if not isinstance(error, BaseException) or id(error) in seen:
            continue
        seen.add(id(error))
        code = getattr(error, "sqlite_errorcode", None)
        if isinstance(error, sqlite3.DatabaseError) and code is not None and code & 0xFF in (
                _SQLITE_CORRUPT, _SQLITE_NOTADB):
            return str(error)
        todo += [getattr(error, "orig", None), error.__cause__, error.__context__]
    return None


def _first_line(exc: BaseException) -> str:
    # SQLAlchemy adds "(Background on this error at: …)" on a second line: one line is enough.
    return (str(exc).strip().splitlines() or [""])[0]
