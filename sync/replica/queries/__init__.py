"""The replica's SQL, one module per table (the libpretixsync model of one ``.sq`` file per table).

Each module holds the named queries of its table: SQL strings for the plain-sqlite3
paths and small functions that take a SQLAlchemy ``Session`` (or, where noted, a
``sqlite3.Connection``). When a table changes, its module is the one file to open.

The check-in path speaks plain sqlite3 on purpose: building a SQLAlchemy statement
costs milliseconds per scan. :func:`raw` gives the DB-API connection under a session,
inside the session's transaction.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy.orm import Session


def raw(session: Session) -> sqlite3.Connection:
    """The sqlite3 connection under ``session``, in the session's transaction."""
    return session.connection().connection.dbapi_connection
